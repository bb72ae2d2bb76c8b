"""GCS V4 signing conformance (googleapis/conformance-tests ``storage/v1/v4_signatures.json``) against
google-cloud-storage, through its public calls: ``Blob.generate_signed_url(version="v4")`` (or the bucket's,
for "List Objects") and ``Client.generate_signed_post_policy_v4``, with the clock frozen at the case's
timestamp. The canonical request the library hashes and the string to sign it signs are recorded on the way.

Each vector is first checked for internal consistency: the hash line of ``expectedStringToSign`` must be the
SHA-256 of ``expectedCanonicalRequest``. Where it is not (upstream case 28, "Universe domain with virtual
hosted style": its canonical request has the path-style path), the canonical request cannot be a valid
expectation: the case is reported ``error`` with reason ``inconsistent-vector``, saying whether the library
matches the URL and string to sign (which agree with each other).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path

from . import CaseResult, SigningInputError, compare_outputs

SIGNER = "google-cloud-storage"
SUITE = "gcs-v4-signatures"


def available() -> bool:
    try:
        return importlib.util.find_spec("google.cloud.storage") is not None
    except ModuleNotFoundError:  # no google / google.cloud namespace at all
        return False


def load(root: Path) -> tuple[dict, dict]:
    tests_path, key_path = root / "v4_signatures.json", root / "test_service_account.not-a-test.json"
    for p in (tests_path, key_path):
        if not p.is_file():
            raise SigningInputError(f"{p}: missing (GCS V4 signing conformance vectors)")
    try:
        tests = json.loads(tests_path.read_text(encoding="utf-8"))
        key = json.loads(key_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SigningInputError(f"{root}: vectors are not valid JSON ({exc})") from None
    if not isinstance(tests, dict) or "signingV4Tests" not in tests:
        raise SigningInputError(f"{tests_path}: no signingV4Tests")
    return tests, key


def _ts(text: str) -> _dt.datetime:
    return _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)


@contextlib.contextmanager
def _patched(ts: _dt.datetime, env: dict[str, str | None]):
    """Freeze ``_NOW`` in the library modules that read it; set env vars; record what is hashed/signed."""
    # deferred: optional extra 'signing' (google-cloud-storage, ~300 ms)
    import google.cloud.storage._signing as sg
    import google.cloud.storage.client as sc

    record: dict = {}
    real_hashlib = sg.hashlib

    class _Hashlib:
        def __getattr__(self, name):
            return getattr(real_hashlib, name)

        @staticmethod
        def sha256(data=b"", *a, **k):
            if data:
                record["canonical_request"] = data.decode("utf-8", "replace")
            return real_hashlib.sha256(data, *a, **k)

    def now(tz=None):
        return ts if tz is None else ts.astimezone(tz)

    saved = {"sg_now": sg._NOW, "sc_now": sc._NOW}
    saved_env = {k: os.environ.get(k) for k in env}
    sg._NOW, sc._NOW, sg.hashlib = now, now, _Hashlib()
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield record
    finally:
        sg._NOW, sc._NOW, sg.hashlib = saved["sg_now"], saved["sc_now"], real_hashlib
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _credentials(key: dict, record: dict, universe: str | None):
    from google.oauth2 import service_account  # deferred: optional extra 'signing' (google-cloud-storage)

    creds = service_account.Credentials.from_service_account_info(key)
    if universe:
        creds = creds.with_universe_domain(universe)
    real_sign = creds.sign_bytes

    def sign_bytes(message):
        record["string_to_sign"] = message.decode("utf-8") if isinstance(message, bytes) else message
        return real_sign(message)

    creds.sign_bytes = sign_bytes
    return creds


def _client(key: dict, creds, case: dict):
    from google.cloud.storage import Client  # deferred: optional extra 'signing' (google-cloud-storage)

    opts = {}
    if case.get("clientEndpoint"):
        opts["api_endpoint"] = case["clientEndpoint"]
    if case.get("universeDomain"):
        opts["universe_domain"] = case["universeDomain"]
    return Client(project=key.get("project_id", "dummy-project-id"), credentials=creds,
                  client_options=opts or None)


def sign_url(case: dict, key: dict) -> dict:
    """Produce the signed URL for one signing case; returns url, canonical_request, string_to_sign."""
    env = {"STORAGE_EMULATOR_HOST": case.get("emulatorHostname")}
    with _patched(_ts(case["timestamp"]), env) as record:
        creds = _credentials(key, record, case.get("universeDomain"))
        client = _client(key, creds, case)
        bucket = client.bucket(case["bucket"])
        target = bucket.blob(case["object"]) if "object" in case else bucket
        kwargs = dict(version="v4", credentials=creds, expiration=_dt.timedelta(seconds=case["expiration"]), method=case["method"],
                      headers=dict(case["headers"]) if case.get("headers") else None,
                      query_parameters=dict(case["queryParameters"]) if case.get("queryParameters") else None)
        style = case.get("urlStyle")
        if style == "VIRTUAL_HOSTED_STYLE":
            kwargs["virtual_hosted_style"] = True
        elif style == "BUCKET_BOUND_HOSTNAME":
            kwargs["bucket_bound_hostname"] = case["bucketBoundHostname"]
            kwargs["scheme"] = case.get("scheme", "http")
        if case.get("hostname"):
            kwargs["api_access_endpoint"] = f"{case.get('scheme', 'https')}://{case['hostname']}"
        url = target.generate_signed_url(**kwargs)
    return {"url": url, **record}


def sign_post_policy(inp: dict, key: dict) -> dict:
    env = {"STORAGE_EMULATOR_HOST": None}
    with _patched(_ts(inp["timestamp"]), env) as record:
        creds = _credentials(key, record, None)
        client = _client(key, creds, {})
        conditions = None
        if inp.get("conditions"):
            conditions = [[re.sub(r"(?<!^)(?=[A-Z])", "-", k).lower(), *v] for k, v in inp["conditions"].items()]
            conditions = [c if c[0] != "starts-with" else ["starts-with", *c[1:]] for c in conditions]
        return client.generate_signed_post_policy_v4(
            inp["bucket"], inp["object"], expiration=_dt.timedelta(seconds=inp["expiration"]),
            conditions=conditions, fields=dict(inp["fields"]) if inp.get("fields") else None, credentials=creds,
            virtual_hosted_style=inp.get("urlStyle") == "VIRTUAL_HOSTED_STYLE",
            bucket_bound_hostname=inp.get("bucketBoundHostname"), scheme=inp.get("scheme", "http"))


def _vector_consistency(case: dict) -> str | None:
    creq, sts = case.get("expectedCanonicalRequest"), case.get("expectedStringToSign")
    if not creq or not sts:
        return None
    carried = sts.rsplit("\n", 1)[-1]
    actual = hashlib.sha256(creq.encode("utf-8")).hexdigest()
    if carried != actual:
        return (f"upstream vector inconsistent: expectedStringToSign carries canonical-request hash "
                f"{carried[:12]}..., but expectedCanonicalRequest hashes to {actual[:12]}...")
    return None


def _explain(case: dict, out: dict) -> str | None:
    """Name the known reasons a google-cloud-storage URL differs from a vector."""
    url = out.get("url") or ""
    if "://" not in url.split("?", 1)[0]:
        return ("the client endpoint has no scheme and google-cloud-storage builds a URL without one (empty "
                "host header); the vector expects the case's scheme to be added")
    m = re.search(r"^host:(.*)$", out.get("canonical_request") or "", re.MULTILINE)
    e = re.search(r"^host:(.*)$", case.get("expectedCanonicalRequest") or "", re.MULTILINE)
    if m and e and m.group(1) != e.group(1) and m.group(1).split(":")[0] == e.group(1):
        return (f"google-cloud-storage signs the host with its port ({m.group(1)}); the conformance vectors sign "
                f"it without ({e.group(1)}): a server that checks the Host header as sent disagrees with one of them")
    return None


def run(root: Path) -> tuple[list[CaseResult], list[str]]:
    tests, key = load(root)
    results: list[CaseResult] = []
    notes: list[str] = []
    have = available()
    if not have:
        notes.append(f"{SUITE}: google-cloud-storage is not installed (pip install 'hubgate[signing]'): "
                     f"every case reported error, none run")
    for i, case in enumerate(tests.get("signingV4Tests", [])):
        res = CaseResult(SUITE, f"signing/{i:02d} {case.get('description', '')}".strip(), SIGNER, "query", "pass")
        results.append(res)
        if not have:
            res.result, res.reason, res.diff = "error", "missing-library", "google-cloud-storage is not installed"
            continue
        try:
            out = sign_url(case, key)
        except Exception as exc:
            res.result, res.diff = "fail", f"{SIGNER} raised {type(exc).__name__}: {exc}"
            continue
        inconsistent = _vector_consistency(case)
        diff_url_sts = compare_outputs([
            ("URL", case.get("expectedUrl"), out.get("url")),
            ("string to sign", case.get("expectedStringToSign"), out.get("string_to_sign")),
        ])
        if inconsistent:
            res.result, res.reason = "error", "inconsistent-vector"
            verdict = ("the library matches expectedUrl and expectedStringToSign, which agree with each other"
                       if not diff_url_sts else f"and the library also differs: {diff_url_sts}")
            crdiff = compare_outputs([("canonical request", case.get("expectedCanonicalRequest"),
                                       out.get("canonical_request"))])
            res.diff = f"{inconsistent}; {crdiff}; {verdict}"
            if diff_url_sts:
                res.result = "fail"
            continue
        diff = compare_outputs([
            ("canonical request", case.get("expectedCanonicalRequest"), out.get("canonical_request")),
            ("URL", case.get("expectedUrl"), out.get("url")),
            ("string to sign", case.get("expectedStringToSign"), out.get("string_to_sign")),
        ])
        if diff:
            res.result, res.diff = "fail", diff
            res.note = _explain(case, out)
    for i, case in enumerate(tests.get("postPolicyV4Tests", [])):
        res = CaseResult(SUITE, f"post-policy/{i:02d} {case.get('description', '')}".strip(), SIGNER,
                         "post-policy", "pass")
        results.append(res)
        if not have:
            res.result, res.reason, res.diff = "error", "missing-library", "google-cloud-storage is not installed"
            continue
        try:
            out = sign_post_policy(case["policyInput"], key)
        except Exception as exc:
            res.result, res.diff = "fail", f"{SIGNER} raised {type(exc).__name__}: {exc}"
            continue
        exp = case["policyOutput"]
        pairs = [("URL", exp.get("url"), out.get("url"))]
        for name, value in exp.get("fields", {}).items():
            pairs.append((f"field {name}", value, out["fields"].get(name)))
        extra = sorted(set(out["fields"]) - set(exp.get("fields", {})))
        # The signed policy may escape non-ASCII (\u00e9) where expectedDecodedPolicy writes it literally:
        # compare as JSON, and as text only after undoing JSON escapes (the upstream runner's unicode_escape).
        decoded = base64.b64decode(out["fields"]["policy"]).decode("utf-8")
        if "expectedDecodedPolicy" in exp:
            same_json = json.loads(decoded) == json.loads(exp["expectedDecodedPolicy"])
            if not same_json:
                pairs.append(("decoded policy", exp["expectedDecodedPolicy"], decoded))
            elif decoded != exp["expectedDecodedPolicy"]:
                res.note = "signed policy escapes non-ASCII (\\u00e9), expectedDecodedPolicy does not: equal as JSON"
        diff = compare_outputs(pairs)
        if not diff and extra:
            diff = f"fields: the library adds {', '.join(extra)} not in the expected output"
        if diff:
            res.result, res.diff = "fail", diff
    return results, notes
