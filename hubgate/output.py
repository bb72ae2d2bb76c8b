"""Writing a command's report: to ``--output FILE`` or stdout (shared by every subcommand).

Everything written goes through ``hubgate.redact`` (secrets masked, unencodable characters escaped). Files
are replaced atomically: the text goes to a temporary file in the same directory, which then takes the
target's place (keeping an existing file's mode), so a failed run never leaves a truncated report.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import click

from .redact import clean


class OutputError(click.ClickException):
    """The report could not be written: exit 2, like any input problem (it wins over findings' 1)."""

    exit_code = 2


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` by rename; raises OSError, leaving any existing file as it was."""
    target = Path(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_report(text: str, output: str | None, color: bool | None = None) -> None:
    text = clean(text)
    if output:
        try:
            atomic_write(output, text)
        except OSError as exc:
            raise OutputError(f"cannot write {clean(output)}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False, color=color)
