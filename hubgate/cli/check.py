"""``hubgate check``: static rules over bundles, directories of bundles, bare policies and IaC files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..masking import mask, registered
from ..output import write_chunks, write_report
from ..reporters import render
from .options import (
    Finished,
    allow_outside_refs_option,
    chosen_rules,
    color_option,
    fail_on_option,
    format_option,
    output_option,
    quiet_option,
    selection_options,
    use_color,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@format_option()
@output_option()
@fail_on_option(help="Lowest severity that makes the exit code 1 [default: error, or fail-on in the config].")
@selection_options("HG2")
@quiet_option()
@color_option()
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file (default: nearest .hubgate.toml, or pyproject.toml with [tool.hubgate]).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Only findings not in this baseline count (see --write-baseline).")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current findings as the accepted baseline and exit 0.")
@click.option("--role", "roles", multiple=True, metavar="NAME",
              help="Terraform/CloudFormation: the role(s) to assemble into bundles (default: every role the vendor "
                   "could assume).")
@click.option("--account-id", help="Terraform/CloudFormation: the account id when the file does not give it.")
@click.option("--external-id", help="Terraform/CloudFormation: the external ID the Hub storage record holds.")
@click.option("--default-region", help="Terraform/CloudFormation: the region when the file does not give it.")
@allow_outside_refs_option()
@click.option("-v", "--verbose", is_flag=True, help="Also say on stderr which rules did not run on a bare policy, and why.")
@click.option("--fix", is_flag=True,
              help="Apply the mechanical, safe fixes in place (formatting, key order and comments kept), then "
                   "report what remains.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes --fix would apply as a unified diff and write nothing; exit 1 when there is "
                   "something to fix.")
def check(paths, fmt, output, fail_on, select, ignore, quiet, color, config_path, baseline_path, write_baseline_path,
          roles, account_id, external_id, default_region, verbose, fix, show_diff) -> None:
    """Check integration bundles, directories of bundles (an organization), or bare IAM policy files.

    A file whose top level has a "Statement" is a bare IAM policy; a `terraform show -json` plan or a
    CloudFormation template is assembled into one bundle per role the vendor could assume;
    any other file must be a bundle. A directory is searched for integration.yaml|yml|json and
    *.hubgate.yaml|yml|json; a directory without bundles is searched for policy files instead.

    A directory of 200 policy files or more is checked by two processes where there are two CPUs (the report is
    the same); HUBGATE_JOBS=1 keeps it to one.
    """
    # deferred: the pipeline (rules, bundle loading, IaC readers; ~50 ms) imported here, not at module level:
    # `hubgate --help` and the other commands start without it.
    from ..baseline import read_baseline, write_baseline
    from ..check import check_paths, exit_code
    from ..config import find_config, load_config
    from ..iac import IacOptions

    try:
        config = load_config(Path(config_path) if config_path else find_config())
        baseline = read_baseline(baseline_path) if baseline_path else None
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    sel, ign = chosen_rules(select, ignore, config.select, config.ignore)
    fail_on = fail_on or config.fail_on or "error"
    iac = IacOptions.from_env()
    iac = IacOptions(
        roles=tuple(roles) or iac.roles,
        account_id=account_id or iac.account_id,
        external_id=external_id or iac.external_id,
        region=default_region or iac.region,
        profile=iac.profile,
    )
    skipped = [] if verbose else None
    if fix or show_diff:
        if write_baseline_path:
            raise click.UsageError("--fix/--diff and --write-baseline do not go together")
        from .fixing import run_fix  # deferred: the fixer (~60 ms) only for --fix/--diff

        report, secrets, summary = run_fix(list(paths), sel, ign, fail_on, config, baseline, iac, show_diff, quiet,
                                           verbose)
    else:
        report, secrets = check_paths(list(paths), sel, ign, fail_on, config, baseline, iac, skipped=skipped,
                                      fmt=None if write_baseline_path or quiet else fmt)
        summary = None
    if write_baseline_path:
        try:
            write_baseline(write_baseline_path, report.findings)
        except InputError as exc:
            click.echo(f"hubgate: {exc}", err=True)
            sys.exit(2)
        if not quiet:
            click.echo(f"hubgate: wrote {len(report.findings)} finding(s) to baseline {write_baseline_path}", err=True)
        sys.exit(2 if report.errors else 0)
    if not quiet:
        colored = use_color(color, output)
        chunks = None
        if fmt == "json" and not secrets and not registered():  # nothing to mask: the pieces as they were made
            from ..reporters.json_out import render_chunks

            chunks = render_chunks(report)
        if chunks is not None:
            write_chunks(chunks, output)
        else:
            write_report(mask(render(report, fmt, color=colored and fmt == "text"), secrets), output, color=colored)
        if fmt != "text":
            for e in report.errors:  # machine formats on stdout; input problems also on stderr
                click.echo(f"hubgate: {mask(str(e), secrets)}", err=True)
        for s in skipped or ():
            click.echo(f"hubgate: {s}", err=True)
    if summary and not quiet:
        click.echo(summary, err=True)
    raise Finished(exit_code(report))
