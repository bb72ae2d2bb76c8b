"""Import manifests (DESIGN §1 ``manifest:``, §5 HG501..): a streaming validator and a safe rewriter.

The manifest is a JSON array of assets ``{"data": URL, "externalId": ..., "width"?, "height"?, ...}``
and may hold millions of entries ("There is no upper bound to the number of assets"). It is read
incrementally: for S3 integrations the common asset shape is settled straight from the raw bytes
(:mod:`hubgate.manifest_scan`), everything else is parsed with ``ijson`` (its C backend ``yajl2_c``);
the results are the same either way (tested). Nothing keeps the whole file, and duplicate ``externalId``
detection keeps only an 8-byte hash and the first index per id in a flat open-addressing table (12 bytes
a slot), not the ids themselves. Findings go to a sink as they are found (the CLI streams them out).

URL analysis (:func:`analyse`) is shared by the validator, the rule documentation and
``hubgate manifest fix``: it names the bucket, region and key a URL stands for, the problems with its
form, and the canonical virtual-hosted (S3) or path (GCS) URL for the same object.
"""

from __future__ import annotations

import math
import re
import time
from array import array
from collections import Counter
from itertools import chain, count, islice, repeat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote, unquote_to_bytes

from .errors import InputError
from .findings import Finding

try:  # the C backend is ~20x faster than the pure-Python one
    import ijson

    try:
        _IJSON = ijson.get_backend("yajl2_c")
    except Exception:  # pragma: no cover - depends on the ijson build
        _IJSON = ijson
except ImportError:  # pragma: no cover - ijson is a declared dependency
    ijson = None
    _IJSON = None

# ---------------------------------------------------------------------------------------------
# Rule ids (stable, DESIGN §5). The rule classes with their documentation are in checks/manifest.py.

NOT_ARRAY = "HG501"
NOT_OBJECT = "HG502"
DATA_MISSING = "HG503"
NOT_HTTPS = "HG504"
NOT_VIRTUAL_HOSTED = "HG505"
REGION_MISSING = "HG506"
BAD_ESCAPE = "HG507"
NOT_UTF8 = "HG508"
RAW_CHARS = "HG509"
PLUS_IN_KEY = "HG510"
EXTERNAL_ID = "HG511"
DUPLICATE_ID = "HG512"
DIMENSIONS = "HG513"
FIELD_TYPES = "HG514"
BUCKET_UNREACHABLE = "HG515"
BUCKET_NO_CORS = "HG516"
REGION_DIFFERS = "HG517"

SEVERITY = {
    NOT_ARRAY: "error",
    NOT_OBJECT: "error",
    DATA_MISSING: "error",
    NOT_HTTPS: "error",
    NOT_VIRTUAL_HOSTED: "error",
    REGION_MISSING: "warning",
    BAD_ESCAPE: "error",
    NOT_UTF8: "error",
    RAW_CHARS: "error",
    PLUS_IN_KEY: "error",
    EXTERNAL_ID: "error",
    DUPLICATE_ID: "error",
    DIMENSIONS: "error",
    FIELD_TYPES: "error",
    BUCKET_UNREACHABLE: "error",
    BUCKET_NO_CORS: "error",
    REGION_DIFFERS: "error",
}

DEFAULT_REGION = "us-east-1"

# ---------------------------------------------------------------------------------------------
# URL analysis

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(//([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?", re.S)
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_HOSTS: list[tuple[str, re.Pattern]] = [
    # (style, pattern) -- first match wins; "b" = bucket in the host, "r" = region
    ("virtual", re.compile(rf"(?P<b>.+)\.s3\.(?P<r>{_REGION})\.amazonaws\.com(?P<cn>\.cn)?")),
    ("virtual-noregion", re.compile(r"(?P<b>.+)\.s3\.amazonaws\.com")),
    ("virtual-external-1", re.compile(r"(?P<b>.+)\.s3-external-1\.amazonaws\.com")),
    ("virtual-dash", re.compile(rf"(?P<b>.+)\.s3-(?P<r>{_REGION})\.amazonaws\.com")),
    ("virtual-dualstack", re.compile(rf"(?P<b>.+)\.s3\.dualstack\.(?P<r>{_REGION})\.amazonaws\.com")),
    ("virtual-website", re.compile(rf"(?P<b>.+)\.s3-website[.\-](?P<r>{_REGION})\.amazonaws\.com")),
    ("path", re.compile(rf"s3\.(?P<r>{_REGION})\.amazonaws\.com(?P<cn>\.cn)?")),
    ("path-noregion", re.compile(r"s3\.amazonaws\.com")),
    ("path-external-1", re.compile(r"s3-external-1\.amazonaws\.com")),
    ("path-dash", re.compile(rf"s3-(?P<r>{_REGION})\.amazonaws\.com")),
    ("path-dualstack", re.compile(rf"s3\.dualstack\.(?P<r>{_REGION})\.amazonaws\.com")),
    ("gcs", re.compile(r"storage\.googleapis\.com")),
    ("gcs-browser", re.compile(r"storage\.cloud\.google\.com")),
    ("gcs-virtual", re.compile(r"(?P<b>.+)\.storage\.googleapis\.com")),
    # Azure Blob: https://<account>.blob.core.windows.net/<container>/<blob>; the container takes the bucket's place
    ("azure-blob", re.compile(r"(?P<acct>[a-z0-9]{3,24})\.blob\.core\.windows\.net")),
]
_HOST_STYLES: dict[str, tuple[str, dict] | None] = {}


def _host_style(host: str) -> tuple[str, dict] | None:
    """(style, named groups) of the first :data:`_HOSTS` pattern the host matches, or None; memoised (a
    manifest names a few hosts many times)."""
    try:
        return _HOST_STYLES[host]
    except KeyError:
        pass
    found = None
    for style, pat in _HOSTS:
        hm = pat.fullmatch(host)
        if hm:
            found = (style, hm.groupdict())
            break
    if len(_HOST_STYLES) < 4096:
        _HOST_STYLES[host] = found
    return found


# the URL form each bundle provider uses (a mismatch is one HG505 finding, no bucket-level findings on top)
_URL_PROVIDER = {"aws": "s3", "s3-compatible": "s3", "gcp": "gcs", "azure": "azure"}
# A correct virtual-hosted URL whose key needs no further look (the validator's fast path).
# (The bucket part has no dots, so the match does not backtrack; dotted buckets take the slow path.)
_FAST_S3 = re.compile(
    rf"https://([a-z0-9][a-z0-9\-]*)\.s3\.({_REGION})\.amazonaws\.com/[A-Za-z0-9\-._~!$&'()*,;=:@/]+"
)
_FAST_GCS = re.compile(r"https://storage\.googleapis\.com/([a-z0-9][a-z0-9._\-]*[a-z0-9])/([A-Za-z0-9\-._~!$&'()*,;=:@/]+)")
# A virtual-hosted URL with %XX escapes (and nothing else to judge): clean when the escapes decode to UTF-8.
_FAST_S3_PCT = re.compile(
    rf"https://([a-z0-9][a-z0-9\-]*)\.s3\.({_REGION})\.amazonaws\.com/((?:[A-Za-z0-9\-._~!$&'()*,;=:@/]|%[0-9A-Fa-f]{{2}})+)"
)
# Characters a path may hold raw (RFC 3986 pchar and "/"), '%' handled apart, '+' judged apart.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*,;=:@/")
_HEX = frozenset("0123456789abcdefABCDEF")
_SAFE_RUN = re.compile(r"[A-Za-z0-9\-._~!$&'()*,;=:@/]+")
_KEY_CLEAN = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*,;=:@/]++|%[0-9A-Fa-f]{2})*+")  # possessive: no backtracking
# For a batch of URLs joined by newlines (as UTF-8): "." for a _FAST_S3 key character, "#" for any other byte.
_URL_MARKS = bytes(10 if c == 10 else 46 if chr(c) in _SAFE else 35 for c in range(256))


