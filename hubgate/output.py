"""Writing a command's report: to ``--output FILE`` or stdout (shared by every subcommand).

Everything written goes through ``hubgate.redact`` (secrets masked, unencodable characters escaped). Files
are replaced atomically: the text goes to a temporary file in the same directory, which then takes the
target's place (keeping an existing file's mode), so a failed run never leaves a truncated report.
"""

from __future__ import annotations

import codecs
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import click

from .redact import clean, encodable, mask


class OutputError(click.ClickException):
    """The report could not be written: exit 2, like any input problem (it wins over findings' 1)."""

    exit_code = 2


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back (delivered when the block ends), where the platform can."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def replacing(path: str | os.PathLike, binary: bool = False, newline: str | None = "") -> Iterator[IO]:
    """A file handle whose content replaces ``path`` only when the block ends without an error: it is written to
    a temporary file in the same directory (given the existing file's mode, or the umask's default for a new
    one) which then takes ``path``'s place by rename. On any error, or a signal turned into an exception, the
    temporary file is removed and any existing file is left as it was. The one atomic writer of hubgate
    (reports, baselines, ``manifest fix/build`` output, ``check --fix``).

    A device or a FIFO (``-o /dev/null``, ``/dev/stdout``, a named pipe) is written in place: nothing can take
    its place (a rename would put a regular file where ``/dev/null`` was, for every program after). A link to a
    regular file (``-o /dev/stdout`` into a file, ``latest.json -> reports/1.json``) has that file replaced,
    and stays a link."""
    target = Path(path)
    try:
        st_mode = os.stat(target).st_mode
        if stat.S_ISREG(st_mode) and os.path.islink(target):  # the file a link names is replaced, not the link
            # (``-o /dev/stdout`` with stdout in a file: the rename replaced /dev/stdout itself)
            target = Path(os.path.realpath(target))
        mode = stat.S_IMODE(st_mode)
    except FileNotFoundError:
        st_mode = 0
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    if stat.S_ISCHR(st_mode) or stat.S_ISBLK(st_mode) or stat.S_ISFIFO(st_mode):
        with open(target, "wb") if binary else open(target, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        return
    tmp = None
    try:
        with _signals_held():  # the name is known before a SIGINT/SIGTERM can end the run
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)) as fh:
            yield fh
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` by rename; raises OSError, leaving any existing file as it was."""
    with replacing(path) as fh:
        fh.write(text)


def on_terminal(stream) -> bool:
    """Is ``stream`` a terminal (a person watching)? Not when it is closed: ``sys.stdout``/``sys.stderr`` are None
    after ``>&-``/``2>&-``."""
    return stream is not None and stream.isatty()


def write_report(text: str, output: str | None, color: bool | None = None) -> None:
    if output:
        try:
            atomic_write(output, clean(text))
        except OSError as exc:
            raise OutputError(f"cannot write {clean(output)}: {exc.strerror}") from None
        return
    text = mask(text)
    with _to_stdout():
        if "\x1b" in text or not _plain_utf8(sys.stdout):
            click.echo(encodable(text), nl=False, color=color)
        else:  # into a pipe or a file, nothing for click to strip: the bytes at once, encoded as ``clean`` writes
            # them (a corpus report of 12 MB: ~5 ms less)
            click.echo(text.encode("utf-8", "backslashreplace"), nl=False)


def write_chunks(chunks: list[bytes], output: str | None) -> None:
    """:func:`write_report` for a report made as UTF-8 pieces already masked and encodable (a JSON report whose
    findings' text its processes made, when no secret is known): the pieces written one after the other, not
    joined; to a stream that would not write a text as its UTF-8 bytes, as a text."""
    if output:
        try:
            with replacing(output, binary=True) as fh:
                fh.writelines(chunks)
        except OSError as exc:
            raise OutputError(f"cannot write {clean(output)}: {exc.strerror}") from None
        return
    if not _plain_utf8(sys.stdout):
        write_report(b"".join(chunks).decode("utf-8"), None)
        return
    with _to_stdout():
        for chunk in chunks:
            click.echo(chunk, nl=False)


@contextmanager
def _to_stdout() -> Iterator[None]:
    """Writing the report to stdout: a write that fails (a full disk, ``> /dev/full``, an I/O error) is an
    ``OutputError`` (exit 2, one line on stderr), not a traceback. The report's bytes not yet written are dropped
    (stdout then leads to the null device), so that the interpreter's own flush at exit does not fail again. A
    reader gone away (``BrokenPipeError``) is left to the CLI's handling, as before."""
    try:
        yield
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        with suppress(OSError, AttributeError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise OutputError(f"cannot write the report to stdout: {exc.strerror or exc}") from None


def _plain_utf8(stream) -> bool:
    """Would ``stream`` write a text as its UTF-8 bytes, unchanged? Not on a terminal (click's own console
    handling), not without a binary buffer under it (``io.StringIO``, a notebook), not in another encoding
    (``PYTHONIOENCODING=latin-1``, a Windows code page), not where it translates line ends (Windows)."""
    if stream is None or on_terminal(stream) or getattr(stream, "buffer", None) is None or os.linesep != "\n":
        return False
    try:
        return codecs.lookup(stream.encoding or "").name == "utf-8"
    except (LookupError, TypeError):
        return False
