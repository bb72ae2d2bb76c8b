"""A closed stdout or stderr (``>&-``, ``2>&-``: ``sys.stdout``/``sys.stderr`` are None) and a signal landing just
after the helper process is forked: no traceback, the same report and exit code. Each test failed before its fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubgate import workers

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "tests" / "fixtures" / "bare-policies" / "wildcard.json"
HUBGATE = [sys.executable, "-m", "hubgate"]


def _policies(tmp_path: Path, n: int = 210) -> Path:
    d = tmp_path / "policies"
    d.mkdir()
    for i in range(n):
        shutil.copy(POLICY, d / f"p{i:04d}.json")
    return d


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("HUBGATE_JOBS", "NO_COLOR", "FORCE_COLOR")}
    return {**env, **extra}


def test_check_with_stdout_closed_ends_without_a_traceback():
    # `hubgate check DIR >&-`: sys.stdout is None; use_color called None.isatty() (AttributeError, exit 1)
    proc = subprocess.run([*HUBGATE, "check", str(ROOT / "examples" / "good")], cwd=ROOT, env=_env(),
                          stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1), timeout=60)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0


def test_check_of_a_long_policy_list_with_stderr_closed_still_writes_its_report(tmp_path):
    # `hubgate check DIR 2>&-` over 200+ files: _watched called None.isatty(); the report was lost (exit 1)
    d = _policies(tmp_path)
    args = [*HUBGATE, "check", str(d), "--format", "json"]
    want = subprocess.run(args, cwd=tmp_path, env=_env(), capture_output=True, timeout=120)
    got = subprocess.run(args, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2),
                         timeout=120)
    assert want.stdout and (got.returncode, got.stdout) == (want.returncode, want.stdout)


def test_manifest_with_stderr_closed_keeps_its_exit_code():
    # `hubgate manifest FILE 2>&-` on a clean manifest: exit 1 (None.isatty()) instead of 0
    proc = subprocess.run([*HUBGATE, "manifest", str(ROOT / "examples" / "good" / "assets.json")], cwd=ROOT,
                          env=_env(), stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2), timeout=60)
    assert proc.returncode == 0


_FORK_THEN_SIGNAL = """
import os, signal, sys
sig = getattr(signal, sys.argv[1])
real = os.fork
def fork():  # a signal sent to the process group lands in the child just after the fork
    pid = real()
    if pid == 0:
        os.kill(os.getpid(), sig)
    return pid
os.fork = fork
from hubgate.cli import main
sys.argv = ["hubgate", *sys.argv[2:]]
main()
"""


@pytest.mark.skipif(not hasattr(os, "fork") or workers.cpus() < 2, reason="no helper process here")
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_a_signal_at_the_fork_does_not_run_the_parents_handlers_in_the_child(tmp_path, sig):
    # The child handled it with the parent's handlers before child_signals(): it printed "hubgate: interrupted"
    # (or "terminated") and went up the parent's stack, while the parent finished the run alone.
    d = _policies(tmp_path)
    args = ["check", str(d), "--format", "json"]
    want = subprocess.run([*HUBGATE, *args], cwd=tmp_path, env=_env(HUBGATE_JOBS="1"), capture_output=True,
                          timeout=120)
    got = subprocess.run([sys.executable, "-c", _FORK_THEN_SIGNAL, sig, *args], cwd=tmp_path, env=_env(),
                         capture_output=True, timeout=120)
    assert got.stderr == b""
    assert (got.returncode, got.stdout) == (want.returncode, want.stdout)