@dataclass
class Problem:
    rule: str
    message: str
    fixable: bool = True


@dataclass
class Analysis:
    """What a manifest URL stands for, what is wrong with its form, and its canonical form."""

    url: str
    provider: str | None = None  # "s3" | "gcs" | None (not a storage URL hubgate understands)
    style: str | None = None
    bucket: str | None = None
    region: str | None = None  # region written in the URL (None when absent)
    raw_key: str = ""
    query: str = ""
    problems: list[Problem] = field(default_factory=list)
    canonical: str | None = None  # None when no rewrite is possible

    def key(self) -> str | None:
        """The object key Hub will request (percent-decoded; '+' stays a literal plus), or None."""
        try:
            return unquote_to_bytes(self.raw_key).decode("utf-8")
        except UnicodeDecodeError:
            return None

    @property
    def fixable(self) -> bool:
        return self.canonical is not None and all(p.fixable for p in self.problems)


def _short(s: str, n: int = 120) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


_QUOTED: dict[str, str] = {}  # a character -> its UTF-8 percent-encoding (memo of urllib's quote)


def encode_key(raw: str, literal_plus: bool = False) -> tuple[str, list[Problem]]:
    """The key percent-encoded as Hub expects, and the key problems found on the way.

    Valid escapes are kept; a '%' that starts no escape is a literal percent (``%25``); spaces and other
    characters that may not appear raw are UTF-8 percent-encoded; '+' is kept unless ``literal_plus``.
    """
    if _KEY_CLEAN.fullmatch(raw) is not None:  # nothing to encode: safe characters and %XX escapes
        if "%" in raw:
            try:
                unquote_to_bytes(raw).decode("utf-8")
            except UnicodeDecodeError:
                return raw, [Problem(NOT_UTF8, f"key {_short(raw)!r} has percent escapes that are not UTF-8",
                                     fixable=False)]
        return raw, []
    out: list[str] = []
    problems: list[Problem] = []
    bad_pct = raw_seen = plus = False
    raw_chars: list[str] = []
    i, n = 0, len(raw)
    safe_run = _SAFE_RUN.match
    while i < n:
        m = safe_run(raw, i)
        if m is not None:  # a run of characters kept as they are
            out.append(m.group())
            i = m.end()
            continue
        c = raw[i]
        if c == "%":
            if i + 2 < n and raw[i + 1] in _HEX and raw[i + 2] in _HEX:
                out.append(raw[i : i + 3])
                i += 3
                continue
            bad_pct = True
            out.append("%25")
        elif c == "+":
            plus = True
            out.append("%2B" if literal_plus else "+")
        else:
            raw_seen = True
            if c not in raw_chars:
                raw_chars.append(c)
            q = _QUOTED.get(c)
            if q is None:
                q = quote(c, safe="", encoding="utf-8", errors="surrogatepass")
                if len(_QUOTED) < 4096:
                    _QUOTED[c] = q
            out.append(q)
        i += 1
    enc = "".join(out)
    if bad_pct:
        problems.append(Problem(BAD_ESCAPE, f"key {_short(raw)!r} has a '%' that starts no %XX escape"))
    if raw_seen:
        shown = ", ".join("space" if c == " " else repr(c) for c in raw_chars[:5])
        problems.append(Problem(RAW_CHARS, f"key {_short(raw)!r} holds characters that must be percent-encoded ({shown})"))
    if "%" in raw or not raw.isascii():  # escapes kept as written, or a lone surrogate encoded: both may not be UTF-8
        try:
            unquote_to_bytes(enc).decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(NOT_UTF8, f"key {_short(raw)!r} has percent escapes that are not UTF-8",
                                    fixable=False))
    if plus and not literal_plus:
        problems.append(Problem(
            PLUS_IN_KEY, f"key {_short(raw)!r} contains '+', which Hub reads as a literal plus, not a space",
            fixable=False,
        ))
    return enc, problems


def analyse(
    url: str,
    region_for: Callable[[str], str | None] | None = None,
    provider: str | None = None,
    literal_plus: bool = False,
) -> Analysis:
    """Analyse one manifest URL.

    ``region_for(bucket)`` gives the bucket's known region (bundle or --region) or None; ``provider`` is the
    bundle's provider (``aws``, ``gcp``, ...) or None when no bundle is known.
    """
    a = Analysis(url)
    # leading whitespace cannot belong to the key; a trailing space may (it is encoded), a trailing newline not
    text = url.lstrip(" \t\r\n").rstrip("\t\r\n")
    if text != url:
        a.problems.append(Problem(RAW_CHARS, f"URL {_short(url)!r} has leading whitespace or a trailing line break"))
    m = _URL.fullmatch(text)
    if not m:
        a.problems.append(Problem(NOT_HTTPS, f"{_short(url)!r} is not an absolute URL", fixable=False))
        return a
    scheme, authority, host, path, query, frag = m.group(1).lower(), m.group(2), m.group(3) or "", m.group(4), m.group(5), m.group(6)
    a.query = query or ""
    if frag:  # a raw '#' cuts the key short in a browser; in a manifest it is part of the key (and must be %23)
        path += frag
    host = host.lower().rsplit("@", 1)[-1]
    if ":" in host:
        host = host.split(":", 1)[0]
    if scheme in ("s3", "gs") and authority:
        a.provider, a.bucket, a.raw_key = ("s3" if scheme == "s3" else "gcs"), host, path.lstrip("/")
        a.style = scheme + "-uri"
        a.problems.append(Problem(NOT_HTTPS, f"URL {_short(url)!r} uses {scheme}://, not https://"))
    elif scheme in ("http", "https") and authority:
        if scheme == "http":
            a.problems.append(Problem(NOT_HTTPS, f"URL {_short(url)!r} uses http://, not https://"))
        known = _host_style(host)
        if known is not None:
            style, gd = known
            a.style = style
            a.provider = "gcs" if style.startswith("gcs") else "azure" if style.startswith("azure") else "s3"
            if gd.get("r"):
                a.region = gd["r"]
            elif style.endswith("external-1"):
                a.region = DEFAULT_REGION
            if gd.get("b"):
                a.bucket, a.raw_key = gd["b"], path[1:] if path.startswith("/") else path
            else:
                seg = path.lstrip("/")
                a.bucket, _, a.raw_key = seg.partition("/")
                a.bucket = a.bucket or None
        else:
            if provider == "s3-compatible":  # a custom endpoint: its URL form is not the docs' to judge
                return a
            a.problems.append(Problem(
                NOT_VIRTUAL_HOSTED,
                f"URL {_short(url)!r} is on host {host!r}, not in the form https://<bucket>.s3.<region>.amazonaws.com/<key>",
                fixable=False,
            ))
            return a
    else:
        a.problems.append(Problem(NOT_HTTPS, f"URL {_short(url)!r} uses {scheme}:, not https://", fixable=False))
        return a

    if not a.bucket:
        a.problems.append(Problem(DATA_MISSING, f"URL {_short(url)!r} names no bucket", fixable=False))
        return a
    if a.style not in ("virtual", "virtual-noregion", "gcs", "s3-uri", "gs-uri", "azure-blob"):
        want = "https://storage.googleapis.com/<bucket>/<object>" if a.provider == "gcs" else \
            "https://<bucket>.s3.<region>.amazonaws.com/<key>"
        a.problems.append(Problem(NOT_VIRTUAL_HOSTED, f"URL {_short(url)!r} is {_STYLE_NAMES[a.style]}, not {want}"))
    if provider is not None:
        if provider == "gcp" and a.provider == "s3":
            a.problems.append(Problem(NOT_VIRTUAL_HOSTED, f"URL {_short(url)!r} is an S3 URL but the integration is GCP",
                                      fixable=False))
        elif provider in ("aws", "s3-compatible") and a.provider == "gcs":
            a.problems.append(Problem(NOT_VIRTUAL_HOSTED, f"URL {_short(url)!r} is a GCS URL but the integration is {provider}",
                                      fixable=False))
        elif provider == "azure" and a.provider != "azure":
            a.problems.append(Problem(NOT_VIRTUAL_HOSTED, f"URL {_short(url)!r} is not an Azure Blob URL "
                                      f"(https://<account>.blob.core.windows.net/<container>/<blob>)", fixable=False))
        elif provider != "azure" and a.provider == "azure":
            a.problems.append(Problem(NOT_VIRTUAL_HOSTED, f"URL {_short(url)!r} is an Azure Blob URL but the integration "
                                      f"is {provider}", fixable=False))
    if not a.raw_key:
        a.problems.append(Problem(DATA_MISSING, f"URL {_short(url)!r} names no object (empty key)", fixable=False))
    enc, key_problems = encode_key(a.raw_key, literal_plus)
    a.problems += key_problems

    if a.provider == "gcs":
        a.canonical = f"https://storage.googleapis.com/{a.bucket}/{enc}{a.query}"
        return a
    if a.provider == "azure":  # no region in Azure Blob URLs
        a.canonical = f"https://{host}/{a.bucket}/{enc}{a.query}"
        return a
    known = region_for(a.bucket) if region_for else None
    region = a.region or known
    if a.region is None and a.style in ("s3-uri",) and known:
        pass  # the https rewrite (HG504) adds the region; no second finding
    elif a.region is None and a.style not in ("virtual-external-1", "path-external-1"):
        a.problems.append(Problem(
            REGION_MISSING,
            f"URL {_short(url)!r} has no region: Hub assumes {DEFAULT_REGION}"
            + (f", but bucket {a.bucket!r} is in {known}" if known and known != DEFAULT_REGION else ""),
            fixable=known is not None,
        ))
    elif known and a.region and known != a.region:
        a.problems.append(Problem(
            REGION_DIFFERS, f"URL {_short(url)!r} names region {a.region} but bucket {a.bucket!r} is in {known}"
        ))
        region = known
    cn = ".cn" if region and region.startswith("cn-") else ""
    host = f"{a.bucket}.s3.{region}.amazonaws.com{cn}" if region else f"{a.bucket}.s3.amazonaws.com"
    a.canonical = f"https://{host}/{enc}{a.query}"
    return a


