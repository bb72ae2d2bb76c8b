"""moto as an embedded S3/IAM/STS server (``ThreadedMotoServer`` on 127.0.0.1, a free port).

IAM enforcement is switched on through moto's auth reset API (``POST /moto-api/reset-auth`` with the
number of requests still allowed without authorisation: ``0`` enforces from the next request, ``inf``
switches enforcement off). An admin user with ``*`` is created first, while enforcement is still off.

Known limits of moto (found by trying, stated in the evidence of the scenarios they affect):
with enforcement on, presigned URLs fail with HTTP 500, so URLs are fetched with enforcement off, where
moto accepts expired, tampered and unauthorised URLs alike; a trust policy that requires
``sts:ExternalId`` still lets AssumeRole through when the external ID is missing; preflight is only
answered on the bucket URL (an object URL gets 403) and checks the origin, not the method.

On a moto server hubgate did not start (``--endpoint``), the enforcement switch is server-wide: the run
records the value it found (the auth API answers with the previous value), notes it in the run's
journal, and puts it back when it stops, after removing its admin user (with enforcement off, so the
removal cannot lock itself out). Runs on one server take turns through a lock held for the whole run (an
abstract socket named after the endpoint, released by the kernel when the process dies): a run switching
enforcement off to fetch presigned URLs would otherwise turn another run's verdicts into nonsense.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .backends import Backend, BackendError, Credentials, http_session, require
from .signals import critical

LOCK_WAIT = float(os.environ.get("HUBGATE_MOTO_LOCK_WAIT", "300"))


def server_lock(endpoint: str, wait: float = LOCK_WAIT) -> socket.socket:
    """A lock on ``endpoint`` for this process: an abstract unix socket (Linux; nothing on disk, released by
    the kernel when the process ends, however it ends)."""
    name = b"\0hubgate-moto-" + hashlib.sha256(endpoint.encode()).hexdigest()[:32].encode()
    deadline = time.monotonic() + wait
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(name)
            return s
        except OSError:
            s.close()
            if time.monotonic() >= deadline:
                raise BackendError(f"another hubgate run has held {endpoint} for {wait:.0f} s; try again later") from None
            time.sleep(0.2)

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class MotoBackend(Backend):
    name = "moto"
    limits = {
        "presign": "moto answers presigned URLs with HTTP 500 while IAM is enforced, so URLs are fetched "
                   "with enforcement off",
        "preflight": "moto answers preflights on the bucket URL only",
    }

    def __init__(self, endpoint: str | None = None):
        super().__init__(endpoint=endpoint)
        self._server = None
        self._admin_user: str | None = None
        self._saved_auth: str | None = None  # the server's enforcement value before this run
        self._lock: socket.socket | None = None

    def _auth(self, count: str) -> str:
        """Set moto's enforcement switch; the value it had."""
        with http_session() as s:
            r = s.post(f"{self.endpoint}/moto-api/reset-auth", data=count.encode(), timeout=10)
        try:
            previous = str(r.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])
            float(previous)
        except (ValueError, KeyError, TypeError):
            raise BackendError(f"{self.endpoint} is not a moto server: its auth reset API answered "
                               f"HTTP {r.status_code} without the previous setting") from None
        return previous

    def adopt(self, notes: dict[str, str]) -> None:
        if "moto-auth" in notes:  # a killed run's original setting: restore that one when this run stops
            self._saved_auth = notes["moto-auth"]
            if self.journal is not None:
                self.journal.note("moto-auth", self._saved_auth)

    def start(self) -> None:
        os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "1"  # read by moto when it answers; the bucket CORS must decide
        require(self.name, ("boto3", "requests", "moto.server"), "live")
        if self.endpoint is None:
            from moto.server import ThreadedMotoServer  # deferred: optional extra 'live' (moto, ~1 s)

            logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto's 500s are reported as evidence
            with critical():
                self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
                self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint = f"http://{host}:{port}"
        else:
            self._lock = server_lock(self.endpoint)
        # the admin identity is created while enforcement is off; everything afterwards is enforced
        with critical():
            previous = self._auth("inf")
            if self._saved_auth is None:
                self._saved_auth = previous
                if self.journal is not None:
                    self.journal.note("moto-auth", previous)
        self.admin = Credentials("hubgate-bootstrap", "hubgate-bootstrap")
        name = f"hubgate-admin-{secrets.token_hex(3)}"
        with critical():  # made and remembered together
            creds = self.create_user(name, ADMIN_POLICY)
            self._admin_user = name
        self._clients.clear()
        self.admin = creds
        self._auth("0")

    def stop(self) -> None:
        """Remove the admin user and put the enforcement switch back as found (moto keeps it process-wide:
        left on, every later client of the server, or in-process mock_aws, is refused)."""
        try:
            if self.endpoint and self._saved_auth is not None:
                try:
                    self._auth("inf")
                    if self._admin_user:
                        self._clients.clear()
                        self.delete_user(self._admin_user)
                        self._admin_user = None
                except Exception:
                    pass
                try:
                    self._auth(self._saved_auth)
                    self._saved_auth = None
                    if self.journal is not None:
                        self.journal.note("moto-auth", None)
                except Exception:
                    pass
        finally:
            if self._server is not None:
                self._server.stop()
                self._server = None
                self.endpoint = None
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    @contextmanager
    def presign_mode(self) -> Iterator[None]:
        self._auth("inf")
        try:
            yield
        finally:
            self._auth("0")

    def delete_bucket(self, name: str) -> None:
        with self.presign_mode():  # moto miscomputes SigV4 for some unicode keys while IAM is enforced
            super().delete_bucket(name)

    def preflight_url(self, bucket: str, key: str) -> str:
        return f"{self.endpoint.rstrip('/')}/{bucket}"

    def describe(self) -> str:
        return json.dumps({"endpoint": self.endpoint})
