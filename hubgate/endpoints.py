"""``--endpoint URL`` for ``prove`` and ``manifest build``: parsed once, strictly, into the one URL the
HTTP clients are given.

Python's ``urlparse``, urllib3 (requests, botocore) and browsers do not read every URL alike:
``http://HOST\\@127.0.0.1`` is 127.0.0.1 to ``urlparse`` and HOST to urllib3. So an endpoint is accepted
only in a form every parser reads the same way: ``http(s)://HOST[:PORT][/]``, printable ASCII, no
userinfo (``@``), no backslash, no percent-encoding, no path, query or fragment; HOST a DNS name, a
canonical dotted-quad IPv4 address (``127.1``, ``0177.0.0.1`` and ``0x7f.0.0.1`` are refused: resolvers
read them differently) or a bracketed IPv6 address without zone. The clients then get the URL rebuilt
from the checked parts (:attr:`Endpoint.url`), never the string as typed, and are told not to use
proxies from the environment, so the connection goes to the address that was checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$", re.S)
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_NUMERICISH = re.compile(r"^[0-9a-fx.]+$")


class EndpointError(ValueError):
    """An endpoint URL that is refused; the message is one line naming the reason."""


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str  # lowercase DNS name, dotted-quad IPv4, or IPv6 without brackets
    port: int | None
    loopback: bool

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


def shown(url: str) -> str:
    """The URL for a message: whatever stands before an '@' of the authority (a password) masked."""
    m = _URL.match(url)
    if m and "@" in m["authority"]:
        url = f"{m['scheme']}://****@{m['authority'].rsplit('@', 1)[1]}{m['rest']}"
    return repr(url if len(url) <= 200 else url[:200] + "…")


def _refuse(url: str, why: str) -> EndpointError:
    return EndpointError(f"--endpoint {shown(url)} is refused: {why}")


def _host(url: str, raw: str) -> tuple[str, bool]:
    """(normalised host, is an IP literal)."""
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise _refuse(url, "unbalanced '[' in the host")
        try:
            return str(ipaddress.IPv6Address(raw[1:-1])), True
        except ValueError:
            raise _refuse(url, "not an IPv6 address between the brackets") from None
    host = raw.lower()
    if not host:
        raise _refuse(url, "no host")
    if _NUMERICISH.match(host) and any(c.isdigit() for c in host):
        try:
            return str(ipaddress.IPv4Address(host)), True
        except ValueError:
            raise _refuse(url, f"{raw!r} is not a canonical dotted-quad IPv4 address (resolvers read "
                               "short, octal and hex forms differently)") from None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse(url, f"{raw!r} is not a valid host name")
    return host, False


def _is_loopback(host: str, literal: bool) -> bool:
    if literal:
        return ipaddress.ip_address(host).is_loopback
    if host != "localhost":
        return False
    try:  # localhost counts only when every address it resolves to is a loopback address
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def parse_endpoint(url, allow_remote: bool = False) -> Endpoint:
    """The checked endpoint; raises :class:`EndpointError` (a ValueError) with one line otherwise."""
    if not isinstance(url, str):
        raise EndpointError("--endpoint must be a URL")
    if not url or any(not (0x21 <= ord(c) <= 0x7E) for c in url):
        raise _refuse(url, "only printable ASCII without spaces or control characters is accepted")
    if "\\" in url:
        raise _refuse(url, "a backslash is read as '/' by some clients and as data by others")
    m = _URL.match(url)
    if not m:
        raise _refuse(url, "not an http(s) URL")
    scheme = m["scheme"].lower()
    if scheme not in ("http", "https"):
        raise _refuse(url, "not an http(s) URL")
    if m["rest"] not in ("", "/"):
        raise _refuse(url, "an endpoint is scheme://host[:port], without path, query or fragment")
    authority = m["authority"]
    if "@" in authority:
        raise _refuse(url, "credentials (user@ or user:password@) do not belong in the URL; "
                           "admin credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
    if "%" in authority:
        raise _refuse(url, "percent-encoding in the host is ambiguous")
    port: int | None = None
    if authority.startswith("["):
        close = authority.find("]")
        raw_host, tail = (authority[:close + 1], authority[close + 1:]) if close >= 0 else (authority, "")
    elif ":" in authority:
        raw_host, tail = authority.split(":", 1)
        tail = ":" + tail
    else:
        raw_host, tail = authority, ""
    if tail:
        digits = tail[1:]
        if not tail.startswith(":") or not digits.isdigit() or not 1 <= int(digits) <= 65535 or len(digits) > 5:
            raise _refuse(url, "the port must be a number from 1 to 65535")
        port = int(digits)
    host, literal = _host(url, raw_host)
    loopback = _is_loopback(host, literal)
    ep = Endpoint(scheme, host, port, loopback)
    _agree(url, ep)
    if not loopback and not allow_remote:
        raise EndpointError(
            f"--endpoint {ep.url!r} is not a loopback address (127.0.0.1, ::1, localhost); "
            "pass --allow-remote to run against a remote server")
    return ep


def _agree(url: str, ep: Endpoint) -> None:
    """The rebuilt URL reads the same to the parsers the clients use (urllib3: requests and botocore)."""
    want = ep.host
    seen = {urlsplit(ep.url).hostname}
    try:
        from urllib3.util import parse_url  # deferred: urllib3 costs ~40 ms; only for a given endpoint

        seen.add((parse_url(ep.url).host or "").strip("[]").lower())
    except ImportError:  # pragma: no cover - urllib3 comes with botocore
        pass
    if seen != {want}:
        raise _refuse(url, "HTTP clients would read another host from it")