_STYLE_NAMES = {
    "virtual-external-1": "a legacy s3-external-1 endpoint",
    "virtual-dash": "a legacy dash-region endpoint (s3-<region>)",
    "virtual-dualstack": "a dual-stack endpoint",
    "virtual-website": "a static-website endpoint (no HTTPS, no signed URLs)",
    "path": "path-style (https://s3.<region>.amazonaws.com/<bucket>/<key>)",
    "path-noregion": "path-style (https://s3.amazonaws.com/<bucket>/<key>)",
    "path-external-1": "path-style on the legacy s3-external-1 endpoint",
    "path-dash": "path-style on a legacy dash-region endpoint",
    "path-dualstack": "path-style on a dual-stack endpoint",
    "gcs-browser": "a storage.cloud.google.com browser URL",
    "gcs-virtual": "a virtual-hosted GCS URL",
}


def decode(url: str) -> tuple[str | None, str | None, str | None]:
    """(bucket, region, key) a URL names as Hub reads it: region None when absent, key percent-decoded."""
    a = analyse(url)
    return a.bucket, (a.region or (DEFAULT_REGION if a.provider == "s3" else None)), a.key()


# ---------------------------------------------------------------------------------------------
# Streaming input


class _Reader:
    """A binary file wrapper that counts bytes and remembers the last chunk (for error offsets)."""

    def __init__(self, raw, start: int = 0):
        self.raw = raw
        self.pos = start
        self.chunk = b""
        self.chunk_start = start

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.chunk_start = self.pos
        self.chunk = data
        self.pos += len(data)
        return data


def _error_offset(exc: Exception, reader: _Reader) -> int:
    """The byte offset of a yajl parse error: located from the error's context snippet in the last chunk."""
    msg = exc.args[0] if exc.args else ""
    if isinstance(msg, str):
        msg = msg.encode("utf-8", "surrogateescape")
    if not isinstance(msg, bytes):
        return reader.pos
    lines = msg.split(b"\n")
    if len(lines) < 3 or b"(right here)" not in lines[2]:
        return reader.pos
    arrow = lines[2].find(b"^")
    snippet = lines[1]
    before, after = snippet[:arrow], snippet[arrow:]
    chunk = reader.chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    if not chunk:
        return reader.pos
    # yajl pads with spaces so that the arrow sits under the offending byte; text starts at most 30 before it
    for take in range(min(30, len(before)), -1, -1):
        pat = before[len(before) - take:] + after
        if take < 30:  # fewer than 30 bytes before the error: it is that close to the chunk start
            if chunk.startswith(pat) or (not after and chunk[:take] == pat):
                return reader.chunk_start + take
            continue
        hits = [m.start() for m in re.finditer(re.escape(pat), chunk)]
        if len(hits) == 1:
            return reader.chunk_start + hits[0] + take
    return reader.pos


def _problem_of(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    return str(msg).split("\n", 1)[0].strip().rstrip(".") or type(exc).__name__


class ManifestError(InputError):
    """Malformed JSON partway through a manifest (exit 2); findings before it are still reported."""

    def __init__(self, file: str, offset: int, problem: str):
        self.offset = offset
        super().__init__(file, f"malformed JSON at byte {offset}: {problem}")


class _Prefixed:
    """A binary file whose first read starts with ``prefix`` (to resume parsing in the middle of an array)."""

    def __init__(self, prefix: bytes, raw):
        self.prefix = prefix
        self.raw = raw

    def read(self, n: int = -1) -> bytes:
        if self.prefix and n:  # ijson first reads 0 bytes to learn the type: the prefix waits for real reads
            head, self.prefix = self.prefix, b""
            return head + self.raw.read(max(n - len(head), 0) if n >= 0 else -1)
        return self.raw.read(n)


# Resuming after a top-level comma: the parser is fed this, then the rest of the file, so that it is in the
# state it would be in after that comma (a "]" next is still an error); the sentinel element is dropped.
RESUME_PREFIX = b"[0,"


def _array_start(raw, shown: str) -> tuple[int, int]:
    """(length of the UTF-8 BOM, offset of the opening ``[``) of a manifest read from ``raw``'s start;
    ``NotArray`` or ``ManifestError`` when there is no array."""
    head = raw.read(4096)
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    body = head[bom:].lstrip()
    if not body:
        raise ManifestError(shown, len(head), "the file is empty")
    first = body[:1]
    if first != b"[":
        kind = {b"{": "an object", b'"': "a string"}.get(first, "not an array")
        raise NotArray(shown, kind)
    return bom, len(head) - len(body)


def _open(path: Path, shown: str):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(shown, exc.strerror or str(exc)) from None


def _open_items(path: Path, shown: str, resume: int | None = None):
    """(file, reader, items iterator) for the elements of the manifest's top-level array.

    ``resume``: an offset just after a top-level comma; the items iterator then starts with a sentinel
    element (from ``RESUME_PREFIX``) that the caller drops, and the elements after the comma follow.
    """
    raw = _open(path, shown)
    try:
        if _IJSON is None:  # pragma: no cover
            raise InputError(shown, "the ijson package is needed to read manifests (pip install ijson)")
        if resume is None:
            bom, _ = _array_start(raw, shown)
            raw.seek(bom)
            reader = _Reader(raw, bom)
        else:
            raw.seek(resume)
            reader = _Reader(_Prefixed(RESUME_PREFIX, raw), resume - len(RESUME_PREFIX))
        return raw, reader, _IJSON.items(reader, "item", use_float=True, buf_size=_BUF_SIZE)
    except BaseException:
        raw.close()
        raise


_BUF_SIZE = 64 * 1024  # ijson's read size (the last chunk is kept to locate errors)


def _malformed(shown: str, exc: Exception, reader: _Reader) -> ManifestError:
    if isinstance(exc, ijson.JSONError):
        offset, problem = _error_offset(exc, reader), _problem_of(exc)
        if "invalid char" in problem and offset > 0:  # yajl has consumed the offending byte
            offset -= 1
        return ManifestError(shown, offset, problem)
    return ManifestError(shown, reader.pos, str(exc))


def iter_assets(path: Path, shown: str, progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Any]]:
    """(index, asset) for each element of the manifest's top-level array, read incrementally.

    Raises ``InputError`` when the file cannot be read, ``ManifestError`` on malformed JSON (after the
    assets before the error have been yielded), ``NotArray`` when the top level is not an array.
    """
    raw, reader, items = _open_items(path, shown)
    with raw:
        i = -1
        try:
            for i, item in enumerate(items):
                if progress is not None and not (i & 1023):
                    progress(reader.pos, i)
                yield i, item
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            raise _malformed(shown, exc, reader) from None
        if progress is not None:
            progress(reader.pos, i + 1)


