"""Work shared with one forked child process: the second CPU of a machine checks part of a long list.

:func:`in_turns` cuts a list into chunks and runs ``work`` over each, and gives the chunks' results in the
list's order -- what ``work`` over the chunks one after the other gives here, so the caller's output does not
depend on whether a child ran or who did which chunk. This process works through the first half's chunks from
the front and a forked child through the second half's from the back (neighbouring items, e.g. the files of a
folder, share work each process then does once); whichever is done first goes on with the other's remaining
chunks (the chunks' numbers wait in two pipes both read), so both CPUs stay busy to the end even when one of
them is slowed by other work on the machine.

Used where ``fork()`` is (not on Windows), with more than one CPU, no other thread, at least :data:`MIN_ITEMS`
items, and ``HUBGATE_JOBS`` not ``1``. If the child cannot be started or ends without sending its results
(whatever the reason), this process does the chunks it has no result for.

The child ignores SIGINT (a Ctrl-C stops this process, which kills the child), ends at once on SIGTERM (not
through the CLI's handler), sends its results through a pipe (pickled plain values) and ends without the
interpreter's teardown; it is killed and reaped when this process stops waiting, whatever the reason.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
MIN_ITEMS = 200  # shorter lists: a child costs more than it saves (fork, the copy-on-write faults, the pipe)
CHUNK = 48  # items a turn: small enough to share the last ones out evenly, large enough to keep a chunk's
# items neighbours (files of a folder, in order, share the actions they name: each process looks them up once)
MAX_CHUNKS = 1024  # the queue's tickets are written before anyone reads them: 4 KiB, a page, fits any pipe (Linux
# gives a user over pipe-user-pages-soft pipes of one or two pages, not 64 KiB)
PIPE_BYTES = 1 << 20  # the result pipe's capacity asked for (Linux's limit for an unprivileged process, by default)
_TICKET = 4  # bytes of a chunk's number in the queue: a read of that size from a pipe is never split


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


def chunks(items: list, size: int | None = None) -> list[list]:
    """The list in chunks of ``size`` items, larger when there would be more than :data:`MAX_CHUNKS` (the
    queue's tickets must all fit in a pipe before anyone reads it)."""
    size = max(size or CHUNK, -(-len(items) // MAX_CHUNKS))
    return [items[i:i + size] for i in range(0, len(items), size)]


def halves(items: list, size: int | None = None) -> tuple[list[list], int]:
    """The list in chunks for two processes, and the number of the first half's: each half in chunks of
    ``size`` (as :func:`chunks`) from its outer end, tapering towards the middle, where the two meet and the
    last chunks are taken (the smaller those, the less one process waits for the other's last one)."""
    size = max(size or CHUNK, -(-len(items) // MAX_CHUNKS))
    mid = (len(items) + 1) // 2
    first = _tapered(items[:mid], size)
    second = [c[::-1] for c in _tapered(items[mid:][::-1], size)][::-1]
    return first + second, len(first)


def _tapered(items: list, size: int) -> list[list]:
    """Chunks of ``size`` from the front, then a quarter of what is left each (a few items at least)."""
    out, i, n, least = [], 0, len(items), max(1, size // 8)
    while i < n:
        step = min(size, max(least, (n - i) // 4))
        out.append(items[i:i + step])
        i += step
    return out


def in_turns(items: list, work: Callable[[list, bool], T], done: Callable[[int], None] | None = None) -> list[T]:
    """``[work(chunk, here) for chunk in halves(items)[0]]``, the chunks shared between this process and a
    forked child when that is possible (else ``[work(items, True)]``, or the :func:`chunks` one by one here when
    ``done`` is given). ``here`` is False in the child (nothing drawn on the terminal there). ``done(n)``: told here, after
    each chunk this process finishes, that about ``n`` items have been taken by either process (for a progress
    bar)."""
    if len(items) < MIN_ITEMS or not may_fork():
        # in chunks all the same when a progress bar is drawn, so it moves
        return [work(items, True)] if done is None else _here(chunks(items), work, {}, done, len(items))
    parts, half = halves(items)
    # this process's queue: the first half's chunks from the front; the child's: the second half from the back
    queues = (_queue(range(half)), _queue(range(len(parts) - 1, half - 1, -1)))
    r, w = roomy_pipe()  # the child's results: their places in ``shared``, or themselves when it is full
    shared = _shared_region(len(items))
    parent = os.getpid()
    held = hold_signals()  # a Ctrl-C or SIGTERM at the fork: the child never handles it as this process would
    try:
        pid = os.fork()
    except OSError:
        release_signals(held)
        for fd in (*queues, r, w):
            os.close(fd)
        if shared is not None:
            shared.close()
        return _here(parts, work, {}, done, len(items))
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(r)
        _child(work, parts, queues[::-1], _Outbox(w, shared), parent)
    os.close(w)
    inbox = _Inbox(r, shared)
    try:
        release_signals(held)  # (a signal held over the fork is handled here: the child is reaped below)
        mine = _take_turns(parts, work, queues, True, done, between=inbox.take)
        theirs = inbox.rest()
    finally:
        for fd in queues:
            os.close(fd)
        reap(pid)
        inbox.close()
    mine.update(theirs)
    return _here(parts, work, mine, done, len(items))


def _queue(numbers: range) -> int:
    """A pipe holding the chunk numbers, to be read 4 bytes at a time by both processes (a read of that size from
    a pipe is never split), closed for writing: an empty read means none is left."""
    r, w = os.pipe()
    os.set_blocking(w, False)  # never wait here for a reader that does not exist yet
    try:  # at most 4 KiB: fits the pipe; if it did not, the chunks whose tickets are left out are done here
        os.write(w, b"".join(i.to_bytes(_TICKET, "big") for i in numbers))
    except BlockingIOError:
        pass
    os.close(w)
    return r


def _take_turns(parts: list[list], work: Callable, queues: tuple[int, ...], here: bool, done=None,
                parent: int | None = None, between: Callable[[], None] | None = None,
                send: Callable[[int, object], None] | None = None) -> dict[int, object]:
    """Run ``work`` on each chunk whose number this process reads from its own queue, then from the other's,
    until both are empty: each process works through its own half in order (neighbouring files name the same
    actions, looked up once per process) and helps with the rest of the other's when done. ``parent`` (in the
    child): stop taking chunks once that process is gone (killed: nobody would read the results). ``send``: where
    each result goes as it is made (the child's, to this process) instead of the returned dict; ``between``: what
    to do after each chunk (here: take in what the child has sent so far, so that little is left for the end)."""
    results: dict[int, object] = {}
    taken = 0
    total = sum(map(len, parts))
    queue_of = iter(queues)
    queue = next(queue_of)
    while True:
        if parent is not None and os.getppid() != parent:
            raise SystemExit(1)
        ticket = os.read(queue, _TICKET)
        if len(ticket) < _TICKET:
            queue = next(queue_of, None)
            if queue is None:
                return results
            continue
        i = int.from_bytes(ticket, "big")
        if send is None:
            results[i] = work(parts[i], here)
        else:
            send(i, work(parts[i], here))
        if between is not None:
            between()
        taken += len(parts[i])
        if done is not None:
            done(min(total, 2 * taken))  # the other process has taken about as many


def _here(parts: list[list], work: Callable, results: dict, done, total: int) -> list:
    """Every chunk's result in order; a chunk neither process finished (all of them, with no child) is done here
    now, ``done`` told after each how far the list is through."""
    out, through = [], 0
    for i, part in enumerate(parts):
        through += len(part)
        if i in results:
            out.append(results[i])
            continue
        out.append(work(part, True))
        if done is not None:
            done(through)
    if done is not None and results:  # (with no result from the turns, the last chunk done here told it)
        done(total)
    return out


def _child(work: Callable, parts: list[list], queues: tuple[int, ...], out: _Outbox, parent: int) -> None:
    """In the child: take chunks from the queue until it is empty, each result sent as it is made; ends the process,
    never returns."""
    code = 1
    try:
        child_signals()
        _take_turns(parts, work, queues, False, parent=parent, send=out.send)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent does the chunks it has no result for
        pass
    finally:
        os._exit(code)


SHARED_PER_ITEM = 1 << 15  # room in the shared region per item for the child's results (a corpus policy's: ~11 KB)
SHARED_BYTES = 1 << 26  # at most this much: what does not fit goes through the pipe
# A result's frame in the pipe: its chunk's number, its offset in the shared region (_INLINE: the result follows
# the frame in the pipe) and its length. 20 bytes, written at once: a pipe never splits a write of up to PIPE_BUF.
_FRAME = struct.Struct(">IQQ")
_INLINE = (1 << 64) - 1


def _shared_region(items: int):
    """Memory shared with the child (an anonymous shared mapping made before the fork, sized to the list), or None:
    also under a limit on the address space (``ulimit -v``), which the mapping would count against whether or not
    its pages are ever written -- the pipe alone then."""
    try:
        import mmap  # deferred: only a run that forks
        import resource

        if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
            return None
        return mmap.mmap(-1, max(mmap.PAGESIZE, min(SHARED_BYTES, items * SHARED_PER_ITEM)))
    except (ImportError, OSError, ValueError, OverflowError):
        return None


class _Outbox:
    """The child's end: each chunk's result pickled as soon as it is made, into the shared region while that has
    room (only its place goes through the pipe, which then never fills and never holds the child up), else through
    the pipe itself."""

    def __init__(self, fd: int, shared) -> None:
        self.fd, self.shared, self.used = fd, shared, 0

    def send(self, i: int, result: object) -> None:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        n = len(data)
        if self.shared is not None and self.used + n <= len(self.shared):
            self.shared[self.used:self.used + n] = data
            _write_all(self.fd, _FRAME.pack(i, self.used, n))
            self.used += n
        else:
            _write_all(self.fd, _FRAME.pack(i, _INLINE, n) + data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Inbox:
    """This process's end: the child's results taken in between its own chunks (:meth:`take`, never waiting) and
    at the end (:meth:`rest`, until the child closes the pipe). A result that cannot be read (a child killed while
    writing it) is left out: its chunk is done here."""

    def __init__(self, fd: int, shared) -> None:
        self.fd, self.shared = fd, shared
        self.buf = bytearray()
        self.results: dict[int, object] = {}
        self.open = True
        os.set_blocking(fd, False)

    def take(self) -> None:
        """Whatever the child has sent so far, without waiting."""
        while self.open:
            try:
                data = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            self._add(data)

    def rest(self) -> dict[int, object]:
        """Every result the child sends, waiting until it closes its end of the pipe."""
        os.set_blocking(self.fd, True)
        while self.open:
            try:
                data = os.read(self.fd, 1 << 20)
            except OSError:
                data = b""
            self._add(data)
        return self.results

    def _add(self, data: bytes) -> None:
        """Read from the pipe (empty: it is closed); every whole frame so far unpickled."""
        if not data:
            self.open = False
            return
        buf = self.buf
        buf += data
        at = 0
        while len(buf) - at >= _FRAME.size:
            i, offset, n = _FRAME.unpack_from(buf, at)
            end = at + _FRAME.size + (n if offset == _INLINE else 0)
            if end > len(buf):
                break  # the rest of a result sent through the pipe is still coming
            try:
                self.results[i] = pickle.loads(buf[at + _FRAME.size:end] if offset == _INLINE
                                               else self.shared[offset:offset + n])
            except Exception:  # noqa: BLE001 - unreadable: its chunk is done here
                pass
            at = end
        del buf[:at]

    def close(self) -> None:
        os.close(self.fd)
        if self.shared is not None:
            self.shared.close()


def roomy_pipe() -> tuple[int, int]:
    """``os.pipe()``, its capacity raised to :data:`PIPE_BYTES` where the system allows (Linux), so a writer
    seldom waits for the reader."""
    r, w = os.pipe()
    try:
        import fcntl  # deferred: POSIX only, and needed only here

        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass
    return r, w


def hold_signals():
    """SIGINT and SIGTERM blocked (the previous mask returned; None where the platform cannot): from just before a
    fork until the child has its own handlers (:func:`child_signals`), so a signal sent to the process group at
    that moment does not run the parent's handlers in the child (its "interrupted" line, its exit path)."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, ValueError, OSError):
        return None


def release_signals(held) -> None:
    """The mask :func:`hold_signals` replaced, back (a signal held meanwhile is delivered now)."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def child_signals() -> None:
    """In a forked helper: Ctrl-C ignored (it stops the parent, which kills the helper), SIGTERM ends it at once
    (not through the CLI's handler, which reports and cleans up for the parent), no signal mask inherited from
    the parent (e.g. one held across a write)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_SETMASK, set())


def reap(pid: int) -> None:
    """Kill a helper (it may have ended already) and wait for it, so none outlives its parent's work."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
