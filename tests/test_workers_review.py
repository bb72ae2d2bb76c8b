"""Review of hubgate.workers: situations the helper child must survive without hanging the run or outliving it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "fork"),
                                reason="Linux pipes (F_SETPIPE_SZ) and /proc")

# The queue's pipe as the kernel gives it to a user already holding pipe-user-pages-soft (64 MiB by default: ~60
# concurrent runs, each asking 1 MiB for its result pipe): one page, or two since Linux 5.x. Every chunk number of
# a long list must not have to fit in it before anyone reads, or the first os.write blocks for ever.
_SMALL_QUEUE = r"""
import fcntl, os, sys
sys.path.insert(0, sys.argv[1])
from hubgate import workers
real_pipe = os.pipe
made = []
def pipe():
    r, w = real_pipe()
    if not made:  # the queue: the first pipe in_turns makes
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    made.append(w)
    return r, w
workers.os.pipe = pipe
workers.may_fork = lambda: True
out = workers.in_turns(list(range(120_000)), lambda part, here: len(part))
print(sum(out), len(out))
"""


@linux_only
def test_a_long_list_does_not_hang_on_a_small_queue_pipe():
    proc = subprocess.run([sys.executable, "-c", _SMALL_QUEUE, str(REPO)], capture_output=True, text=True,
                          timeout=20)
    assert proc.returncode == 0, proc.stderr
    total, chunks = map(int, proc.stdout.split())
    assert total == 120_000 and chunks > 1


# The parent is killed outright (SIGKILL: the OOM killer, `timeout -s KILL`, a CI job's hard limit): the child must
# not go on checking the rest of the list alone, holding the run's stdout/stderr open.
_PARENT = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from hubgate import workers
workers.may_fork = lambda: True
def work(part, here):
    time.sleep(0.05)
    return len(part)
print("ready", flush=True)
workers.in_turns(list(range(48 * 400)), work)  # 400 chunks of 50 ms: 10 s for two processes
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@linux_only
def test_the_child_does_not_outlive_a_killed_parent():
    proc = subprocess.Popen([sys.executable, "-c", _PARENT, str(REPO)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout.readline().strip() == b"ready"
    deadline = time.monotonic() + 10
    kids: list[int] = []
    while not kids and time.monotonic() < deadline:
        time.sleep(0.05)
        kids = _children(proc.pid)
    assert kids, "the helper was not forked"
    time.sleep(0.3)  # both busy taking turns
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 2  # a chunk takes 50 ms
    while _alive(kids[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    still = _alive(kids[0])
    if still:
        os.kill(kids[0], signal.SIGKILL)
    assert not still, "the helper went on alone after its parent was killed"
    proc.stdout.close()