def iter_batches(
    path: Path, shown: str, progress: Callable[[int, int], None] | None = None, size: int = 2048,
    resume: int | None = None, base: int = 0,
) -> Iterator[tuple[int, list]]:
    """(index of the first, list of assets) for consecutive runs of up to ``size`` elements, read incrementally.

    The same elements, errors and error offsets as :func:`iter_assets`, with less work per asset: the parser
    fills each list at C speed (``list.extend`` over ``islice``). On malformed JSON the assets before the error
    are yielded first, then ``ManifestError`` is raised. ``resume``/``base``: start just after the top-level
    comma at that byte offset, numbering the elements from ``base`` (see :mod:`hubgate.manifest_scan`).
    """
    raw, reader, items = _open_items(path, shown, resume)
    with raw:
        n = base
        sentinel = resume is not None
        while True:
            batch: list = []
            error = None
            try:
                batch.extend(islice(items, size + sentinel))  # the sentinel comes on top of the first run
            except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
                error = _malformed(shown, exc, reader)
            if sentinel and batch:
                del batch[0]
                sentinel = False
            if error is not None:
                if batch:
                    yield n, batch
                raise error from None
            if not batch:
                break
            if progress is not None:
                progress(reader.pos, n)
            yield n, batch
            n += len(batch)
        if progress is not None:
            progress(reader.pos, n)


class NotArray(InputError):
    def __init__(self, file: str, kind: str):
        self.kind = kind
        super().__init__(file, f"the top level is {kind}, not a JSON array")


# ---------------------------------------------------------------------------------------------
# Duplicate detection in bounded memory


def _text(x: str | bytes) -> str:
    return x.decode("ascii") if type(x) is bytes else x


class DigestTable:
    """Set of 8-byte id digests with the first index of each, in two flat arrays (12 bytes a slot).

    A Python set of the ids (or of 16-byte blake2b digest objects) costs ~100 bytes per asset; this costs
    16-32 (load factor 3/8..3/4). Chance of any false duplicate among 10 million ids: ~3e-6.

    The digest is Python's own hash of the id: 64-bit SipHash-1-3 with a per-process random key, cached on a
    str -- as collision-resistant as an 8-byte blake2b digest for this purpose and ~10x cheaper to get. It is
    stored as is (signed); ``hash()`` never returns -1, which marks an empty slot. Open addressing, linear
    probing, no deletion.
    """

    EMPTY = -1

    def __init__(self, capacity: int = 1 << 14):
        self._alloc(capacity)

    def _alloc(self, cap: int) -> None:
        self._keys = array("q", [self.EMPTY]) * cap
        self._first = array("I", bytes(4 * cap))
        self._mask = cap - 1
        self._n = 0
        self._limit = cap * 3 // 4

    def __len__(self) -> int:
        return self._n

    def add(self, value: str | bytes, index: int) -> int | None:
        """Record the id at ``index``; return the first index when it was seen before."""
        seen = self.add_many([hash(value)], index)
        return seen[0][1] if seen else None

    def add_many(self, hashes: Iterable[int], base: int) -> list[tuple[int, int]]:
        """Record ids by their hashes, the j-th at index ``base + j``, in order, as :meth:`add` one at a time
        would; returns ``(index, first index)`` for each id seen before, in index order. (One tight loop:
        the hot path of duplicate detection, ~0.5 µs an id, most of it the table's cache misses.)"""
        hashes = hashes if isinstance(hashes, list) else list(hashes)
        while self._n + len(hashes) > self._limit:
            self._grow()
        keys, first, mask = self._keys, self._first, self._mask
        dups = []
        for i, h in zip(count(base), hashes):
            slot = h & mask
            k = keys[slot]
            if k == -1:
                keys[slot] = h
                first[slot] = i
                continue
            while k != h:
                slot = (slot + 1) & mask
                k = keys[slot]
                if k == -1:
                    keys[slot] = h
                    first[slot] = i
                    break
            else:
                dups.append((i, first[slot]))
        self._n += len(hashes) - len(dups)
        return dups

    def _grow(self) -> None:
        old_keys, old_first = self._keys, self._first
        n = self._n
        self._alloc((self._mask + 1) * 2)
        keys, first, mask = self._keys, self._first, self._mask
        for k, f in zip(old_keys, old_first):
            if k != -1:
                slot = k & mask
                while keys[slot] != -1:
                    slot = (slot + 1) & mask
                keys[slot] = k
                first[slot] = f
        self._n = n


# ---------------------------------------------------------------------------------------------
# The validator


@dataclass
class BucketFacts:
    name: str
    declared: bool = False
    region: str | None = None  # known region (explicit in the bundle), None when unknown
    cors: bool = False
    reachable: bool | None = None  # None: no permission policy to judge by
    uses: int = 0
    findings: list[Finding] = field(default_factory=list)


class Context:
    """What the validator knows about the integration: the bundle (optional) and a region override."""

    def __init__(self, bundle=None, region: str | None = None, declared_cors_checked: bool = False):
        self.bundle = bundle
        self.declared_cors_checked = declared_cors_checked  # HG301 reports declared buckets without CORS
        self.region = region
        self.provider = bundle.provider if bundle is not None else None
        self._facts: dict[str, BucketFacts] = {}
        self._declared = {}
        if bundle is not None:
            for b in bundle.buckets:
                self._declared[b.name] = b

    def region_for(self, bucket: str) -> str | None:
        b = self._declared.get(bucket)
        if b is not None:
            r = b.region or self.bundle.region
            if r:
                return r
        return self.region

    def facts(self, bucket: str) -> BucketFacts:
        f = self._facts.get(bucket)
        if f is not None:
            return f
        f = BucketFacts(bucket)
        b = self._declared.get(bucket)
        if b is not None:
            f.declared = True
            f.cors = b.cors is not None
        f.region = self.region_for(bucket)
        if self.bundle is not None and self.bundle.permission_policy is not None and self.provider in ("aws", "s3-compatible"):
            from .s3policy import view

            arn = self.bundle.role_arn or ""
            partition = arn.split(":")[1] if arn.startswith("arn:") and arn.count(":") >= 5 and arn.split(":")[1] else "aws"
            f.reachable = view(self.bundle.permission_policy).reachable(
                bucket, self.bundle.profile.required_actions, partition
            )
        if len(self._facts) < 100_000:
            self._facts[bucket] = f
        return f

    def buckets(self) -> Iterable[BucketFacts]:
        return self._facts.values()


