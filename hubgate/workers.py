"""Work shared with one forked child process: the second CPU of a machine checks half of a long list.

:func:`in_two` runs ``work`` over a list in two contiguous parts, the second in a child forked for it, and gives
the two results in the list's order -- what ``work`` over the whole list in parts gives here, so the caller's
output does not depend on whether a child ran. Used where ``fork()`` is (not on Windows), with more than one
CPU, no other thread, at least :data:`MIN_ITEMS` items, and ``HUBGATE_JOBS`` not ``1``. If the child cannot be
started or ends without a result (whatever the reason), this process does its part too.

The child ignores SIGINT (a Ctrl-C stops this process, which kills the child), ends at once on SIGTERM (not
through the CLI's handler), sends its result through a pipe (pickled plain values) and ends without the
interpreter's teardown; it is killed and reaped when this process stops waiting, whatever the reason.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
MIN_ITEMS = 200  # shorter lists: a child costs more than it saves (fork, the copy-on-write faults, the pipe)
PIPE_BYTES = 1 << 20  # the pipe's capacity asked for (Linux's limit for an unprivileged process, by default)
_FAILED = object()


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def may_fork() -> bool:
    """Is a forked helper possible and useful here? (``HUBGATE_JOBS=1`` turns helpers off.)"""
    return (hasattr(os, "fork") and os.environ.get("HUBGATE_JOBS", "").strip() != "1"
            and threading.active_count() == 1 and cpus() >= 2)


CHILD_SHARE = 0.45  # the child's part: a little less, as it starts later and pays for copying shared pages


def cut_at(weights: Sequence[int], share: float = CHILD_SHARE) -> int:
    """Where to cut a list so that the second part weighs about ``share`` of the whole (at least one item on
    each side)."""
    total = sum(weights)
    run = 0
    for i, w in enumerate(weights):
        run += w
        if run >= (1 - share) * total:
            return max(1, min(i + 1, len(weights) - 1))
    return max(1, len(weights) - 1)


def in_two(items: list, work: Callable[[list, bool], T], weights: Sequence[int] | None = None) -> list[T]:
    """``[work(first, True), work(second, False)]`` with the second part done by a forked child when that is
    possible (else ``[work(items, True)]``). ``work(part, here)``: ``here`` is False in the child (nothing
    drawn on the terminal there). ``weights``: each item's expected cost (default: one each)."""
    if len(items) < MIN_ITEMS or not may_fork():
        return [work(items, True)]
    cut = cut_at(weights if weights is not None else [1] * len(items))
    first, second = items[:cut], items[cut:]
    r, w = os.pipe()
    try:  # room for most of a result, so the child is done by the time this process reads
        import fcntl  # deferred: POSIX only, and needed only here

        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return [work(items, True)]
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(r)
        _child(work, second, w)
    os.close(w)
    try:
        mine = work(first, True)
        theirs = _receive(r)
    finally:
        _reap(pid)
    if theirs is _FAILED:
        theirs = work(second, True)
    return [mine, theirs]


def _child(work: Callable, part: list, fd: int) -> None:
    """In the child: do the part and send the result; ends the process, never returns."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler (it reports for the parent)
        if hasattr(signal, "pthread_sigmask"):  # a mask inherited from the parent
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
        result = work(part, False)
        with os.fdopen(fd, "wb", buffering=1 << 20) as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent does the part itself
        pass
    finally:
        os._exit(code)


def _receive(fd: int):
    """The child's result, or ``_FAILED`` when it ended without one."""
    with os.fdopen(fd, "rb", buffering=1 << 20) as pipe:
        try:
            return pickle.load(pipe)
        except Exception:  # noqa: BLE001 - the child ended early (killed, out of memory, an error)
            return _FAILED


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
