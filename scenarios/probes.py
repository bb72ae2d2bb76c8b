"""HTTP probes of the live scenarios: GET and CORS preflight against the checked endpoint, presigned URLs
shown without their credentials, and tampered on purpose for the negative controls."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlparse, urlunparse

from .backends import http_session


def _http(url: str):
    """Direct to the checked endpoint; a real AWS host may go through the environment's proxy."""
    host = (urlparse(url).hostname or "").lower()
    return http_session(direct=not host.endswith(".amazonaws.com"))


def http_get(url: str) -> tuple[int, bytes]:
    with _http(url) as s:
        r = s.get(url, timeout=15)
    return r.status_code, r.content


def show_url(url: str) -> str:
    """A URL for evidence: path only, the query (credentials, signature) reduced to its parameter names."""
    p = urlparse(url)
    q = dict(parse_qsl(p.query))
    if "X-Amz-Signature" in q:
        return f"{p.path} (presigned, expires {q.get('X-Amz-Expires', '?')} s)"
    return p.path


def tamper(url: str, what: str, other_key_path: str | None = None) -> str:
    p = urlparse(url)
    q = parse_qsl(p.query, keep_blank_values=True)
    if what == "signature":
        q = [(k, (v[:-1] + ("0" if v[-1] != "0" else "1")) if k == "X-Amz-Signature" else v) for k, v in q]
    elif what == "expiry":
        q = [(k, "604800" if k == "X-Amz-Expires" else v) for k, v in q]
    elif what == "key" and other_key_path:
        p = p._replace(path=other_key_path)
    return urlunparse(p._replace(query=urlencode(q, quote_via=quote, safe="")))


def preflight(url: str, origin: str, method: str = "GET") -> tuple[bool, str]:
    with _http(url) as s:
        r = s.options(url, headers={"Origin": origin, "Access-Control-Request-Method": method}, timeout=15)
    allow_origin = r.headers.get("Access-Control-Allow-Origin")
    methods = r.headers.get("Access-Control-Allow-Methods")
    ok = r.status_code == 200 and allow_origin in (origin, "*")
    if ok and methods is not None:
        ok = method in [m.strip().upper() for m in methods.split(",")]
    return ok, (f"OPTIONS {urlparse(url).path} Origin: {origin} -> {r.status_code}, "
                f"Allow-Origin: {allow_origin or '-'}, Allow-Methods: {methods or '-'}")


def poll_status(url: str, want: Callable[[int], bool], timeout: float = 3.0) -> tuple[int, bool]:
    deadline = time.monotonic() + timeout
    while True:
        status, _ = http_get(url)
        if want(status) or time.monotonic() >= deadline:
            return status, want(status)
        time.sleep(0.2)


def denied(status: int) -> bool:
    return status in (401, 403)
