"""``hubgate snapshot``: read a deployed integration into a bundle directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..snapshot import SNAPSHOT_POLICY, SnapshotError, take_snapshot

_POLICY_TEXT = json.dumps(SNAPSHOT_POLICY, indent=2)

HELP = f"""Read a deployed integration into a bundle directory that `hubgate check` reads.

Read-only calls only: iam:GetRole, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion,
iam:ListRolePolicies, iam:GetRolePolicy, s3:GetBucketLocation, s3:GetBucketCors, s3:GetBucketPolicy.
Credentials come from the usual AWS sources (environment, profile, instance role). The storage name
defaults to the role's name and the external ID to the trust policy's single literal sts:ExternalId.

\b
Exit codes: 0 written; 2 a call failed (access denied, no such role or bucket).

\b
The identity running it needs this policy (replace ACCOUNT-ID, ROLE-NAME, BUCKET-NAME):
{_POLICY_TEXT}
"""


@click.command("snapshot", help=HELP)
@click.option("--role-name", required=True, help="Name of the IAM role Hub assumes.")
@click.option("--bucket", "buckets", multiple=True, required=True, help="A bucket of the integration (repeatable).")
@click.option("--region", default=None, help="Region for the API calls and the record (default: the first bucket's).")
@click.option("--endpoint-url", default=None, help="API endpoint (e.g. a moto server), for IAM and S3.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write the bundle to (created if missing).")
@click.option("--name", default=None, help="Storage name as in Hub (default: the role name).")
@click.option("--external-id", default=None, help="External ID as Hub's storage record has it.")
def snapshot_command(role_name, buckets, region, endpoint_url, out, name, external_id):
    try:
        snap = take_snapshot(role_name, list(buckets), out, region=region, endpoint_url=endpoint_url,
                             name=name, external_id=external_id)
    except SnapshotError as exc:
        click.echo(f"hubgate snapshot: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {out / 'integration.yaml'} for {snap.role_arn} ({len(snap.policies)} policies, "
               f"{len(buckets)} buckets); check it with: hubgate check {out}")
    for b in snap.buckets_without_cors:
        click.echo(f"  bucket {b} has no CORS configuration", err=True)