class TooManyFindings(Exception):
    pass


def _ptr(base: str, index: int, *tokens: str) -> str:
    return base + f"/{index}" + "".join("/" + t for t in tokens)


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _json(v: Any) -> str:
    import json

    try:
        s = json.dumps(v, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        s = repr(v)
    return _short(s, 80)


_HELP = {rule: f"hubgate rules {rule}" for rule in SEVERITY}
# CPython hashes ASCII bytes and str alike, so raw-scanned ids and parsed ones share the duplicate-id table
_BYTES_HASH_LIKE_STR = hash(b"hubgate-id-0") == hash("hubgate-id-0")


class _Finding(Finding):
    """A Finding whose ``to_dict`` builds the same dict directly: ``dataclasses.asdict`` deep-copies each field,
    which costs more than the rest of a finding's output when a large manifest has tens of thousands."""

    __slots__ = ()

    def to_dict(self) -> dict:
        d = {"rule": self.rule, "severity": self.severity, "message": self.message, "file": self.file,
             "pointer": self.pointer, "line": self.line, "column": self.column, "fix": self.fix, "help": self.help}
        if self.suppressed is not None:
            d["suppressed"] = self.suppressed
        return d


class Validator:
    """Validates assets one at a time; findings accumulate in ``findings`` (streaming order)."""

    def __init__(
        self,
        file: str,
        context: Context | None = None,
        base: str = "",
        max_findings: int | None = None,
        select: set[str] | None = None,
        ignore: set[str] | None = None,
        sink: Callable[[Finding], None] | None = None,
    ):
        self.file = file
        self.ctx = context or Context()
        self.base = base
        self.max_findings = max_findings
        self.select = select
        self.ignore = ignore
        self.findings: list[Finding] = []
        self.sink = sink
        self.emitted = 0
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self.ids = DigestTable()
        self.count = 0
        self.truncated = False
        self._wants_dup = self._wanted(DUPLICATE_ID)
        self._good: dict[str, BucketFacts] = {}  # host -> facts, for the batch loop (see _batch)
        self._good_b: dict[bytes, BucketFacts] = {}
        self._good_b_len = 0

    def _wanted(self, rule: str) -> bool:
        return (self.select is None or rule in self.select) and not (self.ignore and rule in self.ignore)

    def add(self, rule: str, pointer: str, message: str, fix: str | None = None, severity: str | None = None,
            defer: bool = False) -> Finding | None:
        """Record a finding. ``defer``: the caller keeps it and :meth:`finish` emits it (bucket-level findings,
        whose message gets the number of assets at the end)."""
        if not self._wanted(rule):
            return None
        if self.max_findings is not None and self.emitted >= self.max_findings:
            self.truncated = True
            raise TooManyFindings()
        f = _Finding(rule, severity or SEVERITY[rule], message, self.file, pointer, None, None, fix, _HELP[rule])
        self.emitted += 1
        self.counts[f.severity] += 1
        if not defer:
            self._emit(f)
        return f

    def _emit(self, f: Finding) -> None:
        if self.sink is not None:
            self.sink(f)  # streamed out: nothing is kept, so memory does not grow with the findings
        else:
            self.findings.append(f)

    def not_array(self, kind: str) -> None:
        self.add(NOT_ARRAY, self.base, f"The manifest's top level is {kind}, not a JSON array of assets",
                 fix='Put the assets in a top-level array: [{"data": "https://...", "externalId": "..."}, ...]')

    # -- the stream ---------------------------------------------------------------------------
    def run(self, pairs: Iterable[tuple[int, Any]]) -> None:
        """Validate (index, asset) pairs. The common case -- a correct virtual-hosted URL of a bucket already
        seen, a string externalId -- is handled inline; everything else goes through :meth:`asset`."""
        import gc

        fast = _FAST_S3.fullmatch if self.ctx.provider in (None, "aws", "s3-compatible") else None
        seen: dict[str, BucketFacts] = {}
        facts_of = self.ctx.facts
        ids = self.ids
        want_dup = self._wants_dup
        optional = self._optional
        slow = self.asset
        i = -1
        # Assets are acyclic, so the collector would mostly rescan the young dicts ijson makes; collect less
        # often (not never: a sink may make cyclic garbage -- json.dumps(indent=...) does).
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            for i, item in pairs:
                if fast is not None and type(item) is dict:
                    data = item.get("data")
                    ext = item.get("externalId")
                    if type(data) is str and type(ext) is str and ext:
                        m = fast(data)
                        if m is not None:
                            bucket = m.group(1)
                            f = seen.get(bucket)
                            if f is not None and (f.region is None or f.region == m.group(2)):
                                f.uses += 1
                                if want_dup:
                                    first = ids.add(ext, i)
                                    if first is not None:
                                        self._duplicate(i, ext, first)
                                if len(item) > 2:
                                    optional(i, item)
                                continue
                            slow(i, item)
                            if f is None and len(seen) < 10_000:
                                seen[bucket] = facts_of(bucket)
                            continue
                slow(i, item)
        finally:
            self.count = i + 1
            gc.set_threshold(*threshold)

    def run_file(self, path: Path, shown: str, progress: Callable[[int, int], None] | None = None) -> None:
        """Validate a manifest file: the same findings, in the same order, as :meth:`run` over
        :func:`iter_assets`. For S3 bundles the common asset shape is settled from the raw bytes
        (:mod:`hubgate.manifest_scan`); everything else goes through :meth:`_batch`."""
        if self.ctx.provider not in (None, "aws", "s3-compatible"):  # no S3 fast path: one asset at a time
            self.run((i, item) for base, items in iter_batches(path, shown, progress) for i, item in enumerate(items, base))
            return
        import gc

        from .manifest_scan import Block, scan

        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            for part in scan(path, shown, progress):
                if type(part) is Block:
                    self._block(part)
                else:
                    self._batch(*part)
        finally:
            gc.set_threshold(*threshold)

    def _good_hosts(self) -> dict[bytes, BucketFacts]:
        """:attr:`_good` keyed by the encoded ``https://<host>/`` prefix (it only grows: rebuilt on growth)."""
        if self._good_b_len != len(self._good):
            self._good_b = {k.encode(): f for k, f in self._good.items()}
            self._good_b_len = len(self._good)
        return self._good_b

    def _block(self, block) -> None:
        """A :class:`hubgate.manifest_scan.Block`: its canonical assets are the ones :meth:`_batch` settles in
        its loop when their host is known (a clean URL on a host seen with its right region, a non-empty plain
        externalId, positive integer sizes), so they need only the bucket count and the duplicate-id probe."""
        good = self._good_hosts()
        uses = Counter(block.hosts)
        try:
            facts = [good[h] for h in uses]
        except KeyError:  # a host not settled yet: the whole block the ordinary way (this learns it)
            self._batch(block.base, block.items())
            return
        for f, n in zip(facts, uses.values()):
            f.uses += n
        i = block.base
        done = 0  # canonical assets checked
        in_run = False
        ids = block.ids
        try:
            for j, items in chain(block.gaps, ((len(ids), None),)):
                if j > done:
                    if self._wants_dup:
                        in_run = True
                        self._record(ids[done:j], i)
                        in_run = False
                    i += j - done
                    done = j
                if items:
                    self._gap(i, items)
                    i += len(items)
        except TooManyFindings:  # the canonical assets after the stop were counted above: take them back
            checked = done + (self.count - i) if in_run else done  # the run ids[done:] starts at asset i
            for h, n in Counter(block.hosts[checked:]).items():
                good[h].uses -= n
            raise
        self.count = i

    def _gap(self, i: int, items: list) -> None:
        """Assets between canonical ones (a few, mostly with findings): :meth:`_batch`'s full path directly."""
        if len(items) > 16:
            self._batch(i, items)
            return
        good = self._good
        for i, item in enumerate(items, i):
            self.count = i + 1
            self.asset(i, item)
            if type(item) is dict:
                url = item.get("data")
                if type(url) is str and url[:url.find("/", 8) + 1] not in good:
                    self._learn(url)

    def _batch(self, base: int, items: list) -> None:
        """Validate a run of parsed assets (``base`` is the index of the first): the same findings, in the same
        order, as :meth:`run`, with less work per asset. At C speed: the URLs are joined by newlines and one
        ``bytes.translate`` marks every character that is not a _FAST_S3 key character, so the URLs holding one
        are sent down the full path. In the loop, an asset whose URL starts with a host already seen with its
        right region (``https://<host>/``), whose externalId is a non-empty string and whose other fields are
        absent or plainly valid needs only the bucket count and its id recorded; everything else goes through
        :meth:`asset`, as in :meth:`run`."""
        n = len(items)
        self.count = base
        try:
            datas = list(map(dict.get, items, repeat("data")))
        except TypeError:  # an element that is not an object
            self.run(enumerate(items, base))
            return
        try:
            joined = "\n".join(datas)
        except TypeError:  # a "data" that is not a string: blank, it takes the full path
            datas = [d if type(d) is str else "" for d in datas]
            joined = "\n".join(datas)
        if joined.count("\n") != n - 1:  # a URL holds a line break: the lines are not the assets
            self.run(enumerate(items, base))
            return
        # URLs with a character the fast path does not settle (space, '%', '+', non-ASCII, ...) are blanked:
        # they take the full path
        marks = joined.encode("utf-8", "surrogatepass").translate(_URL_MARKS)
        bad = marks.find(b"#")
        if bad >= 0:
            line = 0
            last = 0
            while bad >= 0:
                line += marks.count(b"\n", last, bad)
                datas[line] = ""
                last = bad
                bad = marks.find(b"\n", bad)
                if bad < 0:
                    break
                bad = marks.find(b"#", bad)
        if ".amazonaws.com/\n" in joined or joined.endswith(".amazonaws.com/"):  # perhaps an empty key
            for j, d in enumerate(datas):
                if d.endswith(".amazonaws.com/"):
                    datas[j] = ""
        exts = list(map(dict.get, items, repeat("externalId")))
        good = self._good.get
        want_dup = self._wants_dup
        optional = self._optional
        asset = self.asset
        record = self._record
        run: list[str] = []  # externalIds of the settled assets since the last one that took the full path
        start = base  # index of run[0]
        try:
            for i, item, url, ext in zip(count(base), items, datas, exts):
                # a clean URL (only safe characters, a key) on a host seen before with its right region
                facts = good(url[:url.find("/", 8) + 1])
                if facts is not None and type(ext) is str and ext:
                    facts.uses += 1
                    if not run:
                        start = i
                    run.append(ext)
                    if len(item) != 2:
                        if len(item) == 4:
                            w = item.get("width")
                            hh = item.get("height")
                            if type(w) is int and type(hh) is int and w > 0 and hh > 0:
                                continue
                        if want_dup:  # this asset's duplicate-id finding comes before its field findings
                            record(run, start)
                        run = []
                        self.count = i + 1
                        optional(i, item)
                    continue
                if run:
                    if want_dup:
                        record(run, start)
                    run = []
                self.count = i + 1  # (record sets its own count: --max-findings may stop it at any asset)
                asset(i, item)  # the full path; it counts its own bucket use
                if url and facts is None:
                    self._learn(url)
            if run and want_dup:
                record(run, start)
        except TooManyFindings:  # assets of the run after the stop were counted: take them back
            for k in range(max(self.count, start), start + len(run)):
                url = datas[k - base]
                good(url[:url.find("/", 8) + 1]).uses -= 1
            raise
        self.count = base + n

    def _record(self, run: list, base: int) -> None:
        """Record the externalIds ``run`` (str, or plain ASCII bytes from the raw scan) of assets ``base``,
        ``base + 1``..., reporting those seen before. (CPython hashes ASCII bytes and str alike, so raw and
        parsed ids share the table.)"""
        hashes = list(map(hash, run if _BYTES_HASH_LIKE_STR else (_text(x) for x in run)))
        for at, first in self.ids.add_many(hashes, base):
            self.count = at + 1
            self._duplicate(at, _text(run[at - base]), first)

    def _learn(self, url: str) -> None:
        """After an asset's full check: settle later URLs on its host in the batch loop when the URL is of the
        fast form and the bucket's facts say its region is right (the conditions of :meth:`run`'s fast path)."""
        good = self._good
        if len(good) >= 10_000:
            return
        m = _FAST_S3.fullmatch(url)
        if m is None:
            return
        facts = self.ctx._facts.get(m.group(1))
        if facts is not None and (facts.region is None or facts.region == m.group(2)):
            good[url[:url.find("/", 8) + 1]] = facts

    def _duplicate(self, i: int, ext: str, first: int) -> None:
        self.add(DUPLICATE_ID, _ptr(self.base, i, "externalId"),
                 f"externalId {_short(ext)!r} of asset {i} is already used by asset {first}",
                 fix=f"Give asset {i} a unique externalId, e.g. {_short(ext + '-' + str(i))!r}, "
                     f"or remove it if it repeats asset {first}")

    # -- one asset ---------------------------------------------------------------------------
    def asset(self, i: int, item: Any) -> None:
        if type(item) is not dict:
            self.add(NOT_OBJECT, _ptr(self.base, i), f"Asset {i} is {_type_name(item)} ({_json(item)}), not an object",
                     fix='Make each element an object: {"data": "https://...", "externalId": "..."}')
            return
        data = item.get("data")
        if type(data) is str:
            self._url(i, data)
        elif data is None and "data" not in item:
            self.add(DATA_MISSING, _ptr(self.base, i), f"Asset {i} has no \"data\" field (the asset's URL)",
                     fix='Add "data": "https://<bucket>.s3.<region>.amazonaws.com/<key>"')
        else:
            self.add(DATA_MISSING, _ptr(self.base, i, "data"),
                     f"Asset {i}: \"data\" is {_type_name(data)} ({_json(data)}), not a URL string",
                     fix='Set "data" to the asset\'s URL string: "https://<bucket>.s3.<region>.amazonaws.com/<key>"')
        ext = item.get("externalId")
        if type(ext) is str and ext:
            if self._wants_dup:
                first = self.ids.add(ext, i)
                if first is not None:
                    self._duplicate(i, ext, first)
        elif "externalId" not in item:
            self.add(EXTERNAL_ID, _ptr(self.base, i), f"Asset {i} has no \"externalId\"",
                     fix='Add a unique "externalId", e.g. the file name')
        else:
            hint = f'"externalId": "{ext}"' if isinstance(ext, (int, float)) and not isinstance(ext, bool) else \
                '"externalId": "<unique name>"'
            self.add(EXTERNAL_ID, _ptr(self.base, i, "externalId"),
                     f"Asset {i}: \"externalId\" is {_type_name(ext) if ext != '' else 'empty'} ({_json(ext)}), "
                     f"not a non-empty string", fix=f"Use a non-empty string: {hint}")
        if len(item) > 2:
            self._optional(i, item)

    def _optional(self, i: int, item: dict) -> None:
        for k in ("width", "height"):
            if k in item:
                v = item[k]
                ok = (type(v) is int and v > 0) or (type(v) is float and v > 0 and v.is_integer())
                if not ok:
                    fix = f'Remove "{k}" (it is only needed for bitmask export) or give the size in pixels'
                    if type(v) is str and v.strip().isdigit() and int(v) > 0:
                        fix = f'"{k}": {int(v)} (a number, not a string)'
                    elif type(v) is float and v > 0 and math.isfinite(v):
                        fix = f'"{k}": {round(v)}'
                    self.add(DIMENSIONS, _ptr(self.base, i, k),
                             f"Asset {i}: \"{k}\" is {_json(v)}, not a positive integer", fix=fix)
        if "metadata" in item:
            v = item["metadata"]
            if type(v) is not dict:
                self.add(FIELD_TYPES, _ptr(self.base, i, "metadata"),
                         f"Asset {i}: \"metadata\" is {_type_name(v)} ({_json(v)}), not an object",
                         fix='Make "metadata" an object, e.g. {"frameRate": 30}')
            elif "frameRate" in v:
                fr = v["frameRate"]
                if isinstance(fr, bool) or not isinstance(fr, (int, float)) or not fr > 0:
                    fix = f'"frameRate": {fr}' if isinstance(fr, str) and _is_number(fr) else '"frameRate": 30 (a positive number)'
                    self.add(FIELD_TYPES, _ptr(self.base, i, "metadata", "frameRate"),
                             f"Asset {i}: metadata.frameRate is {_json(fr)}, not a positive number", fix=fix)
        if "batches" in item:
            v = item["batches"]
            if type(v) is not list:
                fix = f'"batches": [{_json(v)}]' if isinstance(v, str) else '"batches": ["<batch name>"]'
                self.add(FIELD_TYPES, _ptr(self.base, i, "batches"),
                         f"Asset {i}: \"batches\" is {_type_name(v)} ({_json(v)}), not a list of strings", fix=fix)
            else:
                for j, b in enumerate(v):
                    if type(b) is not str:
                        self.add(FIELD_TYPES, _ptr(self.base, i, "batches", str(j)),
                                 f"Asset {i}: batch {j} is {_type_name(b)} ({_json(b)}), not a string",
                                 fix=f'Write the batch name as a string: "{b}"')
                        break
        if "attachments" in item:
            v = item["attachments"]
            if type(v) is not list:
                self.add(FIELD_TYPES, _ptr(self.base, i, "attachments"),
                         f"Asset {i}: \"attachments\" is {_type_name(v)} ({_json(v)}), not a list of objects",
                         fix='"attachments": [{"type": "IMAGE", "value": "https://..."}]')
            else:
                for j, att in enumerate(v):
                    if type(att) is not dict:
                        fix = f'{{"type": "TEXT", "value": {_json(att)}}}' if isinstance(att, str) else \
                            '{"type": "IMAGE", "value": "https://..."}'
                        self.add(FIELD_TYPES, _ptr(self.base, i, "attachments", str(j)),
                                 f"Asset {i}: attachment {j} is {_type_name(att)} ({_json(att)}), not an object",
                                 fix=f"Replace it with an object: {fix}")
                        break
        if "contextData" in item:
            v = item["contextData"]
            if type(v) is not dict:
                self.add(FIELD_TYPES, _ptr(self.base, i, "contextData"),
                         f"Asset {i}: \"contextData\" is {_type_name(v)} ({_json(v)}), not an object",
                         fix='Make "contextData" an object, e.g. {"key": "value"}')

    def _url(self, i: int, url: str) -> None:
        ctx = self.ctx
        m = _FAST_S3.fullmatch(url)
        if m is None and "%" in url:  # percent-escaped keys: clean when the escapes are UTF-8 (as analyse() judges)
            m = _FAST_S3_PCT.fullmatch(url)
            if m is not None:
                try:
                    unquote_to_bytes(m.group(3)).decode("utf-8")
                except UnicodeDecodeError:
                    m = None
        counted = False
        if m is not None and ctx.provider in (None, "aws", "s3-compatible"):
            bucket, region = m.group(1), m.group(2)
            facts = ctx.facts(bucket)
            facts.uses += 1
            counted = True
            if facts.uses == 1:
                self._bucket(i, facts)
            if facts.region is None or facts.region == region:
                return
        elif ctx.provider in (None, "gcp"):
            m = _FAST_GCS.fullmatch(url)
            if m is not None:
                facts = ctx.facts(m.group(1))
                facts.uses += 1
                if facts.uses == 1:
                    self._bucket(i, facts)
                return
        a = analyse(url, ctx.region_for, ctx.provider)
        ptr = _ptr(self.base, i, "data")
        fix = f"Use \"{a.canonical}\"" if a.canonical and a.canonical != url else None
        seen = set()
        for p in a.problems:
            if p.rule not in seen:  # one problem, one finding
                seen.add(p.rule)
                self.add(p.rule, ptr, f"Asset {i}: {p.message}", fix=self._fix_for(p, a, fix))
        # bucket-level checks (S3 policy reach, CORS) are for S3 and GCS buckets; an Azure container is
        # judged by the bundle's SAS and Blob CORS rules (HG7xx)
        same = a.provider != "azure" and (ctx.provider is None or _URL_PROVIDER.get(ctx.provider) == a.provider)
        if a.bucket and a.provider and not counted and same:
            facts = ctx.facts(a.bucket)
            facts.uses += 1
            if facts.uses == 1:
                self._bucket(i, facts)

    @staticmethod
    def _fix_for(p: Problem, a: Analysis, fix: str | None) -> str | None:
        if p.rule == PLUS_IN_KEY and a.canonical:
            space = a.canonical.replace("+", "%20")
            plus = a.canonical.replace("+", "%2B")
            return (f"If '+' stands for a space, use \"{space}\"; if the key holds a literal plus, use \"{plus}\" "
                    f"(hubgate manifest fix --literal-plus)")
        if p.rule == NOT_UTF8:
            raw = unquote_to_bytes(a.raw_key)
            guess = quote(raw.decode("latin-1"), safe="/", encoding="utf-8")
            return (f"Percent-encode the key's UTF-8 bytes; if the escapes are Latin-1, the key is "
                    f"{raw.decode('latin-1')!r}, encoded \"{guess}\"")
        if p.rule == REGION_MISSING and not p.fixable and a.bucket:
            return f"Add the bucket's region: \"https://{a.bucket}.s3.<region>.amazonaws.com/{a.raw_key}\""
        if p.rule == DATA_MISSING:
            host = f"{a.bucket}.s3.{a.region or '<region>'}.amazonaws.com" if a.bucket else "<bucket>.s3.<region>.amazonaws.com"
            return f"Put the object's full key in the URL: \"https://{host}/<key>\""
        if p.rule == NOT_HTTPS and not p.fixable:
            return "Use the object's https URL: \"https://<bucket>.s3.<region>.amazonaws.com/<key>\""
        if p.rule == NOT_VIRTUAL_HOSTED and not p.fixable:
            return ("Store the asset in a bucket of the integration and use its URL "
                    "\"https://<bucket>.s3.<region>.amazonaws.com/<key>\"" if a.provider != "s3" or a.canonical is None
                    else f"Use a bucket of the integration's provider, or integrate this bucket: \"{a.canonical}\"")
        return fix

    def _bucket(self, i: int, facts: BucketFacts) -> None:
        """Bucket-level findings, once per bucket at its first use; the use count is added at the end."""
        bundle = self.ctx.bundle
        if bundle is None:
            return
        ptr = _ptr(self.base, i, "data")
        if facts.reachable is False:
            arn = f"arn:aws:s3:::{facts.name}"
            f = self.add(BUCKET_UNREACHABLE, ptr,
                         f"Bucket {facts.name!r} (first used by asset {i}) is not reachable by the permission policy "
                         f"of {bundle.file}",
                         fix=f"Add \"{arn}\" and \"{arn}/*\" to the Resource of the read statement, and the bucket "
                             f"to the bundle's buckets", defer=True)
            if f:
                facts.findings.append(f)
        if not facts.declared:
            f = self.add(BUCKET_NO_CORS, ptr,
                         f"Bucket {facts.name!r} (first used by asset {i}) is not a bucket of the integration "
                         f"{bundle.name!r}, so its CORS configuration is unknown",
                         fix=f"Add {{name: {facts.name}, region: <region>, cors: cors/{facts.name}.json}} to buckets "
                             f"in {bundle.file}", defer=True)
            if f:
                facts.findings.append(f)
        elif not facts.cors and not self.ctx.declared_cors_checked:
            f = self.add(BUCKET_NO_CORS, ptr,
                         f"Bucket {facts.name!r} (first used by asset {i}) has no CORS configuration in {bundle.file}",
                         fix=f"Add cors: cors/{facts.name}.json to bucket {facts.name!r}, allowing GET from the Hub "
                             f"origins ({', '.join(bundle.profile.data.get('cors', {}).get('origins', [])[:2]) or 'https://hub.ango.ai'})", defer=True)
            if f:
                facts.findings.append(f)

    def finish(self) -> list[Finding]:
        for facts in self.ctx.buckets():
            for f in facts.findings:
                f.message += f"; {facts.uses} asset(s) use it"
                self._emit(f)
            facts.findings = []
        return self.findings


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Entry points


@dataclass
class Result:
    findings: list[Finding]
    errors: list[InputError]
    assets: int
    bytes: int
    seconds: float
    truncated: bool = False
    counts: dict = field(default_factory=dict)  # findings by severity (also those streamed to a sink)


def validate_file(
    path: Path,
    shown: str | None = None,
    context: Context | None = None,
    max_findings: int | None = None,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    sink: Callable[[Finding], None] | None = None,
) -> Result:
    """Validate a manifest file. With ``sink``, findings are handed to it as found and not kept in the result
    (``Result.counts`` has the totals)."""
    shown = shown or str(path)
    v = Validator(shown, context, "", max_findings, select, ignore, sink)
    try:  # presize the id table for ~1 asset per 100 bytes (fewer rebuilds); it still grows when needed
        v.ids = DigestTable(1 << max(14, min(26, (path.stat().st_size // 100).bit_length())))
    except OSError:
        pass
    errors: list[InputError] = []
    t0 = time.perf_counter()
    try:
        v.run_file(path, shown, progress)
    except TooManyFindings:
        pass
    except NotArray as exc:
        try:
            v.not_array(exc.kind)
        except TooManyFindings:
            pass
    except InputError as exc:
        errors.append(exc)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    findings = v.finish()
    return Result(findings, errors, v.count, size, time.perf_counter() - t0, v.truncated, dict(v.counts))


def validate_items(items: Any, file: str, base: str, context: Context | None = None) -> list[Finding]:
    """Validate an in-memory manifest (a bundle's inline ``manifest:``)."""
    v = Validator(file, context, base)
    if not isinstance(items, list):
        v.not_array(_type_name(items))
        return v.finish()
    try:
        v.run(enumerate(items))
    except TooManyFindings:  # pragma: no cover - no limit here
        pass
    return v.finish()


def bundle_findings(bundle) -> list[Finding]:
    """Every manifest finding for a bundle's ``manifest:`` (inline or a file relative to the bundle), cached."""
    cached = bundle.__dict__.get("_manifest_findings")
    if cached is not None:
        return cached
    out: list[Finding] = []
    data = bundle.data.get("manifest") if isinstance(bundle.data, dict) else None
    ctx = Context(bundle, declared_cors_checked=True)
    if isinstance(data, list):
        out = validate_items(data, bundle.file, bundle.doc.pointer("manifest"), ctx)
    elif bundle.manifest_ref:
        import os

        path = Path(bundle.manifest_ref)
        if not path.is_absolute():
            path = Path(bundle.file).parent / path
        shown = os.path.normpath(str(path))
        if not path.is_file():
            line, col = bundle.doc.position(bundle.doc.pointer("manifest"))
            out = [Finding(NOT_ARRAY, "error", f"Manifest file {bundle.manifest_ref!r} does not exist ({shown})",
                           bundle.file, bundle.doc.pointer("manifest"), line, col,
                           "Correct the manifest path (relative to the bundle's folder)", f"hubgate rules {NOT_ARRAY}")]
        else:
            res = validate_file(path, shown, ctx)
            out = res.findings
            for e in res.errors:
                out.append(Finding(NOT_ARRAY, "error", f"Manifest {shown} cannot be read: {e.problem}", shown, "",
                                   None, None, "Repair the JSON (hubgate manifest FILE shows the byte offset)",
                                   f"hubgate rules {NOT_ARRAY}"))
    bundle.__dict__["_manifest_findings"] = out
    return out


# ---------------------------------------------------------------------------------------------
# Rewriting


@dataclass
class FixReport:
    assets: int = 0
    rewritten: int = 0
    unfixed: list[tuple[str, str, str]] = field(default_factory=list)  # (pointer, rule, message)


def fix_url(url: str, context: Context | None = None, literal_plus: bool = False) -> tuple[str, list[Problem]]:
    """The rewritten URL and the problems it still has (those no rewrite can settle)."""
    ctx = context or Context()
    a = analyse(url, ctx.region_for, ctx.provider, literal_plus)
    left = [p for p in a.problems if not p.fixable]
    if a.canonical is None:
        return url, left
    return a.canonical, left


def write_array(dst: Path, items: Iterable[Any]) -> int:
    """Write ``items`` as a JSON array (one element a line) to ``dst``, streaming through a temporary file next
    to it that replaces ``dst`` only when every item was written: a failure never leaves half a manifest, and
    the previous file is kept. Returns the number of items."""
    import json
    import os
    import tempfile

    dst = Path(dst)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=str(dst.parent.resolve()))
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write("[")
            for item in items:
                out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False))
                n += 1
            out.write("\n]\n" if n else "]\n")
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n


def fix_file(src: Path, dst: Path, shown: str, context: Context | None = None, literal_plus: bool = False) -> FixReport:
    """Stream ``src`` to ``dst`` with every fixable URL rewritten; ``dst`` is replaced only on success."""
    rep = FixReport()

    def fixed() -> Iterator[Any]:
        for i, item in iter_assets(src, shown):
            rep.assets += 1
            if isinstance(item, dict) and isinstance(item.get("data"), str):
                new, left = fix_url(item["data"], context, literal_plus)
                if new != item["data"]:
                    item["data"] = new
                    rep.rewritten += 1
                for p in left:
                    rep.unfixed.append((f"/{i}/data", p.rule, p.message))
            elif isinstance(item, dict):
                rep.unfixed.append((f"/{i}", DATA_MISSING, "no \"data\" URL string"))
            else:
                rep.unfixed.append((f"/{i}", NOT_OBJECT, f"asset is {_type_name(item)}, not an object"))
            yield item

    write_array(dst, fixed())
    return rep
