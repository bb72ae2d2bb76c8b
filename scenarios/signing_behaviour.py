"""``hubgate signing behaviour``: what a real S3 server does with each library's presigned GET URLs
(a live check, so it sits with the live scenarios).

The lock (``signing record``) pins what the libraries *produce*; this runs their URLs against a live server
(SeaweedFS by default, started on 127.0.0.1 and stopped by hubgate) and checks what Hub's users rely on:

* ``awkward-key``: for every awkward key of the lock's input set (``LOCK_INPUTS`` ids ``plain``/``key-*``),
  each library's presigned GET is accepted and returns exactly that object's bytes (the control: the same
  URL with a tampered signature must be refused, else the server checks nothing and the result is
  not-enforced);
* ``expired``: a URL signed 120 s ago for 60 s is refused (and the same URL signed now is accepted: the
  control, so a server that accepts everything cannot look like one that enforces expiry);
* ``expires-bounds``: ``X-Amz-Expires`` of 0 and of 604801 (over SigV4's 7-day maximum) are refused by at
  least one layer, and the report says which: the ``signer`` (the library raises before producing a URL)
  or the ``server`` (HTTP 4xx); 604800 (the maximum itself) must be accepted by both.

Results are ``pass``, ``fail`` (the URL did not do what the library's user expects), ``not-enforced``
(nothing refused what should be refused: the server cannot show the property, as moto with its IAM
enforcement off) or ``skipped`` (library not installed). google-cloud-storage signs GOOG4-RSA URLs for
storage.googleapis.com only, so it has no S3 behaviour to check and is reported as skipped with that reason.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from hubgate.signing.lock import LOCK_INPUTS
from hubgate.signing.sigv4 import frozen_botocore_clock

from .probes import http_get as fetch

BUCKET = "hub-behaviour"
#: the keys checked: the lock's own awkward-key inputs (one documented input set for record and behaviour)
KEYS = [i["key"] for i in LOCK_INPUTS if i["id"] == "plain" or i["id"].startswith("key-")]
BOUNDS = {0: "refused", 604800: "accepted", 604801: "refused"}
GCS_REASON = "google-cloud-storage signs GOOG4-RSA-SHA256 URLs for storage.googleapis.com only, not for S3"


@dataclass
class Outcome:
    check: str
    library: str
    subject: str
    result: str  # pass | fail | not-enforced | skipped
    layer: str = ""  # signer | server | none (who refused), for the refusal checks
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


class SignerRefused(Exception):
    """The library raised instead of producing a URL."""


def _error_code(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    if "<Code>" in text:
        return text.split("<Code>", 1)[1].split("</Code>", 1)[0]
    return text[:80].strip()


class _Botocore:
    name = "botocore"

    def __init__(self, backend):
        self.client = backend.client("s3")

    def presign(self, key: str, expires: int, signed_at: _dt.datetime | None = None) -> str:
        def sign() -> str:
            return self.client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key},
                                                      ExpiresIn=expires)

        try:
            if signed_at is None:
                return sign()
            with frozen_botocore_clock(signed_at):
                return sign()
        except Exception as exc:  # botocore's own validation (ParamValidationError...)
            raise SignerRefused(f"{type(exc).__name__}: {exc}") from exc


class _Minio:
    name = "minio"

    def __init__(self, backend):
        from minio import Minio  # deferred: optional extra 'signing' (minio)

        parts = urlsplit(backend.endpoint)
        self.client = Minio(parts.netloc, backend.admin.access_key_id, backend.admin.secret_access_key,
                            session_token=backend.admin.session_token, secure=parts.scheme == "https",
                            region=backend.region)

    def presign(self, key: str, expires: int, signed_at: _dt.datetime | None = None) -> str:
        try:
            return self.client.presigned_get_object(BUCKET, key, expires=_dt.timedelta(seconds=expires),
                                                    request_date=signed_at)
        except Exception as exc:  # minio refuses expiries outside 1 s .. 7 days with ValueError
            raise SignerRefused(f"{type(exc).__name__}: {exc}") from exc


SIGNERS = {"botocore": _Botocore, "minio": _Minio}


def _signers(backend, wanted: list[str] | None) -> tuple[list, list[Outcome]]:
    out, skipped = [], []
    for name, cls in SIGNERS.items():
        if wanted and name not in wanted:
            continue
        try:
            out.append(cls(backend))
        except ImportError as exc:
            skipped.append(Outcome("all", name, "-", "skipped", evidence=[f"not installed ({exc.name})"]))
    if not wanted or "google-cloud-storage" in wanted:
        skipped.append(Outcome("all", "google-cloud-storage", "-", "skipped", evidence=[GCS_REASON]))
    return out, skipped


def _tampered(url: str) -> str:
    head, sig = url.rsplit("X-Amz-Signature=", 1)
    return f"{head}X-Amz-Signature={'0' if sig[0] != '0' else '1'}{sig[1:]}"


def _awkward_keys(signer, stored: dict[str, bytes], listed: set[str]) -> list[Outcome]:
    """Each key's presigned GET; a tampered signature is the control (a server that accepts it proves nothing)."""
    plain = KEYS[0]
    status, _ = fetch(_tampered(signer.presign(plain, 300)))
    if status == 200:
        why = [f"control: the same URL with a tampered signature -> {status}: the server does not check signatures"]
        return [Outcome("awkward-key", signer.name, key, "not-enforced", "none", why) for key in stored]
    outcomes = []
    for key, body in stored.items():
        try:
            url = signer.presign(key, 300)
        except SignerRefused as exc:
            outcomes.append(Outcome("awkward-key", signer.name, key, "fail", "signer",
                                    [f"the library refused to sign: {exc}"]))
            continue
        status, got = fetch(url)
        path = urlsplit(url).path
        ev = [f"GET {path} -> {status}" + ("" if status == 200 else f" {_error_code(got)}")]
        if key not in listed:
            ev.append(f"note: the server lists this key under another name (no {key!r} in the listing; SeaweedFS "
                      "folds '//' and a leading '/'), and reads the request path the same way")
        ok = status == 200 and got == body
        if status == 200 and got != body:
            ev.append(f"body differs: got {got[:60]!r}, stored {body[:60]!r}")
        outcomes.append(Outcome("awkward-key", signer.name, key, "pass" if ok else "fail", evidence=ev))
    return outcomes


