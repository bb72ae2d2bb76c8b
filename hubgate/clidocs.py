"""The command-line reference (``docs/cli.md``), generated from click's own help of every command.

``python -m hubgate.clidocs > docs/cli.md`` regenerates it. Help is rendered at a fixed width (100
columns), so the text does not depend on the terminal it is generated in.
"""

from __future__ import annotations

import click

from .cli import cli

REGENERATE = "python -m hubgate.clidocs > docs/cli.md"
WIDTH = 100


def _contexts(cmd: click.Command, name: str, parent: click.Context | None):
    """``(path, context)`` of ``cmd`` and every subcommand under it, depth first in click's listing order."""
    settings = {**cmd.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    ctx = click.Context(cmd, info_name=name, parent=parent, **settings)
    yield ctx.command_path, ctx
    if isinstance(cmd, click.Group):
        for sub in cmd.list_commands(ctx):
            child = cmd.get_command(ctx, sub)
            if child is not None and not child.hidden:
                yield from _contexts(child, sub, ctx)


def render_markdown(root: click.Command | None = None) -> str:
    """Every command's ``--help`` (``hubgate`` and each subcommand, groups' subcommands too) as Markdown."""
    if root is None:
        root = cli
    pages = list(_contexts(root, "hubgate", None))
    out = [
        "# hubgate command-line reference", "",
        "<!-- Generated from the commands' own help; do not edit. Regenerate with:",
        f"     {REGENERATE} -->", "",
        "Each section is the command's `--help`. Exit codes, for every command that checks something: "
        "`0` nothing at or above the failure threshold, `1` findings (or failing cases), `2` input that "
        "cannot be read (one line on stderr). The rule catalogue is in [rules.md](rules.md), the bundle "
        "format in [bundle-format.md](bundle-format.md).", "",
        *(f"- [`{path}`](#{path.replace(' ', '-')})" for path, _ in pages), "",
    ]
    for path, ctx in pages:
        out += [f"## {path}", "", "```text", ctx.command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_markdown())
