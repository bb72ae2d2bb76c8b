"""HG4xx: the storage record itself (what is typed into Hub's "Add Storage" dialog).

Docs (Ango Hub, "Set up a storage integration with AWS S3"): "enter a unique name for your storage, enter
the name of the region where the bucket is located, select "IAM Delegated" in the "Access Type" selector,
then paste the Role ARN and the External IDs"; for the IAM-user method "Both your Access Key ID and your
Secret Access Key will be alphanumeric strings, the former 20 and the latter 40 characters long."

Regions and partitions come from botocore's endpoint data (the same data the AWS SDKs resolve endpoints
with), never from a list in this file. Secret values are never quoted: key ids are shown masked
(``AKIA…WXYZ``), secret keys as ``****``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from hubgate import cache as table_cache, docrefs as ref
from hubgate.bundle import Bundle, Secret
from hubgate.example import (
    BUCKET,
    EXAMPLE_KEY_ID,
    EXAMPLE_SECRET,
    ROLE_ARN,
    cors,
    good_bundle,
    iam_user_bundle,
    policy,
    statement,
)
from hubgate.findings import Finding
from hubgate.iam.arn import ArnError, parse_arn
from hubgate.providers import S3_PROVIDERS
from hubgate.rules import Rule, Target, register

AWS_PROVIDERS = ("aws",)


# --- botocore endpoint data ------------------------------------------------------------------------------


def _endpoint_data_key() -> tuple:
    """What botocore's endpoint data depends on: its endpoints.json (and the user's overrides)."""
    folder = table_cache.package_dir("botocore")
    stamps = [table_cache.file_stamp(folder / "data" / "endpoints.json")] if folder else [None]
    stamps.append(table_cache.file_stamp(Path("~/.aws/models/endpoints.json").expanduser()))
    return ("botocore endpoints", tuple(stamps), os.environ.get("AWS_DATA_PATH"))


def _build_endpoint_tables() -> dict:
    # deferred: botocore (~100 ms) only when the cached endpoint tables are missing or stale
    import botocore.session
    from botocore.loaders import create_loader

    regions: dict[str, str] = {}
    session = botocore.session.get_session()
    names = list(session.get_available_partitions())
    for partition in names:
        for region in session.get_available_regions("s3", partition):
            regions.setdefault(region, partition)
    for part in create_loader().load_data("endpoints").get("partitions", ()):
        for region in part.get("regions", {}):
            regions.setdefault(region, part["partition"])
        if part["partition"] not in names:
            names.append(part["partition"])
    return {"regions": regions, "partitions": names}


@cache
def _endpoint_tables() -> dict:
    # kept in the user's cache per botocore data version: importing botocore and reading its endpoint data
    # costs ~0.5 s, more than the rest of checking a bundle
    return table_cache.cached("botocore-endpoints", _endpoint_data_key(), _build_endpoint_tables)


@cache
def region_partitions() -> dict[str, str]:
    """Every region botocore knows, mapped to its partition: the regions of S3 in each partition plus the
    regions listed in endpoints.json (a region S3 is not yet modelled in still belongs to a partition)."""
    return dict(_endpoint_tables()["regions"])


@cache
def partitions() -> tuple[str, ...]:
    return tuple(_endpoint_tables()["partitions"])


def _region_hint(region: str) -> str:
    known = region_partitions()
    if region.lower() in known:
        return f"Use {region.lower()!r} (region names are lower-case)"
    close = difflib.get_close_matches(region.lower(), sorted(known), n=1, cutoff=0.75)
    if close:
        return f"Did you mean {close[0]!r}?"
    return "Use the bucket's region as S3 shows it, e.g. 'eu-central-1' (see `aws s3api get-bucket-location`)"


# --- HG401 -----------------------------------------------------------------------------------------------

_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_ROLE_PATH = re.compile(r"(/[\x21-\x7e]*)?/")


def _role_arn_problem(value: str, target: Target) -> tuple[str, str] | None:
    """(message, fix) for a role ARN that is malformed or not an IAM role; None when it is fine."""
    fix = "Copy the Role ARN from the IAM console (Roles > your role > ARN), e.g. " + ROLE_ARN
    try:
        arn = parse_arn(value)
    except ArnError as exc:
        return f"role_arn is not an ARN: {exc}", fix
    if arn.partition not in partitions():
        return (f"role_arn {value!r} has the unknown partition {arn.partition!r} (botocore knows "
                f"{', '.join(partitions())})", fix)
    if arn.service != "iam":
        return f"role_arn {value!r} is an {arn.service} ARN, not an IAM role ARN", fix
    if arn.region:
        return f"role_arn {value!r} has the region {arn.region!r}, but IAM ARNs have an empty region field", fix
    if not re.fullmatch(r"\d{12}", arn.account):
        return f"role_arn {value!r} has the account {arn.account!r}, not a 12-digit account id", fix
    kind, sep, rest = arn.resource.partition("/")
    if kind != "role" or not sep:
        if value == target.profile.trusted_principal:
            return (f"role_arn {value!r} is Hub's own principal, not the role you created for Hub",
                    "Use the ARN of the role whose trust policy names Hub's principal")
        return f"role_arn {value!r} names an IAM {kind or 'resource'}, not a role (role/...)", fix
    path, _, name = ("/" + rest).rpartition("/")
    if not _ROLE_NAME.fullmatch(name) or not _ROLE_PATH.fullmatch(path + "/"):
        return f"role_arn {value!r} has the invalid role name {name!r}", fix
    return None


@register("HG401", "error", references=(ref.ANGO_AWS, ref.IAM_ARNS))
class RoleArn(Rule):
    """role_arn malformed, not a role, or in another partition

    ## What it checks
    `role_arn` (iam-delegated AWS bundles) must be an IAM role ARN: `arn:<partition>:iam::<12-digit
    account>:role/[path/]name` with a partition botocore knows, an empty region and a valid role name; and its
    partition must be the partition of every bucket (from the bucket's region, botocore's endpoint data). A
    user ARN (including Hub's own principal) or an S3 ARN is a finding.

    ## Why it matters
    The docs: "paste the Role ARN". Hub calls sts:AssumeRole on exactly this string; a user ARN, a typo or an
    ARN from another partition (aws-cn, aws-us-gov) makes every AssumeRole fail, and credentials from one
    partition cannot read buckets in another.

    ## Fix
    Paste the role's ARN as the IAM console shows it (Roles > your role > ARN).
    """

    fail_examples = (
        good_bundle(role_arn="arn:aws:iam::123456789012:user/AngoHubReadOnly"),
        good_bundle(role_arn="arn:aws:s3:::my-bucket"),
        good_bundle(role_arn="AngoHubReadOnly"),
        good_bundle(role_arn="arn:aws-cn:iam::123456789012:role/AngoHubReadOnly"),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(role_arn="arn:aws:iam::123456789012:role/service/AngoHubReadOnly"),
        good_bundle(role_arn="arn:aws-us-gov:iam::123456789012:role/AngoHubReadOnly", region="us-gov-west-1",
                    permission_policy=policy(statement(
                        ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                        [f"arn:aws-us-gov:s3:::{BUCKET}", f"arn:aws-us-gov:s3:::{BUCKET}/*"]))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or b.provider not in AWS_PROVIDERS or b.role_arn is None or b.access_type == "iam-user":
            return
        ptr = b.doc.pointer("role_arn")
        value = str(b.role_arn)
        problem = _role_arn_problem(value, target)
        if problem:
            yield self.finding(b.doc, ptr, problem[0], fix=problem[1])
            return
        arn = parse_arn(value)
        known = region_partitions()
        for bucket in b.buckets:
            region = b.bucket_region(bucket)
            part = known.get(region)
            if part is None or part == arn.partition:
                continue  # unknown regions are HG402's
            yield self.finding(
                b.doc, ptr,
                f"role_arn {value!r} is in partition {arn.partition!r} but bucket {bucket.name!r} is in region "
                f"{region!r} of partition {part!r}",
                fix=f"Use a role in the bucket's partition (arn:{part}:iam::{arn.account}:{arn.resource}) or "
                    f"correct the region",
            )
            return


# --- HG402 -----------------------------------------------------------------------------------------------


@register("HG402", "error", references=(ref.ANGO_AWS, ref.S3_ENDPOINTS))
class RegionUnknown(Rule):
    """Region unknown, or record and buckets disagree

    ## What it checks
    For AWS bundles, the record's `region` and every bucket's `region` must be a region botocore's endpoint
    data knows (S3's regions in every partition). A bucket whose region differs from the record's (or, without
    a record region, from the first bucket's) is a warning. Manifest URL regions are compared to the buckets'
    by the manifest rules (HG5xx).

    ## Why it matters
    The docs: "enter the name of the region where the bucket is located". Hub signs each URL for that region;
    an unknown region fails every request, and a bucket in another region than the record's gets URLs signed
    for the wrong region (S3 answers with a redirect or SignatureDoesNotMatch).

    ## Fix
    Use the bucket's region exactly as `aws s3api get-bucket-location` reports it (e.g. eu-central-1).
    """

    fail_examples = (
        good_bundle(region="eu-central1"),
        good_bundle(buckets=[{"name": BUCKET, "region": "mars-north-1", "cors": cors()}]),
        good_bundle(region="eu-central-1", buckets=[{"name": BUCKET, "region": "us-west-2", "cors": cors()}]),
    )
    pass_examples = (good_bundle(), good_bundle(buckets=[{"name": BUCKET, "region": "eu-central-1", "cors": cors()}]))

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or b.provider not in AWS_PROVIDERS:
            return
        known = region_partitions()
        if b.region is not None and b.region not in known:
            yield self.finding(
                b.doc, b.doc.pointer("region"),
                f"Region {b.region!r} is not an AWS region", fix=_region_hint(b.region),
            )
        reference = b.region if b.region in known else None
        ref_what = "the storage record's region"
        for bucket in b.buckets:
            if bucket.region is None:
                continue
            ptr = bucket.pointer + "/region"
            if bucket.region not in known:
                yield self.finding(
                    b.doc, ptr, f"Region {bucket.region!r} of bucket {bucket.name!r} is not an AWS region",
                    fix=_region_hint(bucket.region),
                )
                continue
            if reference is None:
                reference, ref_what = bucket.region, f"bucket {bucket.name!r}'s region"
                continue
            if bucket.region != reference:
                yield self.finding(
                    b.doc, ptr,
                    f"Bucket {bucket.name!r} is in region {bucket.region!r} but {ref_what} is {reference!r}",
                    fix=f"Correct the region, or put buckets of {bucket.region!r} in a storage of their own",
                    severity="warning",
                )


# --- HG403 -----------------------------------------------------------------------------------------------

_SECRET_CHARS = re.compile(r"[A-Za-z0-9/+]")


def _key_id_problem(secret: Secret, prefixes: tuple[str, ...]) -> str | None:
    v = secret.value
    if v != v.strip():
        return "has leading or trailing whitespace"
    if len(v) != 20:
        return f"has {len(v)} characters, not 20"
    if not re.fullmatch(r"[A-Z0-9]{20}", v):
        return "contains characters other than upper-case letters and digits"
    if not v.startswith(prefixes):
        return f"does not start with {' or '.join(prefixes)}"
    return None


def _secret_problem(secret: Secret) -> str | None:
    v = secret.value
    if v != v.strip():
        return "has leading or trailing whitespace"
    if len(v) != 40:
        return f"has {len(v)} characters, not 40"
    bad = sum(1 for ch in v if not _SECRET_CHARS.fullmatch(ch))
    if bad:
        return f"contains {bad} character(s) outside A-Za-z0-9/+"
    return None


@register("HG403", "error", references=(ref.ANGO_AWS, ref.IAM_ACCESS_KEYS))
class KeysMalformed(Rule):
    """IAM-user keys malformed

    ## What it checks
    For AWS bundles, `access_key_id` must be 20 upper-case letters and digits starting with a prefix the
    profile lists (`AKIA` long-term, `ASIA` temporary), and `secret_access_key` 40 characters of
    `A-Za-z0-9/+`. Swapped fields are recognised. Values are never printed: the key id appears masked
    (`AKIA…WXYZ`), the secret as `****`.

    ## Why it matters
    The docs: "Both your Access Key ID and your Secret Access Key will be alphanumeric strings, the former 20
    and the latter 40 characters long." A truncated paste, a stray space or a swapped pair makes every signed
    request fail with InvalidAccessKeyId or SignatureDoesNotMatch.

    ## Fix
    Copy both values again from the IAM console (Users > the user > Security credentials) or the key's CSV.
    """

    fail_examples = (
        iam_user_bundle(access_key_id="AKIAIOSFODNN7EXAMPL"),
        iam_user_bundle(access_key_id="akiaiosfodnn7example"),
        iam_user_bundle(secret_access_key=EXAMPLE_SECRET[:-1]),
        iam_user_bundle(secret_access_key=EXAMPLE_SECRET[:-1] + "!"),
        iam_user_bundle(access_key_id=EXAMPLE_SECRET, secret_access_key=EXAMPLE_KEY_ID),
    )
    pass_examples = (iam_user_bundle(), good_bundle())

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or b.provider not in AWS_PROVIDERS:
            return
        kid, sec = b.access_key_id, b.secret_access_key
        prefixes = target.profile.access_key_prefixes
        if kid is not None and sec is not None and _key_id_problem(kid, prefixes) and _secret_problem(sec) \
                and _key_id_problem(sec, prefixes) is None and _secret_problem(kid) is None:
            yield self.finding(
                b.doc, kid.pointer,
                f"access_key_id (****) and secret_access_key ({sec.masked('key-id')}) look swapped: the secret "
                f"is in the key id field",
                fix="Swap the values of access_key_id and secret_access_key",
            )
            return
        if kid is not None:
            problem = _key_id_problem(kid, prefixes)
            if problem:
                yield self.finding(
                    b.doc, kid.pointer, f"access_key_id {kid.masked('key-id')} {problem}",
                    fix="Copy the Access key ID again: 20 characters starting with "
                        + " or ".join(prefixes) + " (IAM console, Users > Security credentials)",
                )
        if sec is not None:
            problem = _secret_problem(sec)
            if problem:
                yield self.finding(
                    b.doc, sec.pointer, f"secret_access_key {sec.masked()} {problem}",
                    fix="Copy the Secret access key again (40 characters of A-Za-z0-9/+), or create a new "
                        "access key if it was not saved",
                )


# --- HG405 -----------------------------------------------------------------------------------------------

_DELEGATION = ("role_arn", "external_id", "trust_policy")
_KEYS = ("access_key_id", "secret_access_key")
_MEANING = {
    "role_arn": "role_arn (the ARN of the role Hub assumes)",
    "external_id": "external_id (the External ID entered in Hub)",
    "trust_policy": "trust_policy (the role's trust policy, a path or the document inline)",
}


def _present(b: Bundle, field: str) -> bool:
    return field in b.data and b.data[field] not in (None, "")


@register("HG405", "error", references=(ref.ANGO_AWS, ref.IAM_THIRD_PARTY, ref.IAM_ACCESS_KEYS))
class AccessTypeMismatch(Rule):
    """access_type does not fit the fields given

    ## What it checks
    For `aws` and `s3-compatible` bundles: `iam-delegated` needs `role_arn`, `external_id` and `trust_policy`
    and must not carry keys; `iam-user` needs `access_key_id` and `secret_access_key` and must not carry
    `role_arn`, `external_id` or `trust_policy`; without `access_type`, fields of both kinds are ambiguous.
    One finding per bundle and kind of mismatch.

    ## Why it matters
    The docs: "From the "Access Type" selector, pick "IAM User"" or "select "IAM Delegated"", each with its
    own fields. A role without its trust policy cannot be checked against the confused-deputy protections
    (HG2xx), and long-lived keys stored next to a delegation are one more credential to leak.

    ## Fix
    Keep exactly the fields of the chosen access type.
    """

    fail_examples = (
        good_bundle(trust_policy=None),
        good_bundle(access_key_id=EXAMPLE_KEY_ID, secret_access_key=EXAMPLE_SECRET),
        iam_user_bundle(role_arn=ROLE_ARN),
        iam_user_bundle(secret_access_key=None),
    )
    pass_examples = (good_bundle(), iam_user_bundle())

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or b.provider not in S3_PROVIDERS:
            return
        at_ptr = b.doc.pointer("access_type") if "access_type" in b.data else b.doc.base
        deleg = [f for f in _DELEGATION if _present(b, f)]
        keys = [f for f in _KEYS if _present(b, f)]
        for ptr, message, fix in _mismatches(b, at_ptr, deleg, keys):
            yield self.finding(b.doc, ptr, message, fix=fix)


def _but(access_type: str, fields: list[str], state: str, of: str = "") -> str:
    return f"access_type is '{access_type}' but {_join(fields)}{of} {'is' if len(fields) == 1 else 'are'} {state}"


def _mismatches(b: Bundle, at_ptr: str, deleg: list[str], keys: list[str]) -> Iterable[tuple[str, str, str]]:
    """(pointer, message, fix) for each kind of mismatch between ``access_type`` and the fields given."""
    if b.access_type == "iam-delegated":
        missing = [f for f in _DELEGATION if f not in deleg]
        if missing:
            yield (at_ptr, _but("iam-delegated", missing, "missing"),
                   f"Add {_join([_MEANING[f] for f in missing])}, or set access_type: iam-user")
        if keys:
            yield (b.doc.pointer(keys[0]), _but("iam-delegated", keys, "given (values not shown)"),
                   f"Remove {_join(keys)} (and deactivate the access key in IAM if nothing else uses it)")
    elif b.access_type == "iam-user":
        if deleg:
            yield (b.doc.pointer(deleg[0]), _but("iam-user", deleg, "given", of=" of IAM delegation"),
                   f"Remove {_join(deleg)}, or set access_type: iam-delegated and remove the keys")
        missing = [f for f in _KEYS if f not in keys]
        if missing:
            yield (at_ptr, _but("iam-user", missing, "missing"),
                   f"Add {_join(missing)} as ${{env:NAME}} references to the IAM user's access key")
    elif deleg and keys:
        yield (b.doc.base,
               f"access_type is not set and both delegation fields ({_join(deleg)}) and keys ({_join(keys)}) are given",
               f"Set access_type: iam-delegated and remove the keys, or access_type: iam-user and remove {_join(deleg)}")


def _join(fields: list[str]) -> str:
    return fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
