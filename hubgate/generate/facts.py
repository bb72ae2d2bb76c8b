"""The facts ``hubgate generate`` writes an integration from, validated, and the documents they make
(built by :mod:`hubgate.example` with every vendor fact from the profile)."""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..example import cors, read_policy, trust_policy as trust
from ..externalid import fresh_external_id
from ..profile import Profile, load_profile

FORMATS = ("bundle", "terraform", "cloudformation")
#: hubgate's defaults (not vendor facts): the role's and the policy statement's names
DEFAULT_ROLE_NAME = "HubStorageReadOnly"
SID = "HubReadOnly"

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# S3 "General purpose bucket naming rules": reserved prefixes and suffixes
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_STORAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid S3 general purpose bucket name (None when it is)."""
    if not 3 <= len(name) <= 63:
        return "must be 3 to 63 characters long"
    if not _BUCKET.match(name):
        return "may hold only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "must not have two adjacent dots, or a dot next to a hyphen"
    try:
        ipaddress.IPv4Address(name)
        return "must not be formatted as an IP address"
    except ValueError:
        pass
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        return "uses a prefix or suffix S3 reserves"
    return None


@dataclass(frozen=True)
class Facts:
    buckets: tuple[str, ...]
    region: str
    external_id: str
    profile: Profile
    profile_ref: str
    account_id: str | None = None
    role_name: str = DEFAULT_ROLE_NAME
    name: str = ""
    external_id_given: bool = field(default=True)  # False: a fresh one (``--external-id auto``)

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{self.role_name}"

    def command(self, fmt: str, out: str = "DIR") -> str:
        """The ``hubgate generate`` command line that produces this integration in ``fmt``."""
        args = ["hubgate", "generate", "--format", fmt]
        for b in self.buckets:
            args += ["--bucket", b]
        args += ["--region", self.region, "--external-id", self.external_id if self.external_id_given else "auto"]
        if self.profile_ref != "ango-hub":
            args += ["--profile", self.profile_ref]
        if self.account_id:
            args += ["--account-id", self.account_id]
        args += ["--role-name", self.role_name, "--name", self.name, "--out", out]
        return shlex.join(args)


def make_facts(buckets, region=None, external_id="auto", profile=None, account_id=None, role_name=None,
               name=None, fmt="bundle") -> Facts:
    """Validated facts; InputError (one line, exit code 2) names the first bad one."""
    if not buckets:
        raise InputError("--bucket", "give at least one bucket (--bucket NAME, repeatable)")
    seen: list[str] = []
    for b in buckets:
        problem = bucket_name_problem(b)
        if problem:
            raise InputError("--bucket", f"{b!r} is not a valid S3 bucket name: it {problem}")
        if b not in seen:
            seen.append(b)
    prof = load_profile(profile, Path.cwd(), "--profile")
    region = region or prof.default_region
    if not _REGION.match(region):
        raise InputError("--region", f"{region!r} is not an AWS region name (e.g. eu-central-1)")
    role_name = role_name or DEFAULT_ROLE_NAME
    if not _ROLE_NAME.match(role_name):
        raise InputError("--role-name", f"{role_name!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)")
    if account_id is not None and not _ACCOUNT.match(account_id):
        raise InputError("--account-id", f"{account_id!r} is not a 12-digit AWS account id")
    if fmt == "bundle" and account_id is None:
        raise InputError("--account-id", "required with --format bundle (the storage record's role ARN names it)")
    name = name or seen[0]
    if not _STORAGE_NAME.match(name):
        raise InputError("--name", f"{name!r} is not a usable storage name (letters, digits, space, ._-)")
    given = external_id not in (None, "", "auto")
    ext = external_id if given else fresh_external_id()
    return Facts(tuple(seen), region, ext, prof, profile or "ango-hub", account_id, role_name, name, given)


# --- the documents ------------------------------------------------------------------------------------------


def permission_policy(facts: Facts) -> dict:
    p = facts.profile
    return read_policy(*facts.buckets, actions=p.required_actions, version=p.policy_version, Sid=SID)


def trust_policy(facts: Facts) -> dict:
    p = facts.profile
    return trust(facts.external_id, principal={"AWS": p.trusted_principal}, action=p.trust_action,
                 key=p.external_id_key, version=p.policy_version)


def cors_headers(profile: Profile) -> tuple[str, ...]:
    return profile.cors_headers or ("*",)


def cors_configuration(facts: Facts) -> dict:
    p = facts.profile
    return cors(*p.cors_origins, methods=p.cors_methods, headers=cors_headers(p))


def bundle_record(facts: Facts, inline: bool = False) -> dict:
    """The storage record; with ``inline`` the documents are in it, else named as files (the bundle format)."""
    record: dict = {
        "name": facts.name,
        "provider": "aws",
        "access_type": "iam-delegated",
        "region": facts.region,
        "profile": facts.profile_ref,
        "role_arn": facts.role_arn,
        "external_id": facts.external_id,
        "permission_policy": permission_policy(facts) if inline else "policy.json",
        "trust_policy": trust_policy(facts) if inline else "trust.json",
        "buckets": [{"name": b, "cors": cors_configuration(facts) if inline else f"cors/{b}.json"}
                    for b in facts.buckets],
    }
    return record
