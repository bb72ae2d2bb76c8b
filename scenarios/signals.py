"""SIGINT and SIGTERM during a live run: they raise :class:`Interrupted` (a ``BaseException``, so no
``except Exception`` of a scenario swallows it), except inside :func:`critical` blocks, where they wait for
the block's end, so a process, temp dir or admin identity is never half made or half removed. An
interrupted run exits ``130`` (SIGINT) or ``143`` (SIGTERM, 128 + 15, as shells report it)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Interrupted(BaseException):
    """SIGINT/SIGTERM arrived; ``code`` is the exit code (130 or 143)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.code = EXIT_SIGNAL.get(signum, 128 + signum)
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


class SignalGuard:
    """SIGINT/SIGTERM raise :class:`Interrupted`, except inside ``critical()`` where they wait for its end.

    Handlers can only be installed from the main thread; elsewhere the guard does nothing (the default
    KeyboardInterrupt still reaches the main thread).
    """

    _active: SignalGuard | None = None

    def __init__(self) -> None:
        self._depth = 0
        self._pending: int | None = None
        self._old: dict = {}
        self.received: int | None = None

    def _handler(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
        if self._depth:
            self._pending = self._pending or signum
            return
        raise Interrupted(signum)

    def _unraisable(self, info) -> None:
        if isinstance(info.exc_value, Interrupted):
            return  # raised inside a __del__/finalizer: no "Exception ignored" traceback; checkpoint() raises it
        self._old_hook(info)

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for s in EXIT_SIGNAL:
                self._old[s] = signal.signal(s, self._handler)
        self._old_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        SignalGuard._active = self
        return self

    def __exit__(self, *exc) -> None:
        for s, h in self._old.items():
            signal.signal(s, h)
        self._old.clear()
        if sys.unraisablehook == self._unraisable:
            sys.unraisablehook = self._old_hook
        if SignalGuard._active is self:
            SignalGuard._active = None

    @contextmanager
    def critical(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if not self._depth and self._pending is not None:
            signum, self._pending = self._pending, None
            raise Interrupted(signum)


def checkpoint() -> None:
    """Raise :class:`Interrupted` when a signal arrived but its exception was lost (raised while Python ran
    a ``__del__`` or a weakref callback, which only prints "Exception ignored"): the run stops at the next
    checkpoint instead of finishing with exit 0."""
    guard = SignalGuard._active
    if guard is not None and guard.received is not None and not guard._depth:
        raise Interrupted(guard.received)


@contextmanager
def critical() -> Iterator[None]:
    """Defer SIGINT/SIGTERM for the block when a :class:`SignalGuard` is active (a no-op otherwise)."""
    guard = SignalGuard._active
    if guard is None:
        yield
        return
    with guard.critical():
        yield
