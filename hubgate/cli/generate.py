"""``hubgate generate``: write a correct, least-privilege integration from a few facts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..masking import mask


@click.command("generate")
@click.option("--bucket", "buckets", multiple=True, metavar="NAME", required=True,
              help="A bucket Hub reads (repeatable).")
@click.option("--region", help="The storage record's region [default: the profile's default region].")
@click.option("--external-id", default="auto", show_default=True, metavar="auto|VALUE",
              help="The external ID of the trust policy and the record; auto: a fresh random UUID.")
@click.option("--profile", "profile_ref", metavar="NAME|FILE", help="Vendor profile [default: ango-hub].")
@click.option("--account-id", help="Your AWS account id (the role ARN); required with --format bundle.")
@click.option("--role-name", help="Name of the IAM role Hub assumes [default: HubStorageReadOnly].")
@click.option("--name", help="The storage name in Hub [default: the first bucket].")
@click.option("--format", "fmt", type=click.Choice(["bundle", "terraform", "cloudformation"]), default="bundle",
              show_default=True, help="bundle: hubgate bundle files; terraform: an HCL module; "
                                       "cloudformation: a template with parameters.")
@click.option("--out", "out", type=click.Path(file_okay=False), required=True, metavar="DIR",
              help="Directory to write the files into (created when missing).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def generate_command(buckets, region, external_id, profile_ref, account_id, role_name, name, fmt, out, force) -> None:
    """Write a correct, least-privilege integration: permission policy, trust policy with the
    sts:ExternalId condition, CORS for the profile's origins, and the storage record.

    \b
      hubgate generate --bucket my-images --account-id 123456789012 --out hub/       # bundle files
      hubgate generate --bucket a --bucket b --format terraform --out infra/hub
      hubgate generate --bucket a --format cloudformation --out cfn/
    The integration is checked by every rule before it is written; nothing is overwritten without --force.
    Exit codes: 0 written, 2 bad facts or files in the way.
    """
    from ..generate import make_facts, render, self_check, write_files  # deferred: ~15 ms, this command only

    secrets = [external_id] if external_id and external_id != "auto" else []
    try:
        facts = make_facts(buckets, region, external_id, profile_ref, account_id, role_name, name, fmt)
        self_check(facts)
        files = render(facts, fmt, out)
        written = write_files(files, Path(out), force)
    except InputError as exc:
        click.echo(f"hubgate: {mask(str(exc), secrets)}", err=True)
        sys.exit(2)
    for p in written:
        click.echo(f"wrote {p}")
    how = "given" if facts.external_id_given else "a fresh random UUID"
    click.echo(f"hubgate: {fmt} for {len(facts.buckets)} bucket(s) in {out}; external ID ({how}) is in the files, "
               "not printed", err=True)