def _expired(signer, key: str, body: bytes) -> Outcome:
    now = _dt.datetime.now(_dt.timezone.utc)
    past = now - _dt.timedelta(seconds=120)
    ev = []
    status_now, got = fetch(signer.presign(key, 60, now))
    ev.append(f"control: signed now for 60 s -> {status_now}")
    status_old, old_body = fetch(signer.presign(key, 60, past))
    ev.append(f"signed 120 s ago for 60 s -> {status_old}" + ("" if status_old == 200 else f" {_error_code(old_body)}"))
    if status_now != 200 or got != body:
        return Outcome("expired", signer.name, "60 s, signed 120 s ago", "fail", evidence=ev + [
            "the control URL was not accepted, so expiry cannot be judged"])
    if status_old == 200:
        return Outcome("expired", signer.name, "60 s, signed 120 s ago", "not-enforced", "none",
                       ev + ["the server accepted an expired URL: it cannot show expiry"])
    return Outcome("expired", signer.name, "60 s, signed 120 s ago", "pass", "server", ev)


def _bound(signer, key: str, body: bytes, seconds: int) -> Outcome:
    expect = BOUNDS[seconds]
    subject = f"X-Amz-Expires={seconds}"
    try:
        url = signer.presign(key, seconds)
    except SignerRefused as exc:
        ev = [f"the library refused to sign: {exc}"]
        if expect == "refused":
            return Outcome("expires-bounds", signer.name, subject, "pass", "signer", ev)
        return Outcome("expires-bounds", signer.name, subject, "fail", "signer", ev + ["the 7-day maximum is valid"])
    status, got = fetch(url)
    ev = [f"signed; GET -> {status}" + ("" if status == 200 else f" {_error_code(got)}")]
    accepted = status == 200 and got == body
    if expect == "accepted":
        return Outcome("expires-bounds", signer.name, subject, "pass" if accepted else "fail", "", ev)
    if accepted:
        return Outcome("expires-bounds", signer.name, subject, "not-enforced", "none",
                       ev + ["neither the library nor the server refused it"])
    return Outcome("expires-bounds", signer.name, subject, "pass", "server", ev)


