"""``hubgate manifest FILE`` (stream-validate an import manifest), ``manifest fix IN OUT``, ``manifest build``.

``manifest_command`` is a click group whose default subcommand is ``validate``: ``hubgate manifest FILE``
and ``hubgate manifest validate FILE`` are the same; bare ``hubgate manifest`` prints the group's help.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ..errors import InputError
from ..findings import SEVERITIES, at_or_above
from ..masking import mask
from ..output import on_terminal
from .bundles import bundle_at
from .options import (
    CONTEXT,
    TEXT_JSON,
    allow_outside_refs_option,
    chosen_rules,
    fail_on_option,
    format_option,
    output_option,
    quiet_option,
    selection_options,
)


class _DefaultGroup(click.Group):
    """A group that runs ``validate`` when the first argument is not a subcommand name (without arguments:
    the group's help, as every group)."""

    default = "validate"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@click.group("manifest", cls=_DefaultGroup, context_settings={"help_option_names": CONTEXT["help_option_names"]})
def manifest_command() -> None:
    """Stream-validate an import manifest (hubgate manifest FILE), or rewrite it (hubgate manifest fix IN OUT).

    \b
      hubgate manifest assets.json                       # HG501.. over the file, any size
      hubgate manifest assets.json --bundle integration.yaml
      hubgate manifest fix assets.json fixed.json --bundle integration.yaml
    """


def _load_bundle(path: str | None):
    return bundle_at(path) if path else None


def _progress(enabled: bool, total: int):
    """A rich progress bar (bytes and assets/s) on a terminal; (callback, stop) or (None, no-op)."""
    if not enabled:
        return None, lambda: None
    # rich's progress machinery only for a person watching a terminal
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    prog = Progress(
        TextColumn("[bold]manifest"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TextColumn("{task.fields[assets]:>10,} assets  {task.fields[rate]:>9,.0f} assets/s"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = prog.add_task("validate", total=total or None, assets=0, rate=0.0)
    t0 = time.perf_counter()
    prog.start()

    def update(pos: int, assets: int) -> None:
        dt = time.perf_counter() - t0
        prog.update(task, completed=pos, assets=assets, rate=assets / dt if dt > 0 else 0.0)

    return update, prog.stop


@manifest_command.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--bundle", "bundle_path", type=click.Path(),
              help="Integration bundle (a file, or a directory holding one): buckets, regions, CORS and the "
                   "permission policy the URLs must fit.")
@allow_outside_refs_option()
@click.option("--region", help="Region of buckets the bundle does not know (used in fixes).")
@format_option()
@output_option()
@fail_on_option("error")
@selection_options("HG50")
@click.option("--max-findings", type=click.IntRange(min=1), default=None,
              help="Stop after N findings (the rest of the file is not read).")
@quiet_option()
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: only on a terminal).")
def validate(file, bundle_path, region, fmt, output, fail_on, select, ignore, max_findings, quiet, progress) -> None:
    """Validate an import manifest (a JSON array of assets) without loading it whole.

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 unreadable input or malformed JSON
    (the findings before the error are still reported, and the error names the byte offset).
    """
    from ..manifest import Context, validate_file  # the validator: not on the start-up path of other commands

    sel = ign = None
    if select or ignore:  # the rule registry (and what it imports) only when needed: startup counts
        from ..rules import all_rules

        all_rules()
        sel, ign = chosen_rules(select, ignore)
    errors: list[InputError] = []
    bundle = None
    try:
        bundle = _load_bundle(bundle_path)
    except InputError as exc:
        errors.append(exc)
    secrets = bundle.secrets if bundle is not None else []
    path = Path(file)
    show = (on_terminal(sys.stderr) and not quiet) if progress is None else progress
    try:
        total = path.stat().st_size
    except OSError:
        total = 0
    cb, stop = _progress(show, total)
    stream = None
    if not quiet:  # findings are written as found, in every format: nothing is kept (constant memory)
        from ..reporters.stream import Stream  # only when findings are printed

        try:
            out = open(output, "w", encoding="utf-8") if output else _Echo()
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
        stream = Stream(fmt, out, file, (lambda text: mask(text, secrets)) if secrets else None)
    try:  # with --quiet the findings are only counted
        res = validate_file(path, file, Context(bundle, region), max_findings, sel, ign, cb,
                            sink=stream.finding if stream else _discard)
    finally:
        stop()
    errors += res.errors
    if stream is not None:
        stream.close(errors, res.counts)
        stream.out.close()
        for e in errors if fmt != "text" else ():
            click.echo(f"hubgate: {mask(str(e), secrets)}", err=True)
        _truncated(res, max_findings, file)
    failing = any(n for sev, n in res.counts.items() if at_or_above(sev, fail_on))
    sys.exit(2 if errors else 1 if failing else 0)


def _discard(finding) -> None:
    pass


def _truncated(res, max_findings, file) -> None:
    if res.truncated:
        click.echo(f"hubgate: stopped after {max_findings} finding(s) (--max-findings) at asset {res.assets - 1}; "
                   f"the rest of {file} was not read", err=True)


class _Echo:
    """stdout through click.echo (what CliRunner captures, and safe on odd terminals)."""

    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)

    def close(self) -> None:
        pass


@manifest_command.command("fix")
@click.argument("src", metavar="IN", type=click.Path(dir_okay=False))
@click.argument("dst", metavar="OUT", type=click.Path(dir_okay=False))
@click.option("--bundle", "bundle_path", type=click.Path(),
              help="Integration bundle (a file, or a directory holding one): the buckets' regions are added to "
                   "URLs that lack one.")
@allow_outside_refs_option()
@click.option("--region", help="Region to add to URLs of buckets the bundle does not know.")
@click.option("--literal-plus", is_flag=True,
              help="Keys hold a literal '+': write it as %2B (without this flag a '+' is left and reported).")
@format_option(TEXT_JSON, help=None)
@quiet_option()
def fix(src, dst, bundle_path, region, literal_plus, fmt, quiet) -> None:
    """Rewrite a manifest's URLs into the form Hub expects, streaming IN to OUT (IN may equal OUT).

    \b
    Rewrites: raw spaces and other unencoded characters -> %XX (UTF-8); path-style, legacy, dual-stack,
    s3:// and http:// URLs -> https://<bucket>.s3.<region>.amazonaws.com/<key>; a missing region -> the
    bucket's (from --bundle or --region); '+' -> %2B only with --literal-plus. Everything else is copied.
    OUT is written to a temporary file and moved into place only when IN was read to the end.
    What is left is what `hubgate manifest OUT` (same --bundle, --region) reports on the output.
    Exit codes: 0 nothing left, 1 problems left (listed), 2 unreadable input.
    """
    from ..manifest import Context, fix_file  # the rewriter: only this command needs it

    try:
        bundle = _load_bundle(bundle_path)
        rep = fix_file(Path(src), Path(dst), src, Context(bundle, region), literal_plus)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"hubgate: {dst}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    if not quiet:
        if fmt == "json":
            click.echo(json.dumps({
                "assets": rep.assets, "rewritten": rep.rewritten,
                "unfixed": [{"pointer": p, "rule": r, "message": m} for p, r, m in rep.unfixed], "counts": rep.counts,
            }, indent=2, ensure_ascii=False))
        else:
            for p, r, m in rep.unfixed:
                click.echo(f"{src} {r} not fixed: {m} ({p})")
            left = ", ".join(f"{rep.counts.get(sev, 0)} {sev}" + ("(s)" if sev != "info" else "") for sev in SEVERITIES)
            click.echo(f"{rep.assets} asset(s), {rep.rewritten} URL(s) rewritten, {len(rep.unfixed)} problem(s) "
                       f"left ({left}, as hubgate manifest {dst} reports), written to {dst}")
    sys.exit(1 if rep.unfixed else 0)


@manifest_command.command("build")
@click.option("--bucket", required=True, help="Bucket to list.")
@click.option("--prefix", default=None, help="Only keys under this prefix.")
@click.option("--region", default=None, help="The bucket's region (default: asked with GetBucketLocation).")
@click.option("--backend", type=click.Choice(["moto", "seaweedfs", "aws"]), default="aws", show_default=True,
              help="aws: the default boto3 credential chain; moto/seaweedfs: a running server at --endpoint.")
@click.option("--endpoint", default=None, help="S3 endpoint URL (required for moto/seaweedfs; loopback only).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Manifest file to write.")
@click.option("--include-folders", is_flag=True, help="Keep keys ending in '/' (folder placeholders) as assets.")
@format_option(TEXT_JSON, help=None)
@quiet_option()
def build(bucket, prefix, region, backend, endpoint, out, include_folders, fmt, quiet) -> None:
    """Write an import manifest for the objects of a real bucket (paginated ListObjectsV2, streamed to OUT).

    \b
    Each object becomes {"data": "https://<bucket>.s3.<region>.amazonaws.com/<key>", "externalId": "<key>"},
    the key UTF-8 percent-encoded (space %20, '+' %2B, '/' and '~' kept).
    Exit codes: 0 written, 2 the bucket could not be listed or OUT not written.
    """
    from ..manifest import build_manifest, make_client  # boto3: only this command needs it (imported lazily)

    try:
        client = make_client(backend, endpoint, region)
        rep = build_manifest(client, bucket, prefix, region, out, include_folders=include_folders)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        click.echo(f"hubgate: {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # botocore ClientError, NoCredentialsError, EndpointConnectionError...
        click.echo(f"hubgate: cannot list s3://{bucket}/{prefix or ''}: {exc}", err=True)
        sys.exit(2)
    if not quiet:
        if fmt == "json":
            click.echo(json.dumps({"assets": rep.assets, "skipped": rep.skipped, "region": rep.region,
                                   "out": rep.out}, indent=2))
        else:
            click.echo(f"{rep.assets} asset(s) from s3://{bucket}/{prefix or ''} (region {rep.region}) written to "
                       f"{rep.out}" + (f", {rep.skipped} folder key(s) skipped" if rep.skipped else ""))
    sys.exit(0)
