"""``--endpoint`` of ``prove`` and ``manifest build``: parsed once, the way HTTP clients read it; ambiguous
URLs refused; hubgate connects only to the address it checked. Two local listeners (127.0.0.1 and
127.0.0.2, free ports) show where a connection really goes; nothing leaves the loopback interface."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hubgate.endpoints import EndpointError, parse_endpoint
from hubgate.scenarios.backends import check_endpoint

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("url, canonical", [
    ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    ("HTTP://127.0.0.1:9000/", "http://127.0.0.1:9000"),
    ("http://[::1]:8333", "http://[::1]:8333"),
    ("http://localhost:1", "http://localhost:1"),
])
def test_loopback_endpoints_are_rebuilt_from_their_checked_parts(url, canonical):
    assert check_endpoint(url, allow_remote=False) == canonical
    assert parse_endpoint(url).loopback


@pytest.mark.parametrize("url, why", [
    ("http://HOST\\@127.0.0.1", "backslash"),
    ("http://evil.example\\@127.0.0.1:9000/", "backslash"),
    ("http://evil.example@127.0.0.1:9000", "credentials"),
    ("http://user:hunter2secret@127.0.0.1:9000", "credentials"),
    ("http://127.1:9000", "dotted-quad"),
    ("http://0177.0.0.1:9000", "dotted-quad"),
    ("http://0x7f.0.0.1:9000", "dotted-quad"),
    ("http://2130706433:9000", "dotted-quad"),
    ("http://127.0.0.1%2f@evil:9000", "credentials"),
    ("http://127.0.0.1:9000/path", "without path"),
    ("http://127.0.0.1:9000?x=1", "without path"),
    ("http://127.0.0.1:9000#@evil", "without path"),
    ("http://127.0.0.1:0", "port"),
    ("http://127.0.0.1:65536", "port"),
    ("http://127.0.0.1: 9000", "printable ASCII"),
    ("http://127.0.0.1\t:9000", "printable ASCII"),
    ("http://ex\u0430mple.com", "printable ASCII"),
    ("ftp://127.0.0.1", "http(s)"),
    ("http://[::1", "unbalanced"),
    ("http://[fe80::1%25eth0]:9000", "percent"),
    ("http://under_score.example", "host name"),
])
def test_ambiguous_endpoints_are_refused(url, why):
    with pytest.raises(EndpointError, match="refused") as err:
        check_endpoint(url, allow_remote=True)
    assert why in str(err.value)
    assert "hunter2secret" not in str(err.value)


@pytest.mark.parametrize("url", ["http://10.0.0.1:9000", "https://s3.amazonaws.com", "http://localhost.evil.com"])
def test_remote_endpoints_need_allow_remote(url):
    with pytest.raises(ValueError, match="--allow-remote"):
        check_endpoint(url, allow_remote=False)
    assert check_endpoint(url, allow_remote=True)


class Listener:
    """A TCP listener that records every connection and answers junk."""

    def __init__(self, host: str):
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.host = host
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            try:
                conn.settimeout(1)
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\njunk!")
            except OSError:
                pass
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listeners():
    try:
        b = Listener("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not available on this host")
    a = Listener("127.0.0.1")
    yield a, b
    a.close()
    b.close()


def _hubgate(*args: str, env: dict | None = None, cwd: Path = REPO):
    full = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
                AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", **(env or {}))
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY"):
        if env is None or k not in env:
            full.pop(k, None)
    return subprocess.run([sys.executable, "-m", "hubgate.cli", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("backend", ["moto", "seaweedfs"])
def test_backslash_endpoint_is_refused_and_nothing_is_contacted(listeners, tmp_path, backend):
    a, b = listeners
    url = f"http://127.0.0.2:{b.port}\\@127.0.0.1:{a.port}"
    r = _hubgate("prove", "examples/good", "--backend", backend, "--endpoint", url,
                 env={"HUBGATE_STATE_DIR": str(tmp_path)})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "backslash" in r.stderr and "Traceback" not in r.stderr
    assert (a.hits, b.hits) == (0, 0)


def test_manifest_build_refuses_the_backslash_endpoint(listeners, tmp_path):
    a, b = listeners
    url = f"http://127.0.0.2:{b.port}\\@127.0.0.1:{a.port}"
    r = _hubgate("manifest", "build", "--bucket", "b", "--backend", "moto", "--endpoint", url,
                 "--out", str(tmp_path / "m.json"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert (a.hits, b.hits) == (0, 0)


def test_connects_only_to_the_checked_address_even_with_a_proxy_in_the_environment(listeners, tmp_path):
    a, b = listeners
    proxy = f"http://127.0.0.2:{b.port}"
    r = _hubgate("prove", "examples/good", "--backend", "moto", "--endpoint", f"http://127.0.0.1:{a.port}",
                 env={"HUBGATE_STATE_DIR": str(tmp_path), "HTTP_PROXY": proxy, "http_proxy": proxy,
                      "HTTPS_PROXY": proxy, "ALL_PROXY": proxy})
    assert r.returncode == 2, r.stdout + r.stderr  # the listener answers junk
    assert a.hits >= 1 and b.hits == 0
    assert "Traceback" not in r.stderr and len([x for x in r.stderr.splitlines() if x.strip()]) == 1
    assert "wJalrXUtnFEMI" not in r.stdout + r.stderr