def _store(backend, notes: list[str]) -> tuple[dict[str, bytes], list[Outcome]]:
    """Put every key; the bytes expected back are what the server itself returns to its admin."""
    s3 = backend.client("s3")
    stored: dict[str, bytes] = {}
    refused = []
    for key in KEYS:
        body = f"hubgate:{key}".encode()
        try:
            backend.put_object(BUCKET, key, body)
            stored[key] = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        except ClientError as exc:
            refused.append(Outcome("awkward-key", "-", key, "skipped", evidence=[
                f"the {backend.name} server would not store or return this key: {exc}"]))
            continue
        if stored[key] != body:
            notes.append(f"{backend.name} keeps {len(stored[key])} byte(s) for key {key!r}, not the {len(body)} put "
                         "(SeaweedFS stores a key ending in '/' as a folder); presigned GETs are compared with that")
    return stored, refused


def run(backend, libraries: list[str] | None = None, notes: list[str] | None = None) -> list[Outcome]:
    """Every check with every installed S3 signer against a started ``backend``; server quirks met on the
    way are appended to ``notes``."""
    notes = notes if notes is not None else []
    with backend.presign_mode():
        backend.create_bucket(BUCKET)
        stored, outcomes = _store(backend, notes)
        listed = set()
        for page in backend.client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            listed.update(o["Key"] for o in page.get("Contents", ()) or ())
        signers, skipped = _signers(backend, libraries)
        outcomes += skipped
        plain = KEYS[0]
        for signer in signers:
            outcomes += _awkward_keys(signer, stored, listed)
            outcomes.append(_expired(signer, plain, stored[plain]))
            outcomes += [_bound(signer, plain, stored[plain], s) for s in BOUNDS]
    return outcomes


def summary(outcomes: list[Outcome]) -> dict:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    layers: dict[str, dict[str, str]] = {}
    for o in outcomes:
        if o.check == "expires-bounds" and BOUNDS[int(o.subject.split("=")[1])] == "refused":
            layers.setdefault(o.subject, {})[o.library] = o.layer
    return {"counts": counts, "enforced_by": layers}


def render_text(outcomes: list[Outcome], backend_name: str, verbose: bool = False, notes: list[str] = ()) -> str:
    lines = [f"note: {n}" for n in notes]
    for o in outcomes:
        if o.result == "pass" and not verbose and o.check == "awkward-key":
            continue
        layer = f" [{o.layer}]" if o.layer and o.layer != "none" else ""
        lines.append(f"{o.result.upper():13} {o.library:20} {o.check:15} {o.subject}{layer}")
        if o.result != "pass" or verbose:
            lines += [f"    {e}" for e in o.evidence]
    s = summary(outcomes)
    keys = [o for o in outcomes if o.check == "awkward-key"]
    by = {r: sum(o.result == r for o in keys) for r in ("pass", "fail", "not-enforced", "skipped")}
    lines.append(f"awkward keys on {backend_name}: {by['pass']}/{len(keys)} presigned GETs accepted with the right "
                 "bytes" + "".join(f", {n} {r}" for r, n in by.items() if n and r != "pass"))
    for subject, by in s["enforced_by"].items():
        lines.append(f"{subject} refused by: " + ", ".join(f"{lib} -> {layer or '?'}" for lib, layer in by.items()))
    lines.append(", ".join(f"{n} {r}" for r, n in sorted(s["counts"].items())))
    return "\n".join(lines) + "\n"
