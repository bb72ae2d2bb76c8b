"""Writing a command's report: to ``--output FILE`` or stdout (shared by every subcommand)."""

from __future__ import annotations

from pathlib import Path

import click


def write_report(text: str, output: str | None, color: bool | None = None) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    else:
        click.echo(text, nl=False, color=color)
