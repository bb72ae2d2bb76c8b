"""HG2xx: the trust policy of the role Hub assumes (IAM delegation).

Docs (Ango Hub, "Set up a storage integration with AWS S3"): the trust policy allows
``"AWS": "arn:aws:iam::397578311638:user/angohub-delegate"`` the action ``sts:AssumeRole`` under
``"StringEquals": {"sts:ExternalId": "..."}`` -- 'The "Principal -> AWS" property must be pasted as-is
and it is the same for all users'.

The same principal serves every Hub customer. That is the confused-deputy setting AWS describes for
third-party access ("How to use an external ID when granting access to your AWS resources to a third
party"): the only thing that stops another Hub customer from entering *your* role ARN in their own
"Add Storage" dialog, and having Hub read your buckets for them, is the external ID that Hub sends
from *your* storage record and that your trust policy demands. Every rule here protects one part of
that chain: who may assume (HG201), that the external ID is demanded (HG202), exactly (HG203), with
the value Hub really sends (HG204), for nothing but AssumeRole (HG205), and that it cannot be guessed
(HG206).

IAM semantics used: condition operators and keys are case-insensitive (``stringequals`` and
``sts:externalid`` are the same as ``StringEquals`` and ``sts:ExternalId``); conditions within one
statement are ANDed and statements are ORed; action names are case-insensitive.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable

from hubgate.example import EXTERNAL_ID, HUB_PRINCIPAL, good_bundle, trust_policy
from hubgate.findings import Finding
from hubgate.iam import actions as act
from hubgate.iam.arn import ArnError, parse_arn
from hubgate.iam.conditions import UnknownOperator, split_operator
from hubgate.iam.evaluate import action_in, principal_in
from hubgate.iam.policy import Condition, Policy, Principal, Statement
from hubgate.profile import Profile
from hubgate.rules import Rule, Target, register

_CONFUSED_DEPUTY = (
    "Hub assumes your role as one principal shared by all its customers, so any Hub customer can type "
    "your role ARN into their own storage dialog (the confused-deputy problem); "
)


# --- shared helpers -----------------------------------------------------------------------------------


def _applies(target: Target) -> Policy | None:
    """The trust policy when the HG2xx rules apply: a bare trust policy, or a bundle with a trust policy
    that is not iam-user (a trust policy on an iam-user bundle is HG405's finding, not four more)."""
    b = target.bundle
    if target.trust_policy is None or (b is not None and b.access_type == "iam-user"):
        return None
    return target.trust_policy


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_placeholder(value: object, profile: Profile) -> bool:
    low = str(value).lower()
    return any(p.lower() in low for p in profile.placeholders)


def _hub_statements(pol: Policy, profile: Profile) -> list[Statement]:
    """Allow statements through which the profile's principal can call the trust action."""
    want = profile.trusted_principal
    return [
        s for s in pol.allows()
        if action_in(s, profile.trust_action) and (s.principals is not None or s.not_principals is not None)
        and principal_in(s, want)
    ]


def _ext_conditions(s: Statement, profile: Profile) -> list[Condition]:
    key = profile.external_id_key.lower()
    return [c for c in s.conditions if c.key_lower == key]


def _deny_guards(pol: Policy, profile: Profile) -> list[Condition]:
    """External-ID conditions enforced by Deny instead of Allow: a Deny of the trust action for Hub's
    principal whose only conditions are ``StringNotEquals``/``StringNotLike`` (no IfExists, no set
    qualifier) on the external-ID key. IAM denies when the ID differs and also when it is absent (a negated
    operator on a missing key is true), so such a Deny requires the external ID as an Allow condition would."""
    key = profile.external_id_key.lower()
    out = []
    for s in pol.denies():
        if not s.conditions or not action_in(s, profile.trust_action):
            continue
        if s.principals is None and s.not_principals is None or not principal_in(s, profile.trusted_principal):
            continue
        parts = [(c, _split(c)) for c in s.conditions]
        if all(c.key_lower == key and p is not None and p[0] is None and not p[2] and p[1] in _NEGATED_STRING
               for c, p in parts):
            out += [c for c, _ in parts]
    return out


def _guard_weakness(c: Condition) -> str | None:
    distinct = sorted({str(v) for v in c.values})
    if _split(c)[1] == "stringnotlike" and any(act.has_wildcard(v) for v in distinct):
        return f"the Deny's {c.operator} on {c.key} with a wildcard pattern lets many external IDs through"
    if len(distinct) > 1:
        return f"the Deny's {c.operator} on {c.key} lets {len(distinct)} external IDs through"
    return None


def _record_id(target: Target) -> str | None:
    ext = target.bundle.external_id if target.bundle else None
    if ext is None or _is_placeholder(ext, target.profile):
        return None
    return ext


def _condition_fix(target: Target) -> str:
    value = _record_id(target) or "<the External ID you enter in Hub>"
    return f'"Condition": {{"StringEquals": {{"{target.profile.external_id_key}": "{value}"}}}}'


def _split(c: Condition) -> tuple[str | None, str, bool] | None:
    try:
        return split_operator(c.operator)
    except UnknownOperator:
        return None


_POSITIVE_STRING = ("stringequals", "stringequalsignorecase", "stringlike")
_NEGATED_STRING = ("stringnotequals", "stringnotequalsignorecase", "stringnotlike")


def _weakness(c: Condition) -> str | None:
    """Why one external-ID condition entry does not pin the external ID to one exact value (None: strong)."""
    parts = _split(c)
    if parts is None:
        return f"operator {c.operator!r} is not an IAM condition operator, so the condition does not pin the external ID"
    qualifier, op, if_exists = parts
    key = c.key
    if qualifier == "forallvalues":
        return (f"{c.operator} on {key} is true when the request carries no external ID at all "
                f"(ForAllValues: of an empty set)")
    if qualifier == "foranyvalue":
        return (f"{c.operator} applies a set operator to the single-valued key {key}, which AWS advises "
                f"against; only a plain StringEquals pins one value")
    if op == "null":
        wants_absent = any(str(v).lower() == "true" for v in c.values)
        if wants_absent:
            return f"Null on {key} with true requires that no external ID is sent at all"
        return f"Null on {key} only tests that some external ID is present: any value passes"
    if if_exists:
        return f"{c.operator} on {key} is true when the request carries no external ID at all"
    if op in _NEGATED_STRING:
        return f"{c.operator} on {key} accepts every external ID except the ones listed"
    if op not in _POSITIVE_STRING:
        return f"{c.operator} does not compare {key} as an exact string"
    wild = [v for v in c.values if act.has_wildcard(str(v))]
    if op == "stringlike" and wild:
        return f"StringLike on {key} with the wildcard pattern {str(wild[0])!r} accepts many external IDs"
    distinct = sorted({str(v) for v in c.values})
    if len(distinct) > 1:
        shown = ", ".join(repr(v) for v in distinct[:3]) + (" ..." if len(distinct) > 3 else "")
        return (f"{key} allows {len(distinct)} values ({shown}): each one opens the role, but Hub sends "
                f"only the one in your storage record")
    return None


# --- HG201 ---------------------------------------------------------------------------------------------


def _principal_problem(p: Principal, want: str) -> str:
    """One sentence on why this Principal entry is not exactly the profile's principal."""
    try:
        hub = parse_arn(want)
        hub_account = hub.account
    except ArnError:
        hub, hub_account = None, ""
    if p.kind == "*" or (p.kind == "AWS" and p.value == "*"):
        shown = '"*"' if p.kind == "*" else '{"AWS": "*"}'
        return f"Principal {shown} lets every AWS principal of every account assume the role"
    if p.kind == "Service":
        return (f"Service principal {p.value!r} can assume the role (and read the buckets) and never sends "
                f"an external ID")
    if p.kind == "Federated":
        return f"Federated principal {p.value!r} lets users of that identity provider assume the role"
    if p.kind != "AWS":
        return f"{p.kind} principal {p.value!r} is not Hub's principal {want!r}"
    v = p.value
    if re.fullmatch(r"\d{12}", v):
        who = "Ango Hub's account" if v == hub_account else "account"
        return (f"Principal {v!r} trusts every IAM user and role of {who} {v} that may call sts:AssumeRole, "
                f"not only {want}")
    if re.fullmatch(r"A[A-Z]{3}[A-Z0-9]{12,}", v):
        return (f"Principal {v!r} is an IAM unique ID, which IAM shows when the trusted principal was deleted: "
                f"the trust no longer names {want}")
    try:
        arn = parse_arn(v)
    except ArnError:
        return f"Principal {v!r} is neither an account id nor an ARN, so it is not Hub's principal {want!r}"
    if act.has_wildcard(v):
        return f"Principal {v!r} contains a wildcard; only Hub's exact principal {want!r} may be trusted"
    if hub is not None and arn.partition != hub.partition:
        return (f"Principal {v!r} is in partition {arn.partition!r}, not in Hub's partition {hub.partition!r}: "
                f"it is not Hub's principal {want!r}")
    if arn.service == "iam" and arn.resource == "root":
        who = "Ango Hub's account" if arn.account == hub_account else "account"
        return (f"Principal {v!r} trusts every IAM user and role of {who} {arn.account} that may call "
                f"sts:AssumeRole, not only {want}")
    if v.lower() == want.lower():
        return f"Principal {v!r} differs from Hub's principal {want!r} in letter case; paste it as-is"
    if arn.account == hub_account:
        return f"Principal {v!r} is another principal of Ango Hub's account, not the delegate {want!r}"
    return f"Principal {v!r} is not Hub's principal {want!r}: it lets that principal assume the role"


@register
class TrustPrincipal(Rule):
    id = "HG201"
    severity = "error"
    title = "Trust principal is not exactly Hub's principal"
    targets = ("bundle", "policy")
    what = (
        "Every Allow statement of the trust policy must name exactly the profile's principal (Ango Hub: "
        "`arn:aws:iam::397578311638:user/angohub-delegate`) and nothing else. Findings: `\"*\"` and "
        "`{\"AWS\": \"*\"}`, the account id `397578311638` or `arn:aws:iam::397578311638:root` (every "
        "principal of the account), other users or roles, extra principals in a list, `Service`, "
        "`Federated` and `CanonicalUser` principals, IAM unique ids (left when the trusted user was "
        "deleted), `NotPrincipal` with Allow, and a statement without Principal. One finding per entry."
    )
    why = (
        'The docs: the principal "must be pasted as-is and it is the same for all users". '
        + _CONFUSED_DEPUTY
        + "the external ID stops them only because nobody but Hub's delegate user can assume the role. Any "
        "wider principal (a wildcard, a whole account, a service) can assume the role with whatever "
        "external ID it chooses to send, and read your buckets."
    )
    fix = 'Set "Principal": {"AWS": "arn:aws:iam::397578311638:user/angohub-delegate"} and nothing else.'
    fail_examples = (
        good_bundle(trust_policy=trust_policy(principal="*")),
        good_bundle(trust_policy=trust_policy(principal={"AWS": "*"})),
        good_bundle(trust_policy=trust_policy(principal={"AWS": "397578311638"})),
        good_bundle(trust_policy=trust_policy(principal={"AWS": "arn:aws:iam::397578311638:root"})),
        good_bundle(trust_policy=trust_policy(principal={"AWS": [HUB_PRINCIPAL, "arn:aws:iam::111122223333:user/bob"]})),
        good_bundle(trust_policy=trust_policy(principal={"Service": "ec2.amazonaws.com"})),
        good_bundle(trust_policy=trust_policy(principal={"Federated": "cognito-identity.amazonaws.com"})),
    )
    pass_examples = (good_bundle(), good_bundle(trust_policy=trust_policy(principal={"AWS": [HUB_PRINCIPAL]})))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        if pol is None:
            return
        want = target.profile.trusted_principal
        exact = f'"Principal": {{"AWS": "{want}"}}'
        reported = False
        for s in pol.allows():
            if s.not_principals is not None:
                reported = True
                names = ", ".join(p.value for p in s.not_principals)
                yield self.finding(
                    pol.doc, s.pointer + "/NotPrincipal",
                    f"{_cap(s.label)} is an Allow with NotPrincipal ({names}): it trusts every principal except those",
                    fix=f"Replace NotPrincipal with {exact}",
                )
                continue
            if s.principals is None:
                reported = True
                yield self.finding(
                    pol.doc, s.pointer, f"{_cap(s.label)} of the trust policy names no Principal", fix=f"Add {exact}",
                )
                continue
            has_hub = any(p.kind == "AWS" and p.value == want for p in s.principals)
            for p in s.principals:
                if p.kind == "AWS" and p.value == want:
                    continue
                reported = True
                if has_hub:
                    fix = f"Remove {p.value!r} from the Principal of {s.label}; keep only \"{want}\""
                else:
                    fix = f"Replace it with {exact}"
                yield self.finding(pol.doc, p.pointer, _principal_problem(p, want), fix=fix)
        if not reported and not any(
            any(p.kind == "AWS" and p.value == want for p in s.principals or ()) for s in pol.allows()
        ):
            yield self.finding(
                pol.doc, pol.doc.pointer("Statement"),
                f"No Allow statement of the trust policy names Hub's principal {want!r}, so Hub cannot assume the role",
                fix=f"Add an Allow statement with {exact} and \"Action\": \"{target.profile.trust_action}\"",
            )


# --- HG202 ---------------------------------------------------------------------------------------------


@register
class NoExternalId(Rule):
    id = "HG202"
    severity = "error"
    title = "No sts:ExternalId condition"
    targets = ("bundle", "policy")
    what = (
        "Each Allow statement through which the profile's principal can call `sts:AssumeRole` (its own "
        "principal, or a wider one such as `*` or the account) must hold a condition on `sts:ExternalId` "
        "(the key in any letter case, under any operator), or a Deny of `sts:AssumeRole` for that principal must "
        "carry only `StringNotEquals`/`StringNotLike` on `sts:ExternalId` (which IAM also applies when the ID "
        "is absent). When one does, HG203/HG204 judge the condition."
    )
    why = (
        'The docs: "In the sts:externalId property, enter an external ID by which this role will be known." '
        + _CONFUSED_DEPUTY
        + "without an external-ID condition Hub assumes the role for whoever names it, and reads your "
        "buckets into their project."
    )
    fix = (
        'Add "Condition": {"StringEquals": {"sts:ExternalId": "<the External ID you enter in Hub>"}} to the '
        "statement. The finding's fix names the record's external ID, or a fresh random one (a UUID4) when the "
        "record's is guessable (HG206): a weak ID pasted into the condition would not protect the role."
    )
    fail_examples = (
        good_bundle(trust_policy=trust_policy(condition={})),
        good_bundle(trust_policy=trust_policy(condition={"StringEquals": {"aws:SourceAccount": "397578311638"}})),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(trust_policy=trust_policy(condition={"stringequals": {"sts:externalid": EXTERNAL_ID}})),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        if pol is None:
            return
        key = target.profile.external_id_key
        if _deny_guards(pol, target.profile):
            return  # a Deny demands the external ID for every Allow (HG203 judges it)
        weak = self.weak_record_id(target)
        if weak is not None:
            from hubgate.externalid import fresh_external_id

            cond = f'"Condition": {{"StringEquals": {{"{key}": "{fresh_external_id()}"}}}}'  # one per bundle
        for s in _hub_statements(pol, target.profile):
            if _ext_conditions(s, target.profile):
                continue
            ptr = s.pointer + "/Condition" if s.conditions else s.pointer
            if weak is None:
                fix = f"Add {_condition_fix(target)} to {s.label}"
            else:
                fix = (f"Add {cond} to {s.label}: a fresh random external ID, since the record's {weak!r} is "
                       "guessable; enter the same value as the storage's External ID in Hub")
            yield self.finding(
                pol.doc, ptr,
                f"{_cap(s.label)} lets {target.profile.trusted_principal} call {target.profile.trust_action} with no "
                f"{key} condition",
                fix=fix,
            )

    @staticmethod
    def weak_record_id(target: Target) -> str | None:
        """The record's external ID when HG206 calls it guessable (the fix then proposes a fresh one rather
        than pasting it into a condition); None when it is sound or absent."""
        record = _record_id(target)
        if record is None or target.bundle is None:
            return None
        judged = GuessableExternalId.judge(record, GuessableExternalId.names(target.bundle), target.profile)
        return record if judged[0] is not None else None


# --- HG203 ---------------------------------------------------------------------------------------------


@register
class WeakExternalIdCondition(Rule):
    id = "HG203"
    severity = "error"
    title = "Weak external-ID condition"
    targets = ("bundle", "policy")
    what = (
        "The `sts:ExternalId` condition of a statement Hub can use must pin one exact value: "
        "`StringEquals` (or `StringEqualsIgnoreCase`, or `StringLike` without wildcards) with a single value. "
        "Findings: `StringLike` with `*`/`?`, any `...IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`, "
        "negated operators (`StringNotEquals`, ...), non-string operators, unknown operators, and more than "
        "one allowed value. Operators and keys are matched case-insensitively, as IAM does; conditions in a "
        "statement are ANDed, so one exact condition on the key makes the statement strong."
    )
    why = (
        _CONFUSED_DEPUTY[0].upper() + _CONFUSED_DEPUTY[1:]
        + "the external ID is what tells your storage apart from theirs. A condition that accepts a pattern, "
        "several values, or no external ID at all (`IfExists`, `ForAllValues:` of an empty set) lets a "
        "request that is not from your storage record through."
    )
    fix = 'Use "StringEquals": {"sts:ExternalId": "<your external ID>"} with exactly one value.'
    fail_examples = (
        good_bundle(trust_policy=trust_policy(condition={"StringLike": {"sts:ExternalId": "6f0b1d4e-*"}})),
        good_bundle(trust_policy=trust_policy(condition={"StringEqualsIfExists": {"sts:ExternalId": EXTERNAL_ID}})),
        good_bundle(trust_policy=trust_policy(condition={"ForAnyValue:StringEquals": {"sts:ExternalId": EXTERNAL_ID}})),
        good_bundle(trust_policy=trust_policy(condition={"Null": {"sts:ExternalId": "false"}})),
        good_bundle(trust_policy=trust_policy(condition={"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, "c0ffee00-1111-4222-8333-444455556666"]}})),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(trust_policy=trust_policy(condition={"StringLike": {"sts:ExternalId": EXTERNAL_ID}})),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        if pol is None:
            return
        fix = f"Use {_condition_fix(target)} with exactly one value"
        guards = [(c, _guard_weakness(c)) for c in _deny_guards(pol, target.profile)]
        if any(w is None for _, w in guards):
            return  # a strong Deny guard is ANDed with every Allow
        for c, why in guards:
            yield self.finding(pol.doc, c.pointer, _cap(why), fix=f"List exactly one external ID in {c.operator}")
        for s in _hub_statements(pol, target.profile):
            conds = _ext_conditions(s, target.profile)
            if not conds:
                continue  # HG202
            weak = [(c, _weakness(c)) for c in conds]
            if any(w is None for _, w in weak):
                continue  # ANDed with an exact condition: the statement is pinned
            for c, why in weak:
                yield self.finding(pol.doc, c.pointer, f"In {s.label}, {why}", fix=fix)


# --- HG204 ---------------------------------------------------------------------------------------------


@register
class ExternalIdMismatch(Rule):
    id = "HG204"
    severity = "error"
    title = "Trust policy's external ID differs from the record's"
    needs = "it compares the trust policy with the storage record's external_id, which a bare policy file lacks"
    what = (
        "The literal external IDs of the trust policy (values of `StringEquals`, `StringEqualsIgnoreCase`, "
        "or wildcard-free `StringLike` on `sts:ExternalId`, in statements Hub can use) must include the "
        "bundle's `external_id`. Placeholders from the docs are left to HG109."
    )
    why = (
        'The docs: "paste the Role ARN and the External IDs we took note of earlier". Hub sends the external '
        "ID of the storage record; if the trust policy demands another value, AssumeRole is refused and no "
        "asset can be loaded. (Fixing it by widening the condition would reopen the confused-deputy hole the "
        "external ID closes.)"
    )
    fix = "Make the trust condition's value and the storage's External ID in Hub the same string."
    fail_examples = (good_bundle(external_id="c0ffee00-1111-4222-8333-444455556666"),)
    pass_examples = (
        good_bundle(),
        good_bundle(external_id=EXTERNAL_ID.upper(),
                    trust_policy=trust_policy(condition={"StringEqualsIgnoreCase": {"sts:ExternalId": EXTERNAL_ID}})),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        record = _record_id(target)
        if pol is None or record is None:
            return
        literals: list[tuple[str, Condition, bool]] = []  # value, condition, ignore case
        for s in _hub_statements(pol, target.profile):
            for c in _ext_conditions(s, target.profile):
                parts = _split(c)
                if parts is None or parts[1] not in _POSITIVE_STRING:
                    continue
                for v in c.values:
                    v = str(v)
                    if act.has_wildcard(v) and parts[1] == "stringlike":
                        continue
                    if _is_placeholder(v, target.profile):
                        continue
                    literals.append((v, c, parts[1] == "stringequalsignorecase"))
        for c in _deny_guards(pol, target.profile):
            parts = _split(c)
            for v in c.values:
                v = str(v)
                if not (parts[1] == "stringnotlike" and act.has_wildcard(v)) and not _is_placeholder(v, target.profile):
                    literals.append((v, c, parts[1] == "stringnotequalsignorecase"))
        if not literals:
            return
        for v, _, ignore_case in literals:
            if v == record or (ignore_case and v.lower() == record.lower()):
                return
        values = sorted({v for v, _, _ in literals})
        shown = ", ".join(repr(v) for v in values)
        first = literals[0]
        yield self.finding(
            pol.doc, first[1].pointer,
            f"The trust policy accepts external ID {shown} but the storage record's external_id is {record!r}, "
            f"so Hub's {target.profile.trust_action} is refused",
            fix=f"Set the condition value to \"{record}\", or enter {first[0]!r} as the storage's External ID in "
                f"Hub (external_id in the bundle)",
        )


# --- HG205 ---------------------------------------------------------------------------------------------


@register
class TrustActions(Rule):
    id = "HG205"
    severity = "error"
    title = "Trust statement allows more than sts:AssumeRole"
    targets = ("bundle", "policy")
    what = (
        "Allow statements of the trust policy may grant only the profile's trust action (`sts:AssumeRole`, "
        "any letter case; a wildcard that expands to nothing else is accepted). Findings: other STS actions "
        "(`sts:AssumeRoleWithWebIdentity`, ...), wildcards (`sts:*`, `*`, `sts:Assume*`), `NotAction`; the "
        "profile's info actions (`sts:TagSession`) alone are reported as info. Also an error when no "
        "statement for Hub's principal grants `sts:AssumeRole` at all (Hub cannot assume the role). Unknown "
        "action names are HG111's."
    )
    why = (
        'The docs grant exactly "Action": "sts:AssumeRole". '
        + _CONFUSED_DEPUTY
        + "extra STS actions (web-identity or SAML federation, setting source identity, `sts:*`) are further "
        "ways into the role that the external-ID condition was not written for. `sts:TagSession` only lets "
        "Hub tag its session: worth knowing if your policies use principal tags."
    )
    fix = 'Set "Action": "sts:AssumeRole".'
    fail_examples = (
        good_bundle(trust_policy=trust_policy(action="sts:*")),
        good_bundle(trust_policy=trust_policy(action=["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"])),
        good_bundle(trust_policy=trust_policy(action=["sts:AssumeRole", "sts:TagSession"])),
    )
    pass_examples = (good_bundle(), good_bundle(trust_policy=trust_policy(action="STS:assumerole")))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        if pol is None:
            return
        profile = target.profile
        want = profile.trust_action
        info = {a.lower() for a in profile.trust_info_actions}
        fix = f'Set "Action": "{want}"'
        unknown = False
        for s in pol.allows():
            if s.not_actions is not None:
                names = ", ".join(a.value for a in s.not_actions)
                yield self.finding(
                    pol.doc, s.pointer + "/NotAction",
                    f"{_cap(s.label)} is an Allow with NotAction ({names}): it grants every other action on the role",
                    fix=f"Replace NotAction with \"Action\": \"{want}\"",
                )
                continue
            for item in s.actions:
                value = item.value
                if act.has_wildcard(value):
                    names = {a.full.lower(): a.full for a in act.expand(value)}
                    if not names:
                        unknown = True
                        continue  # HG111
                elif act.lookup(value) is None and value.lower() != want.lower():
                    unknown = True
                    continue  # HG111
                else:
                    names = {value.lower(): value}
                extra = {k: v for k, v in names.items() if k != want.lower()}
                if not extra:
                    continue
                if set(extra) <= info:
                    listed = ", ".join(sorted(extra.values()))
                    also = f" (it allows {listed})" if act.has_wildcard(value) else ""
                    yield self.finding(
                        pol.doc, item.pointer,
                        f"Action {value!r}{also} lets the trusted principal tag its role session, which can "
                        f"change what tag-based policies allow",
                        fix=f"Remove {value!r} unless you rely on session tags",
                        severity="info",
                    )
                    continue
                if value == "*":
                    msg = f"Action '*' in {s.label} of the trust policy allows every action, not only {want}"
                elif act.has_wildcard(value):
                    sample = sorted(v for k, v in extra.items() if k not in info)
                    more = f" and {len(sample) - 3} more" if len(sample) > 3 else ""
                    msg = (f"Action {value!r} allows {', '.join(sample[:3])}{more} besides {want}")
                else:
                    msg = f"Action {value!r} in {s.label} of the trust policy is not {want}"
                yield self.finding(pol.doc, item.pointer, msg,
                                   fix=fix if act.has_wildcard(value) else f"Remove {value!r}; keep only \"{want}\"")
        if unknown:
            return
        hub = profile.trusted_principal
        for_hub = [s for s in pol.allows() if (s.principals is not None or s.not_principals is not None)
                   and principal_in(s, hub)]
        if for_hub and not any(action_in(s, want) for s in for_hub):
            s = for_hub[0]
            yield self.finding(
                pol.doc, s.pointer + ("/Action" if s.actions else ""),
                f"No statement lets {hub} call {want}, so Hub cannot assume the role",
                fix=f'Add "{want}" to the Action of {s.label}',
            )


# --- HG206 ---------------------------------------------------------------------------------------------


def shannon_bits(value: str) -> float:
    """Shannon entropy of the characters of ``value``, in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


MIN_DISTINCT = 6
# Shannon entropy of a short sample is biased low: 2.0 bits/char flags none of 200,000 random 16-character
# hex strings and 0.03% of random 16-digit strings, while patterned values fall far below it.
MIN_BITS_PER_CHAR = 2.0


def low_entropy(value: str) -> str | None:
    """Why a string is easy to guess from its own shape (None when it is not)."""
    n = len(value)
    if n == 0:
        return "it is empty"
    for size in range(1, n // 2 + 1):
        if n % size == 0 and value[:size] * (n // size) == value:
            return f"it repeats {value[:size]!r}"
    steps = {ord(b) - ord(a) for a, b in zip(value, value[1:])}
    if n >= 4 and len(steps) == 1 and abs(next(iter(steps))) <= 1:
        return "it is a run of consecutive characters"
    distinct = len(set(value))
    if distinct < MIN_DISTINCT:
        return f"it uses only {distinct} distinct characters"
    bits = shannon_bits(value)
    if bits < MIN_BITS_PER_CHAR:
        return f"its characters carry about {bits * n:.0f} bits of entropy ({bits:.1f} per character)"
    return None


@register
class GuessableExternalId(Rule):
    id = "HG206"
    severity = "error"
    title = "External ID is guessable"
    needs = ("it judges the storage record's external ID (and the role, bucket and storage names it must not "
             "equal), which a bare policy file lacks")
    what = (
        "The bundle's `external_id` (or, when the record has none, the trust policy's literal values) must "
        "not be trivially guessable -- `error`: under 8 characters, digits only, a dictionary word (zxcvbn's "
        "English, name and common-password lists) or a documentation example -- nor weak -- `warning`: "
        "shorter than the profile's minimum (16), of low entropy (a repeated or consecutive run, "
        f"fewer than {MIN_DISTINCT} distinct characters, or under {MIN_BITS_PER_CHAR} bits per character of "
        "Shannon entropy), or equal (ignoring case) to the role name, a "
        "bucket name or the storage name. Placeholders from the docs are left to HG109."
    )
    why = (
        _CONFUSED_DEPUTY[0].upper() + _CONFUSED_DEPUTY[1:]
        + "what stops them is that they do not know your external ID. A short or patterned value, or one "
        "equal to a name they can see or guess (the role name is in the role ARN), can be found by trying."
    )
    fix = "Use a random external ID, e.g. a UUID (`python -c 'import uuid; print(uuid.uuid4())'`), in the trust policy and in Hub."
    fail_examples = (
        good_bundle(external_id="12345", trust_policy=trust_policy("12345")),
        good_bundle(external_id="hub-1234", trust_policy=trust_policy("hub-1234")),
        good_bundle(external_id="aaaaaaaaaaaaaaaaaaaaaaaa", trust_policy=trust_policy("aaaaaaaaaaaaaaaaaaaaaaaa")),
        good_bundle(external_id="prod-images", trust_policy=trust_policy("prod-images")),
        good_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnlyImagesRole",
                    external_id="angohubreadonlyimagesrole",
                    trust_policy=trust_policy("angohubreadonlyimagesrole")),
    )
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        pol = _applies(target)
        if b is None or b.access_type == "iam-user":
            return
        profile = target.profile
        candidates: list[tuple[str, object, str]] = []  # value, document, pointer
        if b.external_id is not None:
            candidates.append((b.external_id, b.doc, b.doc.pointer("external_id")))
        elif pol is not None:
            seen = set()
            for s in _hub_statements(pol, profile):
                for c in _ext_conditions(s, profile):
                    for v in c.values:
                        if str(v) not in seen and not act.has_wildcard(str(v)):
                            seen.add(str(v))
                            candidates.append((str(v), pol.doc, c.pointer))
        names = self.names(b)
        for value, doc, ptr in candidates:
            if _is_placeholder(value, profile):
                continue  # HG109
            severity, reasons = self.judge(value, names, profile)
            if severity is None:
                continue
            yield self.finding(
                doc, ptr,
                f"External ID {value!r} is guessable: {'; '.join(reasons)}",
                fix="Generate a random one (e.g. a UUID4) and set it both in the trust policy's "
                    f"{profile.external_id_key} condition and as the storage's External ID in Hub",
                severity=severity,
            )

    @staticmethod
    def names(b) -> dict[str, str]:
        """Lower-cased names an attacker can see or guess (role, buckets, storage) -> how to name them."""
        names = {}
        if b.role_arn and "/" in b.role_arn:
            names[b.role_arn.rsplit("/", 1)[1].lower()] = f"the role name in {b.role_arn!r}"
        for bk in b.buckets:
            names.setdefault(bk.name.lower(), f"bucket {bk.name!r}")
        names.setdefault(b.name.lower(), "the storage name")
        return names

    @staticmethod
    def judge(value: str, names: dict[str, str], profile) -> tuple[str | None, list[str]]:
        """(severity, reasons): ``error`` when trivially guessable (under 8 characters, digits only, a
        dictionary word, a documentation example), ``warning`` when only short, of low entropy or equal to a
        name; (None, []) when not guessable."""
        reasons = []
        if len(value) < profile.external_id_min_length:
            reasons.append(f"it is {len(value)} characters, fewer than {profile.external_id_min_length}")
        if value.lower() in names:
            reasons.append(f"it equals {names[value.lower()]}")
        shape = low_entropy(value)
        if shape:
            reasons.append(shape)
        from hubgate.externalid import trivial_reasons

        trivial = trivial_reasons(value)
        # the length is already said by the first reason; the other trivial reasons are new
        reasons += [r for r in trivial if not r.startswith("it is under")]
        if trivial:
            return "error", reasons
        return ("warning", reasons) if reasons else (None, [])

