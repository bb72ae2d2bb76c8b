"""``hubgate prove``: live scenarios for a bundle against a real S3 API."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..masking import mask
from ..output import write_report
from .bundles import bundles_at
from .options import format_option, output_option, quiet_option

BACKEND_CHOICES = ["moto", "seaweedfs", "minio", "aws"]


@click.command("prove")
@click.argument("path", required=False, type=click.Path())
@click.option("--backend", type=click.Choice(BACKEND_CHOICES), default="moto", show_default=True,
              help="S3 API to prove against: embedded moto, SeaweedFS started on 127.0.0.1, MinIO in Docker, "
                   "or a real account.")
@click.option("--endpoint", metavar="URL", help="Use an already running server at URL instead of starting one "
                                                "(admin credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).")
@click.option("--allow-remote", is_flag=True, help="Let --endpoint name a host other than a loopback address.")
@click.option("--scenario", "selected", multiple=True, metavar="ID,...", help="Only these scenarios.")
@format_option()
@output_option()
@click.option("--cleanup", is_flag=True, help="With --endpoint (or --backend aws): remove what killed runs left on "
                                              "that server, exactly as their journals record it, then exit.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: print every control and check.")
@quiet_option()
@click.option("--strict", is_flag=True, help="Exit 1 also when a scenario is not-enforced or skipped.")
def prove_command(path, backend, endpoint, allow_remote, selected, fmt, output, cleanup, verbose, quiet,
                  strict) -> None:
    """Prove on a real S3 API that a bundle's integration behaves as the docs say.

    \b
    Scenarios: assume-role-external-id, read-only-enforced, presigned-get, revocation-invalidates-urls,
    presign-expiry, presign-tamper, cors-preflight, cross-bucket-isolation, key-encoding.
    Each result is pass, fail, not-enforced (the backend cannot demonstrate it; its negative control
    was not rejected) or skipped (with the reason). Every resource gets a unique name and is removed.
    \b
      hubgate prove examples/good                       # embedded moto
      hubgate prove examples/good --backend seaweedfs   # real S3 server on 127.0.0.1
    Exit codes: 0 at least one scenario passed and none failed; 1 a scenario failed (with --strict also
    any not-enforced or skipped); 2 bad input, or nothing could run or be proven (backend not installed
    or not started, provisioning failed, a bundle the backend cannot serve); 130 on SIGINT, 143 on SIGTERM.
    """
    # The scenarios and their S3 clients (boto3, moto...): only this command needs them.
    from ..scenarios.catalog import SCENARIOS
    from ..scenarios.choose import make_backend
    from ..scenarios.report import render
    from ..scenarios.session import Interrupted, run_cleanup, run_prove

    ids = [s.strip() for v in selected for s in v.split(",") if s.strip()]
    unknown = [s for s in ids if s not in SCENARIOS]
    if unknown:
        raise click.UsageError(f"unknown scenario {', '.join(unknown)} (choose from {', '.join(SCENARIOS)})")
    try:
        be = make_backend(backend, endpoint, allow_remote)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    if cleanup:
        try:
            removed, why = run_cleanup(be)
        except Interrupted as exc:
            click.echo(f"hubgate: {exc}", err=True)
            sys.exit(exc.code)
        if why:
            click.echo(f"hubgate: {why}", err=True)
            sys.exit(2)
        if not quiet:
            click.echo(f"hubgate: removed {len(removed)} straggler(s)" + "".join(f"\n  {r}" for r in removed), err=True)
        if path is None:
            sys.exit(0)
    if path is None:
        raise click.UsageError("missing argument PATH (a bundle file or a directory of bundles)")
    try:
        bundles = bundles_at(path)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    try:
        outcome = run_prove(bundles, be, ids or None, strict=strict)
    except Interrupted as exc:
        click.echo(f"hubgate: {exc}; the backend was stopped and what the run made removed", err=True)
        sys.exit(exc.code)
    secrets = [s for b in bundles for s in b.secrets]
    if not quiet:
        for line in outcome.messages():
            click.echo(f"hubgate: {mask(line, secrets)}", err=True)
    if not quiet and (outcome.results or fmt != "text"):
        write_report(mask(render(outcome.results, fmt, verbose=verbose, problems=outcome.problems), secrets), output)
    sys.exit(outcome.code)
