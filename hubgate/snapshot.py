"""``hubgate snapshot``: read a deployed integration (role, policies, buckets) into a bundle directory.

Only read-only calls are made: GetRole, ListAttachedRolePolicies, GetPolicy, GetPolicyVersion,
ListRolePolicies, GetRolePolicy (IAM) and GetBucketLocation, GetBucketCors, GetBucketPolicy (S3). Lists are
paginated. The directory written is an ordinary bundle (``integration.yaml`` with ``policy.json``,
``trust.json``, ``cors/<bucket>.json``) that ``hubgate check DIR`` reads; a bucket without CORS gets no
``cors:`` (so HG301 reports it), a bucket policy is kept next to it for the reviewer
(``bucket-policies/<bucket>.json``, referenced as ``x-bucket-policy``; no rule reads it yet).

The record fields that live only in Hub (storage name, the external ID Hub sends) are inferred: the name
is the role's name unless given; the external ID is the single literal ``sts:ExternalId`` of the trust
policy unless given.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# The permissions `hubgate snapshot` itself needs (README "Snapshot of a deployed integration").
SNAPSHOT_POLICY: dict = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "HubgateSnapshotReadRole",
            "Effect": "Allow",
            "Action": [
                "iam:GetRole",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:GetRolePolicy",
            ],
            "Resource": "arn:aws:iam::ACCOUNT-ID:role/ROLE-NAME",
        },
        {
            "Sid": "HubgateSnapshotReadPolicies",
            "Effect": "Allow",
            "Action": ["iam:GetPolicy", "iam:GetPolicyVersion"],
            "Resource": ["arn:aws:iam::ACCOUNT-ID:policy/*", "arn:aws:iam::aws:policy/*"],
        },
        {
            "Sid": "HubgateSnapshotReadBuckets",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:GetBucketCORS", "s3:GetBucketPolicy"],
            "Resource": ["arn:aws:s3:::BUCKET-NAME"],
        },
    ],
}


class SnapshotError(Exception):
    """A call failed for another reason than "not configured" (access denied, no such role/bucket)."""


@dataclass
class Snapshot:
    out: Path
    role_arn: str
    policies: list[str] = field(default_factory=list)
    buckets_without_cors: list[str] = field(default_factory=list)


def _doc(value: Any) -> Any:
    """IAM returns policy documents URL-encoded; boto3 usually decodes them already."""
    if isinstance(value, str):
        return json.loads(urllib.parse.unquote(value))
    return value


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _statements(doc: dict) -> list:
    st = doc.get("Statement", [])
    return [st] if isinstance(st, dict) else list(st)


def _literal_external_id(trust: dict, principal: str, key: str) -> str | None:
    found = set()
    for st in _statements(trust):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        p = st.get("Principal")
        values = []
        if isinstance(p, dict):
            for v in p.values():
                values += v if isinstance(v, list) else [v]
        if principal not in values:
            continue
        for op, block in (st.get("Condition") or {}).items():
            if op != "StringEquals" or not isinstance(block, dict):
                continue
            for k, v in block.items():
                vals = v if isinstance(v, list) else [v]
                if k.lower() == key.lower() and len(vals) == 1:
                    found.add(str(vals[0]))
    return found.pop() if len(found) == 1 else None


def _bucket_region(location: Any) -> str:
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else str(location)


def take_snapshot(
    role_name: str,
    buckets: list[str],
    out: Path,
    region: str | None = None,
    endpoint_url: str | None = None,
    session: Any = None,
    name: str | None = None,
    external_id: str | None = None,
) -> Snapshot:
    try:  # deferred: optional extra 'live' (boto3, ~150 ms)
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - depends on the installation
        raise SnapshotError("hubgate snapshot needs boto3: pip install 'hubgate[live]'") from None
    from .profile import builtin  # deferred: --help imports this module; the profiles only for a run

    profile = builtin()
    session = session or boto3.session.Session()
    iam = session.client("iam", endpoint_url=endpoint_url, region_name=region or "us-east-1")
    s3 = session.client("s3", endpoint_url=endpoint_url, region_name=region or "us-east-1")

    def call(what: str, fn, **kw):
        try:
            return fn(**kw)
        except ClientError as exc:
            raise SnapshotError(f"{what}: {_code(exc) or 'error'}: {exc.response.get('Error', {}).get('Message', exc)}") from None
        except BotoCoreError as exc:
            raise SnapshotError(f"{what}: {exc}") from None

    role = call(f"iam:GetRole {role_name}", iam.get_role, RoleName=role_name)["Role"]
    trust = _doc(role["AssumeRolePolicyDocument"])

    sources: list[tuple[str, dict]] = []
    try:
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
            for att in page.get("AttachedPolicies", []):
                arn = att["PolicyArn"]
                pol = call(f"iam:GetPolicy {arn}", iam.get_policy, PolicyArn=arn)["Policy"]
                ver = call(f"iam:GetPolicyVersion {arn}", iam.get_policy_version, PolicyArn=arn,
                           VersionId=pol["DefaultVersionId"])["PolicyVersion"]
                sources.append((f"managed {arn}", _doc(ver["Document"])))
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
            for pname in page.get("PolicyNames", []):
                rp = call(f"iam:GetRolePolicy {pname}", iam.get_role_policy, RoleName=role_name, PolicyName=pname)
                sources.append((f"inline {pname}", _doc(rp["PolicyDocument"])))
    except ClientError as exc:
        raise SnapshotError(f"listing the policies of role {role_name}: {_code(exc)}") from None

    if len(sources) == 1:
        permission = sources[0][1]
    else:
        versions = [d.get("Version") for _, d in sources]
        worst = next((v for v in versions if v != profile.policy_version), profile.policy_version)
        permission = {"Statement": [st for _, d in sources for st in _statements(d)]}
        if worst is not None:
            permission = {"Version": worst, **permission}

    out.mkdir(parents=True, exist_ok=True)

    def write(rel: str, value: Any) -> str:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
        return rel

    snap = Snapshot(out, role["Arn"], [label for label, _ in sources])
    bucket_entries = []
    for b in buckets:
        loc = call(f"s3:GetBucketLocation {b}", s3.get_bucket_location, Bucket=b).get("LocationConstraint")
        entry: dict[str, Any] = {"name": b, "region": _bucket_region(loc)}
        try:
            cors = s3.get_bucket_cors(Bucket=b)
            entry["cors"] = write(f"cors/{b}.json", {"CORSRules": cors.get("CORSRules", [])})
        except ClientError as exc:
            if _code(exc) != "NoSuchCORSConfiguration":
                raise SnapshotError(f"s3:GetBucketCors {b}: {_code(exc)}") from None
            snap.buckets_without_cors.append(b)
        try:
            bp = s3.get_bucket_policy(Bucket=b)
            entry["x-bucket-policy"] = write(f"bucket-policies/{b}.json", _doc(bp["Policy"]))
        except ClientError as exc:
            if _code(exc) != "NoSuchBucketPolicy":
                raise SnapshotError(f"s3:GetBucketPolicy {b}: {_code(exc)}") from None
        bucket_entries.append(entry)

    ext = external_id or _literal_external_id(trust, profile.trusted_principal, profile.external_id_key)
    record: dict[str, Any] = {
        "name": name or role["RoleName"],
        "provider": "aws",
        "access_type": "iam-delegated",
        "profile": profile.name,
        "role_arn": role["Arn"],
    }
    if ext is not None:
        record["external_id"] = ext
    rec_region = region or (bucket_entries[0]["region"] if bucket_entries else None)
    if rec_region:
        record["region"] = rec_region
    record["permission_policy"] = write("policy.json", permission if sources else {
        "Version": profile.policy_version, "Statement": []})
    record["trust_policy"] = write("trust.json", trust)
    record["buckets"] = bucket_entries
    if ext is None:
        record["x-hubgate-ignore"] = [{
            "rule": "HG405", "pointer": "/access_type",
            "reason": "external_id is part of Hub's storage record, not of the AWS account, and the trust "
                      "policy names no single literal external ID (pass --external-id to compare it)",
        }]
    record["x-hubgate-snapshot"] = {
        "taken_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "role": role["Arn"],
        "policies": snap.policies,
        "buckets_without_cors": snap.buckets_without_cors,
    }
    text = "# Written by `hubgate snapshot` (read-only calls); check with `hubgate check` on this directory.\n"
    import yaml  # here, not at module level: `hubgate --help` imports this module for its help text

    text += yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    (out / "integration.yaml").write_text(text, encoding="utf-8")
    return snap
