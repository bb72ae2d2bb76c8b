"""``hubgate report``: one self-contained page (HTML, or Markdown for a pull-request comment) for a security
review: verdict, findings with their fixes, live scenarios and the signing lock."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..output import write_report
from .options import fail_on_option

BACKENDS = ["moto", "seaweedfs", "minio", "aws"]


@click.command("report")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True,
              help="html: one self-contained page; markdown: a pull-request comment.")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the report to FILE instead of stdout.")
@fail_on_option("error")
@click.option("--prove", "backend", type=click.Choice(BACKENDS), metavar="BACKEND",
              help="Also run the live scenarios (as `hubgate prove`) on BACKEND: " + ", ".join(BACKENDS) + ".")
@click.option("--endpoint", metavar="URL", help="With --prove: an already running server on a loopback address.")
@click.option("--signing-lock", "lock", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also compare the signing libraries with this lock (as `hubgate signing compare`).")
def report_command(paths, fmt, out, fail_on, backend, endpoint, lock) -> None:
    """Write a review report: the verdict up top, findings by integration and severity with their fixes,
    and with --prove the scenario x result table with its evidence, with --signing-lock the lock's status.

    \b
      hubgate report examples/good examples/broken --out report.html
      hubgate report examples/good --prove seaweedfs --signing-lock signing.lock.json --out review.html
      hubgate report infra/ --format markdown > comment.md
    Secrets (keys, signatures, external IDs) are masked. The page has no script and loads nothing.
    Exit codes (as check): 0 pass, 1 findings at or above --fail-on, a failed scenario or a changed lock,
    2 unreadable input.
    """
    # deferred: the check pipeline and the S3 backends (~60 ms): only this command needs them
    from ..report import collect, render
    from ..scenarios.backends import BackendError

    if endpoint and not backend:
        raise click.UsageError("--endpoint needs --prove BACKEND")
    try:
        review = collect(list(paths), fail_on, backend, endpoint, lock)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except BackendError as exc:
        click.echo(f"hubgate: backend {backend}: {exc}", err=True)
        sys.exit(2)
    write_report(render(review, fmt), out)
    for e in review.errors:
        click.echo(f"hubgate: {review.hide(e)}", err=True)
    verdict, reasons = review.verdict()
    if out:
        click.echo(f"hubgate: {verdict.upper()}: {review.hide('; '.join(reasons))} (report: {out})", err=True)
    sys.exit(review.exit_code())
