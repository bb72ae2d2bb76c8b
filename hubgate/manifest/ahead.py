"""The raw scan's splitting, done ahead in a child process for a large file: the other CPU splits the next blocks
while this process validates the last ones.

A child forked at the array's start reads the file on its own descriptor and runs the same splitter
(:func:`hubgate.manifest.scan.splits`: the regex split and the gaps' parsing), sending each run through a pipe in
a compact form (:meth:`hubgate.manifest.scan.Split.packed`: the matches' lengths as one array, the hosts as
numbers, the ids joined by newlines, the gaps' assets); this process reads the same bytes itself (for positions
and the plain reader's hand-over) and rebuilds the run. The runs, and so the findings, are those of the splitter
run here: the child only moves the work. If the child cannot be started or
ends early (whatever the reason), this process splits the rest itself from where the child's runs stopped.

Used where a helper may be forked (:func:`hubgate.workers.may_fork`: ``fork()`` exists, more than one CPU, no
other thread, ``HUBGATE_JOBS`` not ``1``) and for a file of at least :data:`MIN_BYTES`. The child ignores SIGINT
(a Ctrl-C stops this process, which stops the child), ends at once on SIGTERM (not through the CLI's handler),
and ends when this process closes the pipe or ends (its next write fails); it is killed and reaped when the scan
stops, whatever the reason.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

from ..workers import child_signals, hold_signals, may_fork, reap, release_signals, roomy_pipe

MIN_BYTES = 8 << 20  # smaller files: splitting here is as fast as starting a child


def ahead(path: Path, raw, offset: int, block_size: int, splitter: Callable, unpack: Callable) -> Iterator:
    """The splitter's runs from ``offset``: from a child process when worth it, else from ``raw`` here. The child
    sends each run's ``packed()`` form (plain values), which ``unpack`` turns back into a run."""
    try:
        size = os.fstat(raw.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = 0
    if size - offset < MIN_BYTES or not may_fork():
        return splitter(raw, offset, block_size)
    return _from_child(path, raw, offset, block_size, splitter, unpack)


def _child(path: Path, offset: int, block_size: int, splitter: Callable, fd: int) -> None:
    """In the child: split the file from ``offset`` and send the runs; ends the process, never returns."""
    code = 1
    try:
        child_signals()
        with open(path, "rb") as raw, os.fdopen(fd, "wb", buffering=0) as out:  # each run sent at once
            raw.seek(offset)
            for run in splitter(raw, offset, block_size):
                pickle.dump(run.packed(), out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(None, out)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent goes on alone from the last run it got
        pass
    finally:
        os._exit(code)


def _from_child(path: Path, raw, offset: int, block_size: int, splitter: Callable, unpack: Callable) -> Iterator:
    r, w = roomy_pipe()  # holds a few runs (Linux: 64 KiB by default), so neither side waits for the other's turn
    held = hold_signals()  # until the child has its own handlers (see hubgate.workers.hold_signals)
    try:
        pid = os.fork()
    except OSError:
        release_signals(held)
        os.close(r)
        os.close(w)
        yield from splitter(raw, offset, block_size)
        return
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(r)
        _child(path, offset, block_size, splitter, w)
    os.close(w)
    done = offset  # the end of the last run received
    try:
        release_signals(held)
        with os.fdopen(r, "rb", buffering=1 << 20) as pipe:
            while True:
                try:
                    msg = pickle.load(pipe)
                except Exception:  # noqa: BLE001 - the child ended early: the rest is split here
                    break
                if msg is None:
                    return
                run = unpack(msg)
                done = run.offset + run.size
                yield run
        raw.seek(done)
        yield from splitter(raw, done, block_size)
    finally:
        reap(pid)
