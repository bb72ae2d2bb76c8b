"""``hubgate prove --endpoint`` on a moto server hubgate did not start (a separate process started here):
the run leaves the server as it found it (auth enforcement, users, keys, buckets), never removes what it
did not create (``--cleanup`` follows the killed run's journal, not names), concurrent runs take turns,
and a server answering garbage is one clear exit-2 line."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("moto.server", reason="moto[server] is not installed")

import boto3  # noqa: E402
import requests  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def moto_server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(url + "/moto-api/", timeout=1)
            break
        except requests.RequestException:
            assert time.monotonic() < deadline and proc.poll() is None, "moto server did not start"
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def auth_state(url: str) -> str:
    """moto's enforcement value, read without changing it (set, read the previous value, set it back)."""
    prev = requests.post(f"{url}/moto-api/reset-auth", data=b"inf", timeout=5).json()
    prev = prev["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    requests.post(f"{url}/moto-api/reset-auth", data=prev.encode(), timeout=5)
    return prev


def client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def state(url: str) -> dict:
    """Users (with their access keys) and buckets (with their tags), read with enforcement off."""
    prev = requests.post(f"{url}/moto-api/reset-auth", data=b"inf", timeout=5).json()
    prev = prev["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    try:
        iam, s3 = client(url, "iam"), client(url, "s3")
        users = {u["UserName"]: sorted(k["AccessKeyId"] for k in
                                       iam.list_access_keys(UserName=u["UserName"])["AccessKeyMetadata"])
                 for u in iam.list_users()["Users"]}
        buckets = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
        roles = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    finally:
        requests.post(f"{url}/moto-api/reset-auth", data=prev.encode(), timeout=5)
    return {"users": users, "buckets": buckets, "roles": roles}


def decoys(url: str) -> None:
    """Resources that merely look like hubgate's (its name pattern, its run tag)."""
    iam, s3 = client(url, "iam"), client(url, "s3")
    iam.create_user(UserName="hubgate-hub-abcdef")
    iam.create_access_key(UserName="hubgate-hub-abcdef")
    iam.create_user(UserName="someone-else")
    for b in ("hubgate-out-abcdef", "someone-elses-bucket"):
        s3.create_bucket(Bucket=b)
        s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "hubgate-run", "Value": "abcdef"}]})


def run(*args: str, state_dir: Path, wait: bool = True, **kw):
    env = dict(os.environ, HUBGATE_STATE_DIR=str(state_dir))
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    proc = subprocess.Popen([sys.executable, "-m", "hubgate.cli", "prove", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if not wait:
        return proc
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


GOOD = ["examples/good", "--scenario", "read-only-enforced,key-encoding,assume-role-external-id", "--format", "json"]


@pytest.mark.parametrize("enforcement", ["inf", "0.0"])
def test_run_leaves_the_server_as_found(moto_server, tmp_path, enforcement):
    decoys(moto_server)
    requests.post(f"{moto_server}/moto-api/reset-auth", data=enforcement.encode(), timeout=5)
    before = state(moto_server)
    code, out, err = run(*GOOD, "--endpoint", moto_server, state_dir=tmp_path)
    assert code == 0, err
    assert json.loads(out)["summary"]["pass"] == 2
    assert auth_state(moto_server) == enforcement  # enforcement as found (was: left on)
    assert state(moto_server) == before  # no hubgate-admin-* user with a live key, nothing else left
    assert not list(tmp_path.rglob("*.json"))  # the journal is gone after a clean run


def test_concurrent_runs_take_turns_and_agree(moto_server, tmp_path):
    before = state(moto_server)
    procs = [run(*GOOD, "--endpoint", moto_server, state_dir=tmp_path, wait=False) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=False):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    results = [[(s["scenario"], s["result"]) for s in json.loads(out)["scenarios"]] for out, _ in outs]
    assert results[0] == results[1]
    assert auth_state(moto_server) == "inf"
    assert state(moto_server) == before


def test_cleanup_removes_a_killed_runs_resources_by_id_and_never_lookalikes(moto_server, tmp_path):
    decoys(moto_server)
    before = state(moto_server)
    proc = run("examples/good", "--endpoint", moto_server, state_dir=tmp_path, wait=False)
    try:
        deadline = time.monotonic() + 60
        while True:  # kill -9 once the run has made its buckets and users
            journals = list((tmp_path / "runs").glob("*.json")) if (tmp_path / "runs").is_dir() else []
            made = json.loads(journals[0].read_text())["created"] if journals else []
            if sum(k == "user" for k, _, _ in made) >= 3:
                break
            assert time.monotonic() < deadline and proc.poll() is None, "the run ended before it was killed"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=30)
    left = state(moto_server)
    assert left != before and auth_state(moto_server) == "0.0"  # what a killed run leaves
    code, out, err = run("--cleanup", "--endpoint", moto_server, state_dir=tmp_path)
    assert code == 0, err
    assert state(moto_server) == before  # the lookalikes stay; everything of the killed run is gone
    assert "hubgate-hub-abcdef" not in err and "hubgate-out-abcdef" not in err
    assert auth_state(moto_server) == "inf"  # the killed run's enforcement switch put back
    assert not list(tmp_path.rglob("*.json"))


class Junk(http.server.BaseHTTPRequestHandler):
    def _junk(self):
        body = b"\x00\xffnot an S3 answer <Error><<"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _junk

    def log_message(self, *a):
        pass


@pytest.fixture
def junk_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Junk)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("backend, extra", [("moto", []), ("moto", ["--cleanup"]), ("seaweedfs", [])])
def test_a_server_answering_garbage_is_one_exit_2_line(junk_server, tmp_path, monkeypatch, backend, extra):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAJUNKJUNKJUNKJUNK")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "junk-secret-value-never-printed-0000000000")
    env = dict(os.environ, HUBGATE_STATE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "hubgate.cli", "prove", "examples/good", "--backend", backend,
                           "--endpoint", junk_server, *extra], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "ResponseParserError" not in proc.stderr.split(":")[0]
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, lines
    assert junk_server in lines[0]
    assert "junk-secret-value" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_run_still_leaves_the_server_as_found(moto_server, tmp_path, sig, code):
    decoys(moto_server)
    before = state(moto_server)
    proc = run("examples/good", "--endpoint", moto_server, state_dir=tmp_path, wait=False)
    try:
        deadline = time.monotonic() + 60
        while True:
            journals = list((tmp_path / "runs").glob("*.json")) if (tmp_path / "runs").is_dir() else []
            try:
                made = json.loads(journals[0].read_text())["created"] if journals else []
            except (OSError, ValueError):
                made = []
            if sum(k == "user" for k, _, _ in made) >= 3:
                break
            assert time.monotonic() < deadline and proc.poll() is None, "the run ended before the signal"
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert state(moto_server) == before
    assert auth_state(moto_server) == "inf"
    assert not list(tmp_path.rglob("*.json"))
