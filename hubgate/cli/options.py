"""Options shared by several commands, written once: ``--format``, ``--output/-o``, ``--fail-on``,
``--select/--ignore``, ``--quiet``, ``--color``; and how their values are read (ids, colour)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

import click

from ..findings import SEVERITIES
from ..output import on_terminal
from ..reporters import FORMATS

#: ``--format`` choices of the commands whose reports are findings or scenario results (the registry's order).
REPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)
#: ``--format`` choices of the commands that print a small document of their own.
TEXT_JSON: tuple[str, ...] = ("text", "json")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

Decorator = Callable[[Callable], Callable]


class Finished(SystemExit):
    """A command's exit once its report is written and nothing it started still runs: the console script then
    ends the process at once (``hubgate.cli.app.main``), skipping the interpreter's teardown, which frees the
    millions of objects of a large run one by one (a third of a corpus check). Under click's test runner, or
    any caller of ``cli`` or ``main``, it is the ``SystemExit`` it derives from."""


def format_option(choices: Sequence[str] = REPORT_FORMATS, help: str | None = "Output format.") -> Decorator:
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default="text", show_default=True,
                        help=help)


def output_option(help: str = "Write the report to a file instead of stdout.") -> Decorator:
    return click.option("--output", "-o", type=click.Path(dir_okay=False), help=help)


def fail_on_option(default: str | None = None, help: str | None = None) -> Decorator:
    """``--fail-on``: with ``default=None`` the command decides (e.g. from the config) and says so in ``help``."""
    if default is None:
        return click.option("--fail-on", type=click.Choice(list(SEVERITIES)), default=None, help=help)
    return click.option("--fail-on", type=click.Choice(list(SEVERITIES)), default=default, show_default=True,
                        help=help or "Lowest severity that makes the exit code 1.")


def selection_options(example: str) -> Decorator:
    """``--select`` and ``--ignore`` (repeatable, comma-separated ids or prefixes); ``example``: a prefix."""
    select = click.option("--select", multiple=True, metavar="ID,...",
                          help=f"Only these rules (ids or prefixes such as {example}).")
    ignore = click.option("--ignore", multiple=True, metavar="ID,...", help="Skip these rules (ids or prefixes).")
    return lambda f: select(ignore(f))


def quiet_option(help: str | None = "Print nothing; only the exit code tells.") -> Decorator:
    return click.option("--quiet", "-q", is_flag=True, help=help)


def color_option() -> Decorator:
    return click.option("--color/--no-color", default=None,
                        help="Colour the text report (default: only on a terminal).")


def allow_outside_refs_option() -> Decorator:
    """``--allow-outside-refs``: a bundle may reference files outside its own directory tree (refused by default,
    so a bundle cannot make hubgate read and quote ``../../home/.git-credentials``). Set for the whole run."""

    def apply(_ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        from ..bundle import set_allow_outside_refs  # the loader only when a command runs: keeps --help fast

        set_allow_outside_refs(value)
        return value

    return click.option("--allow-outside-refs", is_flag=True, expose_value=False, callback=apply,
                        help="Let bundles reference files outside their own directory tree (absolute or ../ "
                             "paths; refused by default).")


def split_ids(values: Sequence[str]) -> list[str]:
    """``--select HG1,HG2 --select HG3`` -> ``["HG1", "HG2", "HG3"]``."""
    out: list[str] = []
    for v in values:
        out += [x for x in v.split(",") if x.strip()]
    return out


def chosen_rules(select: Sequence[str], ignore: Sequence[str], default_select: Sequence[str] = (),
                 default_ignore: Sequence[str] = ()) -> tuple[set[str] | None, set[str] | None]:
    """``--select`` and ``--ignore`` (else the defaults, e.g. the config's) as the sets of rule ids they name
    (``None``: no narrowing); a usage error for an id or prefix no rule has."""
    from ..rules import expand_selection  # the rule registry only when a command reads a selection

    try:
        return (expand_selection(split_ids(select) or default_select),
                expand_selection(split_ids(ignore) or default_ignore))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def use_color(flag: bool | None, output: str | None, stream=None) -> bool:
    """Whether to colour: ``--color/--no-color`` when given; else no colour when ``NO_COLOR`` is set to
    anything non-empty (no-color.org), colour when ``FORCE_COLOR`` is (force-color.org; NO_COLOR wins when
    both are set); else colour only when writing to a terminal (not with ``-o FILE``)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stdout if stream is None else stream
    return not output and on_terminal(stream)
