"""URL analysis: the bucket, region and key a manifest URL stands for, the problems with its form, and the
canonical virtual-hosted (S3), path (GCS) or Blob (Azure) URL for the same object.

Shared by the validator, the rule documentation and ``hubgate manifest fix``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_to_bytes

from .rules import (
    BAD_ESCAPE,
    DATA_MISSING,
    DEFAULT_REGION,
    NOT_HTTPS,
    NOT_UTF8,
    NOT_VIRTUAL_HOSTED,
    PLUS_IN_KEY,
    RAW_CHARS,
    REGION_DIFFERS,
    REGION_MISSING,
)

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(//([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?", re.S)
REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_HOSTS: list[tuple[str, re.Pattern]] = [
    # (style, pattern) -- first match wins; "b" = bucket in the host, "r" = region
    ("virtual", re.compile(rf"(?P<b>.+)\.s3\.(?P<r>{REGION})\.amazonaws\.com(?P<cn>\.cn)?")),
    ("virtual-noregion", re.compile(r"(?P<b>.+)\.s3\.amazonaws\.com")),
    ("virtual-external-1", re.compile(r"(?P<b>.+)\.s3-external-1\.amazonaws\.com")),
    ("virtual-dash", re.compile(rf"(?P<b>.+)\.s3-(?P<r>{REGION})\.amazonaws\.com")),
    ("virtual-dualstack", re.compile(rf"(?P<b>.+)\.s3\.dualstack\.(?P<r>{REGION})\.amazonaws\.com")),
    ("virtual-website", re.compile(rf"(?P<b>.+)\.s3-website[.\-](?P<r>{REGION})\.amazonaws\.com")),
    ("path", re.compile(rf"s3\.(?P<r>{REGION})\.amazonaws\.com(?P<cn>\.cn)?")),
    ("path-noregion", re.compile(r"s3\.amazonaws\.com")),
    ("path-external-1", re.compile(r"s3-external-1\.amazonaws\.com")),
    ("path-dash", re.compile(rf"s3-(?P<r>{REGION})\.amazonaws\.com")),
    ("path-dualstack", re.compile(rf"s3\.dualstack\.(?P<r>{REGION})\.amazonaws\.com")),
    ("gcs", re.compile(r"storage\.googleapis\.com")),
    ("gcs-browser", re.compile(r"storage\.cloud\.google\.com")),
    ("gcs-virtual", re.compile(r"(?P<b>.+)\.storage\.googleapis\.com")),
    # Azure Blob: https://<account>.blob.core.windows.net/<container>/<blob>; the container takes the bucket's place
    ("azure-blob", re.compile(r"(?P<acct>[a-z0-9]{3,24})\.blob\.core\.windows\.net")),
]
_HOST_STYLES: dict[str, tuple[str, dict] | None] = {}
# styles already in the form Hub expects (the others get an HG505 finding)
_GOOD_STYLES = frozenset(("virtual", "virtual-noregion", "gcs", "s3-uri", "gs-uri", "azure-blob"))

# the URL form each bundle provider uses (a mismatch is one HG505 finding, no bucket-level findings on top)
URL_PROVIDER = {"aws": "s3", "s3-compatible": "s3", "gcp": "gcs", "azure": "azure"}
# A correct virtual-hosted URL whose key needs no further look (the validator's fast path).
# (The bucket part has no dots, so the match does not backtrack; dotted buckets take the slow path.)
FAST_S3 = re.compile(
    rf"https://([a-z0-9][a-z0-9\-]*)\.s3\.({REGION})\.amazonaws\.com/[A-Za-z0-9\-._~!$&'()*,;=:@/]+"
)
# An Azure Blob URL in the form Hub takes, with a plain container and blob name: no finding (analyse() judges
# the same; an Azure container has no bucket-level checks here)
FAST_AZURE = re.compile(r"https://[a-z0-9]{3,24}\.blob\.core\.windows\.net/[A-Za-z0-9\-._~!$&'()*,;=:@]+/"
                        r"[A-Za-z0-9\-._~!$&'()*,;=:@/]+")
GCS_PREFIX = "https://storage.googleapis.com/"
FAST_GCS = re.compile(r"https://storage\.googleapis\.com/([a-z0-9][a-z0-9._\-]*[a-z0-9])/([A-Za-z0-9\-._~!$&'()*,;=:@/]+)")
# A virtual-hosted URL with %XX escapes (and nothing else to judge): clean when the escapes decode to UTF-8.
FAST_S3_PCT = re.compile(
    rf"https://([a-z0-9][a-z0-9\-]*)\.s3\.({REGION})\.amazonaws\.com/((?:[A-Za-z0-9\-._~!$&'()*,;=:@/]|%[0-9A-Fa-f]{{2}})+)"
)
# Characters a path may hold raw (RFC 3986 pchar and "/"), '%' handled apart, '+' judged apart.
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*,;=:@/")
_HEX = frozenset("0123456789abcdefABCDEF")
_SAFE_RUN = re.compile(r"[A-Za-z0-9\-._~!$&'()*,;=:@/]+")
_KEY_CLEAN = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*,;=:@/]++|%[0-9A-Fa-f]{2})*+")  # possessive: no backtracking
# For a batch of URLs joined by newlines (as UTF-8): "." for a FAST_S3 key character, "#" for any other byte.
URL_MARKS = bytes(10 if c == 10 else 46 if chr(c) in _SAFE else 35 for c in range(256))

STYLE_NAMES = {
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


@dataclass
class Problem:
    rule: str
    message: str
    fixable: bool = True


@dataclass
class Analysis:
    """What a manifest URL stands for, what is wrong with its form, and its canonical form."""

    url: str
    provider: str | None = None  # "s3" | "gcs" | "azure" | None (not a storage URL hubgate understands)
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

    def problem(self, rule: str, message: str, fixable: bool = True) -> None:
        self.problems.append(Problem(rule, message, fixable))


def short(s: str, n: int = 120) -> str:
    """``s`` cut to ``n`` characters (an ellipsis marks the cut)."""
    return s if len(s) <= n else s[: n - 1] + "…"


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


_QUOTED: dict[str, str] = {}  # a character -> its UTF-8 percent-encoding (memo of urllib's quote)


def _quoted(c: str) -> str:
    q = _QUOTED.get(c)
    if q is None:
        q = quote(c, safe="", encoding="utf-8", errors="surrogatepass")
        if len(_QUOTED) < 4096:
            _QUOTED[c] = q
    return q


def _not_utf8(raw: str) -> Problem:
    return Problem(NOT_UTF8, f"key {short(raw)!r} has percent escapes that are not UTF-8", fixable=False)


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
                return raw, [_not_utf8(raw)]
        return raw, []
    out: list[str] = []
    problems: list[Problem] = []
    bad_pct = plus = False
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
            if c not in raw_chars:
                raw_chars.append(c)
            out.append(_quoted(c))
        i += 1
    enc = "".join(out)
    if bad_pct:
        problems.append(Problem(BAD_ESCAPE, f"key {short(raw)!r} has a '%' that starts no %XX escape"))
    if raw_chars:
        shown = ", ".join("space" if c == " " else repr(c) for c in raw_chars[:5])
        problems.append(Problem(RAW_CHARS, f"key {short(raw)!r} holds characters that must be percent-encoded ({shown})"))
    if "%" in raw or not raw.isascii():  # escapes kept as written, or a lone surrogate encoded: both may not be UTF-8
        try:
            unquote_to_bytes(enc).decode("utf-8")
        except UnicodeDecodeError:
            problems.append(_not_utf8(raw))
    if plus and not literal_plus:
        problems.append(Problem(
            PLUS_IN_KEY, f"key {short(raw)!r} contains '+', which Hub reads as a literal plus, not a space",
            fixable=False,
        ))
    return enc, problems


def _place_http(a: Analysis, url: str, host: str, path: str, provider: str | None) -> bool:
    """Bucket, key, style and region of an http(s) URL from its host; False when the analysis ends here."""
    known = _host_style(host)
    if known is None:
        if provider != "s3-compatible":  # a custom endpoint's URL form is not the docs' to judge
            a.problem(NOT_VIRTUAL_HOSTED, f"URL {short(url)!r} is on host {host!r}, not in the form "
                      f"https://<bucket>.s3.<region>.amazonaws.com/<key>", fixable=False)
        return False
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
        bucket, _, a.raw_key = path.lstrip("/").partition("/")
        a.bucket = bucket or None
    return True


def _place(a: Analysis, url: str, provider: str | None) -> str | None:
    """Parse the URL into ``a`` (scheme, bucket, key, style); its host, or None when the analysis ends here."""
    # leading whitespace cannot belong to the key; a trailing space may (it is encoded), a trailing newline not
    text = url.lstrip(" \t\r\n").rstrip("\t\r\n")
    if text != url:
        a.problem(RAW_CHARS, f"URL {short(url)!r} has leading whitespace or a trailing line break")
    m = _URL.fullmatch(text)
    if not m:
        a.problem(NOT_HTTPS, f"{short(url)!r} is not an absolute URL", fixable=False)
        return None
    scheme, authority, host, path, query, frag = m.group(1).lower(), m.group(2), m.group(3) or "", *m.group(4, 5, 6)
    a.query = query or ""
    if frag:  # a raw '#' cuts the key short in a browser; in a manifest it is part of the key (and must be %23)
        path += frag
    host = host.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    if scheme in ("s3", "gs") and authority:
        a.provider, a.bucket, a.raw_key = ("s3" if scheme == "s3" else "gcs"), host, path.lstrip("/")
        a.style = scheme + "-uri"
        a.problem(NOT_HTTPS, f"URL {short(url)!r} uses {scheme}://, not https://")
        return host
    if scheme in ("http", "https") and authority:
        if scheme == "http":
            a.problem(NOT_HTTPS, f"URL {short(url)!r} uses http://, not https://")
        return host if _place_http(a, url, host, path, provider) else None
    a.problem(NOT_HTTPS, f"URL {short(url)!r} uses {scheme}:, not https://", fixable=False)
    return None


def _form_problems(a: Analysis, url: str, provider: str | None) -> None:
    """HG505 for a URL form Hub does not take or a URL of another provider than the integration's; HG503
    for an empty key."""
    if a.style not in _GOOD_STYLES:
        want = "https://storage.googleapis.com/<bucket>/<object>" if a.provider == "gcs" else \
            "https://<bucket>.s3.<region>.amazonaws.com/<key>"
        a.problem(NOT_VIRTUAL_HOSTED, f"URL {short(url)!r} is {STYLE_NAMES[a.style]}, not {want}")
    mismatch = None
    if provider == "gcp" and a.provider == "s3":
        mismatch = "is an S3 URL but the integration is GCP"
    elif provider in ("aws", "s3-compatible") and a.provider == "gcs":
        mismatch = f"is a GCS URL but the integration is {provider}"
    elif provider == "azure" and a.provider != "azure":
        mismatch = "is not an Azure Blob URL (https://<account>.blob.core.windows.net/<container>/<blob>)"
    elif provider is not None and provider != "azure" and a.provider == "azure":
        mismatch = f"is an Azure Blob URL but the integration is {provider}"
    if mismatch:
        a.problem(NOT_VIRTUAL_HOSTED, f"URL {short(url)!r} {mismatch}", fixable=False)
    if not a.raw_key:
        a.problem(DATA_MISSING, f"URL {short(url)!r} names no object (empty key)", fixable=False)


def _s3_canonical(a: Analysis, url: str, enc: str, region_for: Callable[[str], str | None] | None,
                  other: bool = False) -> str:
    """The virtual-hosted URL of an S3 object, with the region problems (HG506, HG517) found on the way; none
    when the URL is ``other`` than the integration's provider's (HG505's alone: its region says nothing about
    the integration's buckets)."""
    known = region_for(a.bucket) if region_for and not other else None
    region = a.region or known
    if other:
        pass
    elif a.region is None and a.style == "s3-uri" and known:
        pass  # the https rewrite (HG504) adds the region; no second finding
    elif a.region is None and a.style not in ("virtual-external-1", "path-external-1"):
        a.problem(REGION_MISSING, f"URL {short(url)!r} has no region: Hub assumes {DEFAULT_REGION}"
                  + (f", but bucket {a.bucket!r} is in {known}" if known and known != DEFAULT_REGION else ""),
                  fixable=known is not None)
    elif known and a.region and known != a.region:
        a.problem(REGION_DIFFERS, f"URL {short(url)!r} names region {a.region} but bucket {a.bucket!r} is in {known}")
        region = known
    cn = ".cn" if region and region.startswith("cn-") else ""
    host = f"{a.bucket}.s3.{region}.amazonaws.com{cn}" if region else f"{a.bucket}.s3.amazonaws.com"
    return f"https://{host}/{enc}{a.query}"


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
    host = _place(a, url, provider)
    if host is None:
        return a
    if not a.bucket:
        a.problem(DATA_MISSING, f"URL {short(url)!r} names no bucket", fixable=False)
        return a
    _form_problems(a, url, provider)
    enc, key_problems = encode_key(a.raw_key, literal_plus)
    a.problems += key_problems
    if a.provider == "gcs":
        a.canonical = f"https://storage.googleapis.com/{a.bucket}/{enc}{a.query}"
    elif a.provider == "azure":  # no region in Azure Blob URLs
        a.canonical = f"https://{host}/{a.bucket}/{enc}{a.query}"
    else:
        other = provider is not None and URL_PROVIDER.get(provider, a.provider) != a.provider
        a.canonical = _s3_canonical(a, url, enc, region_for, other)
    return a


def decode(url: str) -> tuple[str | None, str | None, str | None]:
    """(bucket, region, key) a URL names as Hub reads it: region None when absent, key percent-decoded."""
    a = analyse(url)
    return a.bucket, (a.region or (DEFAULT_REGION if a.provider == "s3" else None)), a.key()


def fix_for(p: Problem, a: Analysis, fix: str | None) -> str | None:
    """The fix text of a URL finding: ``fix`` (use the canonical URL) unless the problem needs other advice."""
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
