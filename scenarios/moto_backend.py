"""moto as an embedded S3/IAM/STS server (``ThreadedMotoServer`` on 127.0.0.1, a free port).

IAM enforcement is switched on through moto's auth reset API (``POST /moto-api/reset-auth`` with the
number of requests still allowed without authorisation: ``0`` enforces from the next request, ``inf``
switches enforcement off). An admin user with ``*`` is created first, while enforcement is still off.

Known limits of moto (found by trying, stated in the evidence of the scenarios they affect):
with enforcement on, presigned URLs fail with HTTP 500, so URLs are fetched with enforcement off, where
moto accepts expired, tampered and unauthorised URLs alike; a trust policy that requires
``sts:ExternalId`` still lets AssumeRole through when the external ID is missing; preflight is only
answered on the bucket URL (an object URL gets 403) and checks the origin, not the method.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from typing import Iterator

from .backends import Backend, BackendError, Credentials, require

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

    def _auth(self, count: str) -> None:
        import requests

        r = requests.post(f"{self.endpoint}/moto-api/reset-auth", data=count.encode(), timeout=10)
        if r.status_code != 200:
            raise BackendError(f"moto auth reset API answered {r.status_code}")

    def start(self) -> None:
        os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "1"  # read by moto when it answers; the bucket CORS must decide
        require(self.name, ("boto3", "requests", "moto.server"), "live")
        if self.endpoint is None:
            from moto.server import ThreadedMotoServer
            logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto's 500s are reported as evidence
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint = f"http://{host}:{port}"
        # the admin identity is created while enforcement is off; everything afterwards is enforced
        self._auth("inf")
        self.admin = Credentials("hubgate-bootstrap", "hubgate-bootstrap")
        import secrets

        self._admin_user = f"hubgate-admin-{secrets.token_hex(3)}"
        creds = self.create_user(self._admin_user, ADMIN_POLICY)
        self._clients.clear()
        self.admin = creds
        self._auth("0")

    def stop(self) -> None:
        if self._server is not None:
            # moto keeps the enforcement switch process-wide: turn it off again, or every later in-process
            # moto use (other tests, a user's own mock_aws) is refused with InvalidClientTokenId
            try:
                self._auth("inf")
            except Exception:
                pass
            self._server.stop()
            self._server = None
        elif self._admin_user and self.endpoint:  # a server we did not start: remove only our admin user
            try:
                self.delete_user(self._admin_user)
            except Exception:
                pass

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
