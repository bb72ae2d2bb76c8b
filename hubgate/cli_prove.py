"""``hubgate prove``: live scenarios (DESIGN §6) for a bundle against a real S3 API."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .output import write_report

from .errors import InputError

BACKEND_CHOICES = ["moto", "seaweedfs", "minio", "aws"]


def _bundles(path: str) -> list:
    from .bundle import is_bundle_filename, load_bundle

    p = Path(path)
    if not p.exists():
        raise InputError(path, "no such file or directory")
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and is_bundle_filename(f.name))
        if not files:
            raise InputError(path, "no bundle here (integration.yaml|yml|json or *.hubgate.yaml|yml|json)")
    else:
        files = [p]
    return [load_bundle(f, os.path.relpath(f) if not f.is_absolute() else str(f)) for f in files]


@click.command("prove")
@click.argument("path", required=False, type=click.Path())
@click.option("--backend", type=click.Choice(BACKEND_CHOICES), default="moto", show_default=True,
              help="S3 API to prove against: embedded moto, SeaweedFS started on 127.0.0.1, MinIO in Docker, "
                   "or a real account.")
@click.option("--endpoint", metavar="URL", help="Use an already running server at URL instead of starting one "
                                                "(admin credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).")
@click.option("--allow-remote", is_flag=True, help="Let --endpoint name a host other than a loopback address.")
@click.option("--scenario", "selected", multiple=True, metavar="ID,...", help="Only these scenarios.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout.")
@click.option("--cleanup", is_flag=True, help="Remove what interrupted runs left on the backend (buckets tagged "
                                              "hubgate-run, users and roles named hubgate-*-<run>), then exit.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: print every control and check.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit code tells.")
def prove_command(path, backend, endpoint, allow_remote, selected, fmt, output, cleanup, verbose, quiet) -> None:
    """Prove on a real S3 API that a bundle's integration behaves as the docs say.

    \b
    Scenarios: assume-role-external-id, read-only-enforced, presigned-get, revocation-invalidates-urls,
    presign-expiry, presign-tamper, cors-preflight, cross-bucket-isolation, key-encoding.
    Each result is pass, fail, not-enforced (the backend cannot demonstrate it; its negative control
    was not rejected) or skipped (with the reason). Every resource gets a unique name and is removed.
    \b
      hubgate prove examples/good                       # embedded moto
      hubgate prove examples/good --backend seaweedfs   # real S3 server on 127.0.0.1
    Exit codes: 0 no scenario failed, 1 a scenario failed, 2 bad input or options.
    """
    from hubgate.scenarios.backends import BackendError, make_backend
    from hubgate.scenarios.catalog import SCENARIOS
    from hubgate.scenarios.report import render
    from hubgate.scenarios.runner import cleanup_stragglers, exit_code, prove

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
            be.start()
            try:
                removed = cleanup_stragglers(be)
            finally:
                be.stop()
        except Exception as exc:
            click.echo(f"hubgate: cleanup failed on {backend}: {exc}", err=True)
            sys.exit(2)
        if not quiet:
            click.echo(f"hubgate: removed {len(removed)} straggler(s)" + "".join(f"\n  {r}" for r in removed), err=True)
        if path is None:
            sys.exit(0)
    if path is None:
        raise click.UsageError("missing argument PATH (a bundle file or a directory of bundles)")
    try:
        bundles = _bundles(path)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    try:
        results = prove(bundles, be, ids or None)
    except BackendError as exc:
        click.echo(f"hubgate: backend {backend}: {exc}", err=True)
        sys.exit(2)
    if not quiet:
        secrets = [s for b in bundles for s in b.secrets]
        text = render(results, fmt, verbose=verbose)
        for s in secrets:
            text = text.replace(s, "****")
        write_report(text, output)
    sys.exit(exit_code(results))
