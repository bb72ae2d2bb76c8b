"""``hubgate check --fix`` and ``--diff``: the command-line side of ``hubgate.fix``."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..fix import fix_paths
from ..masking import mask


def run_fix(paths, sel, ign, fail_on, config, baseline, iac, dry_run: bool, quiet: bool, verbose: bool = False):
    """Fix (or, ``dry_run``, print the diff and exit). Returns the report after the fixes, the secrets to
    mask and the summary line for stderr."""
    try:
        outcome = fix_paths(paths, sel, ign, fail_on, config, baseline, iac, write=not dry_run)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    summary = outcome.summary(dry_run)
    if verbose and not quiet:
        summary = "\n".join([mask(r, outcome.secrets) for r in outcome.reasons()] + [summary])
    if not dry_run:
        return outcome.report, outcome.secrets, summary
    click.echo(outcome.diff(), nl=False)
    for e in outcome.report.errors:
        click.echo(f"hubgate: {e}", err=True)
    if not quiet:
        click.echo(summary, err=True)
    sys.exit(2 if outcome.report.errors else 1 if outcome.files else 0)
