"""SigV4 signing through the installed libraries, with the intermediate values captured.

``sign_botocore`` drives botocore's own signer classes (``SigV4Auth``/``SigV4QueryAuth`` and their S3
variants) through ``add_auth`` with the clock frozen, and records what botocore computed for the
canonical request, the string to sign and the signature (by subclassing, not by re-implementing).
``sign_minio`` does the same for ``minio.signer`` (the functions the Minio client calls), recording
the canonical request and string to sign it hashes and signs.

A raw request (``.req`` / ``request.txt``) is parsed by hand rather than with ``http.server`` so that
request lines the standard library rejects (a space in the path, ``normalize-path/get-space``) still
reach the signer.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import types
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlsplit

from . import SigningInputError

UTC = _dt.timezone.utc
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class Unsupported(Exception):
    """The signer has no way to express this case (reported as ``error``, reason ``unsupported``)."""


@dataclass
class RawRequest:
    method: str
    target: str  # request target as written: path and optional ?query
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str | None:
        return self.target.split("?", 1)[1] if "?" in self.target else None

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v.strip()
        return None


def parse_raw_request(text: str, where: str) -> RawRequest:
    """Parse ``METHOD target HTTP/1.1``, header lines (folded continuation lines joined), blank line, body."""
    text = text.replace("\r\n", "\n")
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    first = lines[0]
    method, _, rest = first.partition(" ")
    target, _, version = rest.rpartition(" ")
    if not method or not target or not version.startswith("HTTP/"):
        raise SigningInputError(f"{where}: malformed request line {first!r} (expected 'METHOD /path HTTP/1.1')")
    headers: list[tuple[str, str]] = []
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        if line[0] in " \t":
            if not headers:
                raise SigningInputError(f"{where}: line {n}: continuation line before any header")
            k, v = headers[-1]
            headers[-1] = (k, v + " " + line)
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise SigningInputError(f"{where}: line {n}: malformed header line {line!r}")
        headers.append((name, value))
    if not any(k.lower() == "host" for k, _ in headers):
        raise SigningInputError(f"{where}: no Host header")
    return RawRequest(method, target, headers, body.encode("utf-8") if sep else b"")


@dataclass
class Context:
    """What a SigV4 case is signed with (aws-c-auth's ``context.json`` fields)."""

    access_key: str
    secret_key: str
    region: str
    service: str
    timestamp: _dt.datetime
    token: str | None = None
    expires: int = 3600
    normalize: bool = True
    sign_body: bool = False
    scheme: str = "https"


@dataclass
class Signature:
    """The four values of a SigV4 signing: what a signer outputs and what a test case expects."""

    canonical_request: str | None = None
    string_to_sign: str | None = None
    signature: str | None = None
    authorization: str | None = None


@dataclass
class SignOutput(Signature):
    url: str | None = None
    notes: list[str] = field(default_factory=list)


def amz_date(ts: _dt.datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# ----------------------------------------------------------------------------------------------- botocore


@contextlib.contextmanager
def frozen_botocore_clock(ts: _dt.datetime):
    """Make botocore's signers see ``ts`` as now (``get_current_datetime`` or, in older versions, utcnow)."""
    import botocore.auth as ba  # deferred: botocore (~100 ms) only when it signs

    naive = ts.astimezone(UTC).replace(tzinfo=None)
    if hasattr(ba, "get_current_datetime"):
        saved = ba.get_current_datetime
        ba.get_current_datetime = lambda *a, **k: naive
        try:
            yield
        finally:
            ba.get_current_datetime = saved
    else:  # pragma: no cover - botocore before get_current_datetime
        class _Frozen(_dt.datetime):
            @classmethod
            def utcnow(cls):
                return naive

            @classmethod
            def now(cls, tz=None):
                return naive if tz is None else naive.replace(tzinfo=UTC).astimezone(tz)

        saved = ba.datetime
        ba.datetime = types.SimpleNamespace(**{**vars(_dt), "datetime": _Frozen})
        try:
            yield
        finally:
            ba.datetime = saved


def _recording(cls):
    """A subclass of a botocore signer class that keeps what the library computed."""

    class Recording(cls):
        record: dict

        def canonical_request(self, request):
            out = super().canonical_request(request)
            self.record["canonical_request"] = out
            return out

        def string_to_sign(self, request, canonical_request):
            out = super().string_to_sign(request, canonical_request)
            self.record["string_to_sign"] = out
            return out

        def signature(self, string_to_sign, request):
            out = super().signature(string_to_sign, request)
            self.record["signature"] = out
            return out

    Recording.__name__ = "Recording" + cls.__name__
    return Recording


def botocore_classes(service: str, mode: str):
    import botocore.auth as ba  # deferred: botocore (~100 ms) only when it signs

    if service == "s3":
        return ba.S3SigV4Auth if mode == "header" else ba.S3SigV4QueryAuth
    return ba.SigV4Auth if mode == "header" else ba.SigV4QueryAuth


UNNORMALISED_NOTE = (
    "botocore has no switch for path normalisation (it normalises for every service but s3): signed with "
    "its SigV4 signer for this service with the normalisation step left out, as its S3 signers leave it out; "
    "the service's URI encoding is kept")

FORM_BODY_NOTE = (
    "botocore's presigner (SigV4QueryAuth) moves a form-urlencoded body into the query string, as AWS "
    "query-protocol APIs take their parameters, and signs an empty payload (dropping a Content-Type of "
    "'application/x-www-form-urlencoded; charset=utf-8'); a vector that keeps the body and signs its hash "
    "differs from it there")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _unnormalised(cls):
    """``cls`` (a non-S3 botocore signer) with path normalisation left out, as ``S3SigV4Auth`` leaves it
    out. ``SigV4Auth._normalize_url_path`` is ``quote(normalize_url_path(path), safe='/~')``: the quoting
    (the second encoding every service but S3 applies) is kept, the dot-segment and slash removal is not."""

    class Unnormalised(cls):
        def _normalize_url_path(self, path):
            return quote(path, safe="/~")

    Unnormalised.__name__ = "Unnormalised" + cls.__name__
    return Unnormalised


def is_form_body(req: RawRequest) -> bool:
    ctype = (req.header("content-type") or "").split(";", 1)[0].strip().lower()
    return ctype == FORM_CONTENT_TYPE and bool(req.body)


def _form_pairs(req: RawRequest) -> list[tuple[str, str]]:
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError:
        raise SigningInputError("form-urlencoded request body is not UTF-8") from None
    return parse_qsl(text, keep_blank_values=True)


def sign_botocore(req: RawRequest, ctx: Context, mode: str, params_as: str = "pairs") -> SignOutput:
    """Sign ``req`` with botocore. ``params_as``: how the query reaches botocore, ``pairs`` (an ordered list
    of ``(key, value)``, repeated keys kept) or ``dict`` (one value per key, as botocore's own test runner
    and most callers build it)."""
    # deferred: botocore (~100 ms) only when it signs
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    # botocore normalises paths (dot segments, repeated slashes) exactly when it signs for a service
    # other than s3; it has no switch for either. Unnormalised cases for another service are signed the
    # way S3 is signed (no normalisation); a normalised S3 case has no botocore equivalent.
    cls = botocore_classes(ctx.service, mode)
    notes = []
    if ctx.normalize and ctx.service == "s3":
        raise Unsupported("botocore never normalizes the path for s3; this case wants normalize=true for s3")
    if not ctx.normalize and ctx.service != "s3":
        cls = _unnormalised(cls)
        notes.append(UNNORMALISED_NOTE)
    host = req.header("host")
    data = req.body or None
    if mode == "query" and is_form_body(req):
        # botocore's presigner reads a body as the request's parameters: a mapping (what its query-protocol
        # serializer builds from a form) or JSON text. A form body is handed over as its (key, value) pairs.
        pairs = _form_pairs(req)
        data = dict(pairs) if params_as == "dict" else pairs
        notes.append(FORM_BODY_NOTE)
    request = AWSRequest(method=req.method, url=f"{ctx.scheme}://{host}{req.path}", data=data)
    for k, v in req.headers:
        request.headers[k] = v
    if ctx.sign_body and mode == "header" and ctx.service != "s3":
        # aws-c-auth's sign_body: the payload hash goes into an x-amz-content-sha256 header too.
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(req.body).hexdigest()
    if req.query is not None:
        pairs = parse_qsl(req.query, keep_blank_values=True)
        request.params = dict(pairs) if params_as == "dict" else pairs
    cls = _recording(cls)
    creds = Credentials(ctx.access_key, ctx.secret_key, ctx.token)
    auth = cls(creds, ctx.service, ctx.region, ctx.expires) if mode == "query" else cls(creds, ctx.service, ctx.region)
    auth.record = {}
    with frozen_botocore_clock(ctx.timestamp):
        auth.add_auth(request)
    r = auth.record
    return SignOutput(
        canonical_request=r.get("canonical_request"),
        string_to_sign=r.get("string_to_sign"),
        signature=r.get("signature"),
        authorization=request.headers.get("Authorization"),
        url=request.url if mode == "query" else None,
        notes=notes,
    )


# ----------------------------------------------------------------------------------------------- minio


@contextlib.contextmanager
def minio_recorder():
    """Record the canonical request minio hashes and the string to sign it signs (module attributes of
    ``minio.signer`` wrapped for the duration, restored after)."""
    import minio.signer as ms  # deferred: optional extra 'signing' (minio)

    record: dict = {}
    saved_hash, saved_sts = ms.sha256_hash, ms._get_string_to_sign

    def hash_(data):
        if isinstance(data, str) and "\n" in data:
            record["canonical_request"] = data
        return saved_hash(data)

    def sts(*a, **k):
        out = saved_sts(*a, **k)
        record["string_to_sign"] = out
        return out

    ms.sha256_hash, ms._get_string_to_sign = hash_, sts
    try:
        yield record
    finally:
        ms.sha256_hash, ms._get_string_to_sign = saved_hash, saved_sts


def sign_minio(req: RawRequest, ctx: Context, mode: str) -> SignOutput:
    """Sign ``req`` with ``minio.signer.sign_v4_s3`` / ``presign_v4`` (S3 only). The path and query must be
    already percent-encoded, as the Minio client passes them; the headers are the ones the Minio client adds
    itself (``Host``, ``x-amz-date``, ``x-amz-content-sha256``, ``X-Amz-Security-Token``) plus the request's."""
    # deferred: optional extra 'signing' (minio)
    import minio.signer as ms
    from minio.credentials import Credentials

    if ctx.service != "s3":
        raise Unsupported(f"minio-py signs only for service s3, not {ctx.service!r}")
    if ctx.normalize:
        raise Unsupported("minio-py never normalizes the path (S3 semantics); this case wants normalize=true")
    host = req.header("host")
    creds = Credentials(ctx.access_key, ctx.secret_key, ctx.token)
    date = ctx.timestamp.astimezone(UTC)
    if mode == "header":
        url = urlsplit(f"{ctx.scheme}://{host}{req.target}")
        body_hash = hashlib.sha256(req.body).hexdigest()
        headers: dict = {}
        for k, v in req.headers:
            if k.lower() in headers:
                prev = headers[k.lower()]
                headers[k.lower()] = (prev if isinstance(prev, list) else [prev]) + [v]
            else:
                headers[k.lower()] = v
        headers.update({"x-amz-date": amz_date(date), "x-amz-content-sha256": body_hash})
        if ctx.token:
            headers["x-amz-security-token"] = ctx.token
        with minio_recorder() as rec:
            out = ms.sign_v4_s3(method=req.method, url=url, region=ctx.region, headers=headers,
                                credentials=creds, content_sha256=body_hash, date=date)
        auth = out["Authorization"]
        return SignOutput(rec.get("canonical_request"), rec.get("string_to_sign"), auth.rsplit("Signature=", 1)[-1],
                          authorization=auth)
    query = req.query or ""
    if ctx.token:
        query = (query + "&" if query else "") + "X-Amz-Security-Token=" + quote(ctx.token, safe="-_.~")
    url = urlsplit(f"{ctx.scheme}://{host}{req.path}" + (f"?{query}" if query else ""))
    with minio_recorder() as rec:
        signed = ms.presign_v4(method=req.method, url=url, region=ctx.region, credentials=creds, date=date,
                               expires=ctx.expires)
    signed_url = signed.geturl()
    return SignOutput(rec.get("canonical_request"), rec.get("string_to_sign"),
                      signed_url.rsplit("X-Amz-Signature=", 1)[-1], url=signed_url)


SIGNERS = {"botocore": sign_botocore, "minio": sign_minio}
LIBRARY_OF = {"botocore": "botocore", "minio": "minio"}
