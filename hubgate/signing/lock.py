"""``hubgate signing record|compare``: a lock file of what the installed signing libraries produce.

For a fixed, documented set of inputs (``LOCK_INPUTS``: awkward keys, repeated and reserved query parameters,
expiries from 1 s to 604800 s, several regions, session tokens, virtual-hosted and path style), each
installed library signs a presigned GET through the call users make:

* botocore: an ``s3`` client's ``generate_presigned_url("get_object", ...)`` (addressing style from the input);
  inputs with arbitrary query parameters (repeated keys) go through ``S3SigV4QueryAuth`` directly, since the
  client API cannot express them. Canonical request and string to sign come from botocore's own debug log.
* minio: ``Minio.get_presigned_url`` (``disable_virtual_style_endpoint()`` for path style), canonical request
  and string to sign recorded from ``minio.signer``.
* google-cloud-storage: ``Blob.generate_signed_url(version="v4")`` with the published conformance test key
  (only for inputs without region or session token, which GCS does not have).

The lock records per library and input: canonical request, string to sign, signature and signed URL, or the
error the library raised (refusing an input is behaviour too), plus the library versions.
``compare`` re-runs and reports every field that changed; a version change alone is not a failure.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
from pathlib import Path
from urllib.parse import quote

from . import SigningInputError, default_vectors_dir, first_diff, library_versions
from .gcs import _client, _credentials, _patched
from .sigv4 import frozen_botocore_clock, minio_recorder

LOCK_FORMAT = "hubgate-signing-lock/1"
TIME = _dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=_dt.timezone.utc)
ACCESS_KEY, SECRET_KEY = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+token/with=reserved"


def _inp(id, key, *, bucket="hub-assets", region="us-east-1", expires=3600, query=(), token=None,
         style="virtual", disposition=None):
    return dict(id=id, bucket=bucket, key=key, region=region, expires=expires, query=[list(q) for q in query],
                token=token, style=style, disposition=disposition)


# The documented input set. Changing it changes every lock: bump LOCK_FORMAT when you do.
LOCK_INPUTS = [
    _inp("plain", "images/cat.jpg"),
    _inp("key-space", "my folder/cat 1.jpg"),
    _inp("key-plus", "a+b/c+d.png"),
    _inp("key-tilde", "~user/file~1.txt"),
    _inp("key-unicode", "données/ünïcødé-日本語.png"),
    _inp("key-double-slash", "a//b.png"),
    _inp("key-empty-segments", "a/b//c///d.png"),
    _inp("key-leading-slash", "/leading.png"),
    _inp("key-trailing-slash", "folder/"),
    _inp("key-reserved", "r!$&'()*,;=:@[]#?.txt"),
    _inp("query-repeated", "q.txt", query=[("a", "2"), ("a", "1"), ("b", "")]),
    _inp("query-reserved", "q.txt", query=[("x-id", "GetObject"), ("v", "x y/?&=+~%")]),
    _inp("disposition", "report.pdf", disposition='attachment; filename="r é.pdf"'),
    _inp("expires-1s", "images/cat.jpg", expires=1),
    _inp("expires-7d", "images/cat.jpg", expires=604800),
    _inp("expires-over-7d", "images/cat.jpg", expires=604801),
    _inp("expires-0", "images/cat.jpg", expires=0),
    _inp("region-eu-central-1", "images/cat.jpg", region="eu-central-1"),
    _inp("region-ap-southeast-2", "images/cat.jpg", region="ap-southeast-2"),
    _inp("session-token", "images/cat.jpg", token=TOKEN),
    _inp("session-token-eu", "my folder/ünï.png", region="eu-central-1", token=TOKEN),
    _inp("path-style", "images/cat.jpg", style="path"),
    _inp("path-style-awkward-key", "a b//+~ü.png", style="path", region="eu-central-1"),
    _inp("path-style-dotted-bucket", "x.png", bucket="hub.assets.example", style="path"),
]


# --------------------------------------------------------------------------------------------- botocore


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.record: dict = {}

    def emit(self, rec):
        if rec.msg.startswith("CanonicalRequest:"):
            self.record["canonical_request"] = rec.args[0] if isinstance(rec.args, tuple) else rec.args
        elif rec.msg.startswith("StringToSign:"):
            self.record["string_to_sign"] = rec.args[0] if isinstance(rec.args, tuple) else rec.args


@contextlib.contextmanager
def _botocore_capture():
    log = logging.getLogger("botocore.auth")
    handler, level, propagate = _Capture(), log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        yield handler.record
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


_clients: dict = {}


def _botocore_client(region: str, style: str, token: str | None):
    k = (region, style, token)
    if k not in _clients:
        # deferred: botocore (~100 ms) only when its signer runs
        import botocore.session
        from botocore.config import Config

        session = botocore.session.Session()
        _clients[k] = session.create_client(
            "s3", region_name=region, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            aws_session_token=token, config=Config(signature_version="s3v4", s3={"addressing_style": style}))
    return _clients[k]


def _botocore(inp: dict) -> dict:
    with frozen_botocore_clock(TIME), _botocore_capture() as rec:
        if inp["query"]:
            # deferred: botocore, as above
            from botocore.auth import S3SigV4QueryAuth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials

            host = (f"{inp['bucket']}.s3.{inp['region']}.amazonaws.com" if inp["style"] == "virtual"
                    else f"s3.{inp['region']}.amazonaws.com")
            path = quote(inp["key"], safe="/~") if inp["style"] == "virtual" else f"/{inp['bucket']}/" + quote(
                inp["key"], safe="/~")
            req = AWSRequest("GET", f"https://{host}/{path.lstrip('/')}" if inp["style"] == "virtual"
                             else f"https://{host}{path}")
            req.params = [tuple(q) for q in inp["query"]]
            S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY, inp["token"]), "s3", inp["region"],
                             inp["expires"]).add_auth(req)
            url = req.url
            via = "S3SigV4QueryAuth (the client API cannot pass arbitrary query parameters)"
        else:
            params = {"Bucket": inp["bucket"], "Key": inp["key"]}
            if inp["disposition"]:
                params["ResponseContentDisposition"] = inp["disposition"]
            url = _botocore_client(inp["region"], inp["style"], inp["token"]).generate_presigned_url(
                "get_object", Params=params, ExpiresIn=inp["expires"])
            via = "client.generate_presigned_url('get_object')"
    return {**rec, "url": url, "signature": url.rsplit("X-Amz-Signature=", 1)[-1], "via": via}


# ------------------------------------------------------------------------------------------------ minio


def _minio(inp: dict) -> dict:
    from minio import Minio  # deferred: optional extra 'signing' (minio)

    client = Minio("s3.amazonaws.com", ACCESS_KEY, SECRET_KEY, session_token=inp["token"], region=inp["region"])
    if inp["style"] == "path":
        client.disable_virtual_style_endpoint()
    extra: dict = {}
    for k, v in inp["query"]:
        extra.setdefault(k, []).append(v)
    if inp["disposition"]:
        extra["response-content-disposition"] = [inp["disposition"]]
    with minio_recorder() as rec:
        url = client.get_presigned_url("GET", inp["bucket"], inp["key"], expires=_dt.timedelta(seconds=inp["expires"]),
                                       request_date=TIME, extra_query_params=extra or None)
    return {**rec, "url": url, "signature": url.rsplit("X-Amz-Signature=", 1)[-1],
            "via": "Minio.get_presigned_url"}


# --------------------------------------------------------------------------------- google-cloud-storage


def _gcs_key() -> dict | None:
    p = default_vectors_dir() / "gcs-v4-signatures" / "test_service_account.not-a-test.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def _gcs(inp: dict, key: dict) -> dict:
    with _patched(TIME, {"STORAGE_EMULATOR_HOST": None}) as rec:
        creds = _credentials(key, rec, None)
        blob = _client(key, creds, {}).bucket(inp["bucket"]).blob(inp["key"])
        url = blob.generate_signed_url(
            version="v4", credentials=creds, expiration=_dt.timedelta(seconds=inp["expires"]),
            virtual_hosted_style=inp["style"] == "virtual", response_disposition=inp["disposition"],
            query_parameters=dict(inp["query"]) if inp["query"] else None)
    return {**rec, "url": url, "signature": url.rsplit("X-Goog-Signature=", 1)[-1],
            "via": "Blob.generate_signed_url(version='v4')"}


def _gcs_applies(inp: dict) -> bool:
    return inp["token"] is None and inp["region"] == "us-east-1"


# ------------------------------------------------------------------------------------------------- record


def record() -> dict:
    versions = library_versions()
    entries: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    gcs_key = _gcs_key() if versions["google-cloud-storage"] else None
    libs = [("botocore", _botocore), ("minio", _minio), ("google-cloud-storage", None)]
    for lib, fn in libs:
        if not versions[lib]:
            skipped[lib] = f"{lib} is not installed"
            continue
        if lib == "google-cloud-storage":
            if gcs_key is None:
                skipped[lib] = f"the GCS test key is not in {default_vectors_dir()}"
                continue
        for inp in LOCK_INPUTS:
            if lib == "google-cloud-storage" and not _gcs_applies(inp):
                continue
            try:
                out = _gcs(inp, gcs_key) if lib == "google-cloud-storage" else fn(inp)
            except Exception as exc:  # a library refusing an input is recorded behaviour
                out = {"error": f"{type(exc).__name__}: {exc}"}
            entries[f"{lib}/{inp['id']}"] = {k: out.get(k) for k in
                                             ("via", "canonical_request", "string_to_sign", "signature", "url",
                                              "error") if out.get(k) is not None}
    return {"format": LOCK_FORMAT, "time": TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "libraries": {k: v for k, v in versions.items()}, "inputs": LOCK_INPUTS,
            "skipped": skipped, "entries": entries}


def read_lock(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SigningInputError(f"{path}: no such lock file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SigningInputError(f"{path}: not a readable JSON lock file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT or not isinstance(data.get("entries"), dict):
        raise SigningInputError(f"{path}: not a hubgate signing lock (expected format {LOCK_FORMAT!r})")
    return data


def _short(v) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 200 else s[:197] + "..."


def compare(locked: dict, now: dict) -> dict:
    """Differences between a lock and a fresh recording. ``changes`` fail; ``warnings`` do not (unless strict)."""
    changes: list[dict] = []
    warnings: list[str] = []
    for lib, v in locked.get("libraries", {}).items():
        if now["libraries"].get(lib) != v:
            warnings.append(f"{lib}: version {v or 'not installed'} -> {now['libraries'].get(lib) or 'not installed'}")
    if locked.get("inputs") != now["inputs"]:
        warnings.append("the lock was recorded for another input set (another hubgate version?): re-record it")
    for entry, old in sorted(locked["entries"].items()):
        lib = entry.split("/", 1)[0]
        new = now["entries"].get(entry)
        if new is None:
            reason = now["skipped"].get(lib, "no such input any more")
            warnings.append(f"{entry}: not re-run ({reason})")
            continue
        for field in sorted(set(old) | set(new)):
            if old.get(field) == new.get(field):
                continue
            a, b = old.get(field), new.get(field)
            line = first_diff(field, a, b) if isinstance(a, str) and isinstance(b, str) and "\n" in a + b else None
            changes.append({"entry": entry, "field": field, "locked": a, "now": b,
                            "diff": line or f"{field}: locked {_short(a)}, now {_short(b)}"})
    for entry in sorted(set(now["entries"]) - set(locked["entries"])):
        warnings.append(f"{entry}: new, not in the lock")
    return {"changes": changes, "warnings": warnings}
