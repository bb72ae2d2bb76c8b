"""Command line: ``hubgate check|rules|explain``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError
from .findings import SEVERITIES
from .output import write_report


def _split_ids(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out += [x for x in v.split(",") if x.strip()]
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="hubgate")
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


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout.")
@click.option("--fail-on", type=click.Choice(list(SEVERITIES)), default=None,
              help="Lowest severity that makes the exit code 1 [default: error, or fail-on in the config].")
@click.option("--select", multiple=True, metavar="ID,...", help="Only these rules (ids or prefixes such as HG2).")
@click.option("--ignore", multiple=True, metavar="ID,...", help="Skip these rules (ids or prefixes).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; only the exit code tells.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: only on a terminal).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file (default: nearest .hubgate.toml, or pyproject.toml with [tool.hubgate]).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Only findings not in this baseline count (see --write-baseline).")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current findings as the accepted baseline and exit 0.")
@click.option("--role", "roles", multiple=True, metavar="NAME",
              help="Terraform/CloudFormation: the role(s) to assemble into bundles (default: every role that trusts "
                   "the vendor principal).")
@click.option("--account-id", help="Terraform/CloudFormation: the account id when the file does not give it.")
@click.option("--external-id", help="Terraform/CloudFormation: the external ID the Hub storage record holds.")
@click.option("--default-region", help="Terraform/CloudFormation: the region when the file does not give it.")
def check(paths, fmt, output, fail_on, select, ignore, quiet, color, config_path, baseline_path, write_baseline_path,
          roles, account_id, external_id, default_region) -> None:
    """Check integration bundles, directories of bundles (an organization), or bare IAM policy files.

    A file whose top level has a "Statement" is a bare IAM policy; a `terraform show -json` plan or a
    CloudFormation template is assembled into one bundle per role that trusts the vendor principal;
    any other file must be a bundle (DESIGN §1). A directory is searched for integration.yaml|yml|json and *.hubgate.yaml|yml|json;
    a directory without bundles is searched for policy files instead.
    """
    from .baseline import read_baseline, write_baseline
    from .check import check_paths, exit_code, mask
    from .config import find_config, load_config
    from .reporters import render
    from .rules import expand_selection

    try:
        config = load_config(Path(config_path) if config_path else find_config())
        baseline = read_baseline(baseline_path) if baseline_path else None
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    try:
        sel = expand_selection(_split_ids(select) or config.select)
        ign = expand_selection(_split_ids(ignore) or config.ignore)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    fail_on = fail_on or config.fail_on or "error"
    from .iac import IacOptions

    iac = IacOptions.from_env()
    iac = IacOptions(
        roles=tuple(roles) or iac.roles,
        account_id=account_id or iac.account_id,
        external_id=external_id or iac.external_id,
        region=default_region or iac.region,
        profile=iac.profile,
    )
    report, secrets = check_paths(list(paths), sel, ign, fail_on, config, baseline, iac)
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
        use_color = (sys.stdout.isatty() and not output) if color is None else color
        text = mask(render(report, fmt, color=use_color and fmt == "text"), secrets)
        write_report(text, output, color=use_color)
        if fmt != "text":
            for e in report.errors:  # machine formats on stdout; input problems also on stderr
                click.echo(f"hubgate: {mask(str(e), secrets)}", err=True)
    sys.exit(exit_code(report))


@cli.command()
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(rule_id, fmt) -> None:
    """List the rule catalogue, or print one rule's documentation (what, why, examples, fix)."""
    from .ruledocs import catalogue, rule_doc

    if rule_id:
        from .rules import get_rule

        rule = get_rule(rule_id)
        if rule is None:
            click.echo(f"hubgate: unknown rule {rule_id!r}; `hubgate rules` lists them", err=True)
            sys.exit(2)
        click.echo(rule_doc(rule, fmt), nl=False)
    else:
        click.echo(catalogue(fmt), nl=False)


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--action", help="Action to decide, e.g. s3:PutObject (default with --principal: the profile's trust action).")
@click.option("--resource", help="Resource ARN, e.g. arn:aws:s3:::my-bucket/key.")
@click.option("--context", "context", multiple=True, metavar="KEY=VALUE",
              help="Request context value (repeatable; a key given twice is multivalued).")
@click.option("--principal", help="Trust side: the principal that calls sts:AssumeRole.")
@click.option("--external-id", help="Trust side: the sts:ExternalId the principal sends.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain(path, action, resource, context, principal, external_id, fmt) -> None:
    """Decide one request against a bundle's policies and say which statement decided it.

    \b
    Permission side:  --action s3:GetObject --resource arn:aws:s3:::b/key [--context aws:SourceIp=1.2.3.4]
    Trust side:       --principal arn:aws:iam::397578311638:user/angohub-delegate --external-id X
    Exit code 0 when allowed, 1 when denied, 2 on bad input.
    """
    from .explain import explain_request

    ctx: dict = {}
    for pair in context:
        if "=" not in pair:
            raise click.UsageError(f"--context {pair!r}: expected KEY=VALUE")
        k, v = pair.split("=", 1)
        if k in ctx:
            ctx[k] = (ctx[k] if isinstance(ctx[k], list) else [ctx[k]]) + [v]
        else:
            ctx[k] = v
    try:
        allowed, text = explain_request(path, action, resource, ctx, principal, external_id, fmt)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(text, nl=False)
    sys.exit(0 if allowed else 1)


def _add_commands() -> None:
    from .cli_manifest import manifest_command
    from .cli_prove import prove_command
    from .cli_signing import signing_group
    from .cli_snapshot import snapshot_command

    for command in (manifest_command, prove_command, signing_group, snapshot_command):
        cli.add_command(command)


_add_commands()


def main() -> None:
    try:
        cli(prog_name="hubgate")
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("hubgate: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
