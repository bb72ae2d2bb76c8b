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
from collections import Counter
from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.example import EXTERNAL_ID, good_bundle, trust_policy
from hubgate.findings import Finding
from hubgate.iam import actions as act
from hubgate.iam.policy import Condition
from hubgate.rules import BUNDLE_OR_POLICY, Rule, Target, register
from hubgate.trust import (  # the rules' local names for the trust-policy model
    CONFUSED_DEPUTY as _CONFUSED_DEPUTY,
    NEGATED_STRING as _NEGATED_STRING,
    POSITIVE_STRING as _POSITIVE_STRING,
    applies as _applies,
    cap as _cap,
    condition_fix as _condition_fix,
    deny_guards as _deny_guards,
    ext_conditions as _ext_conditions,
    hub_statements as _hub_statements,
    is_placeholder as _is_placeholder,
    record_id as _record_id,
    split_condition as _split,
)

# --- HG202 ---------------------------------------------------------------------------------------------



def with_condition(condition: dict) -> dict:
    """The example bundle whose trust policy's statement has this Condition block."""
    return good_bundle(trust_policy=trust_policy(condition=condition))

@register("HG202", "error", targets=BUNDLE_OR_POLICY,
          references=(ref.ANGO_AWS, ref.IAM_THIRD_PARTY, ref.IAM_CONFUSED_DEPUTY))
class NoExternalId(Rule):
    """No sts:ExternalId condition

    ## What it checks
    Each Allow statement through which the profile's principal can call `sts:AssumeRole` (its own principal,
    or a wider one such as `*` or the account) must hold a condition on `sts:ExternalId` (the key in any
    letter case, under any operator), or a Deny of `sts:AssumeRole` for that principal must carry only
    `StringNotEquals`/`StringNotLike` on `sts:ExternalId` (which IAM also applies when the ID is absent). When
    one does, HG203/HG204 judge the condition.

    ## Fix
    Add "Condition": {"StringEquals": {"sts:ExternalId": "<the External ID you enter in Hub>"}} to the
    statement. The finding's fix names the record's external ID, or a fresh random one (a UUID4) when the
    record's is guessable (HG206): a weak ID pasted into the condition would not protect the role.
    """

    why = (
        'The docs: "In the sts:externalId property, enter an external ID by which this role will be known." '
        + _CONFUSED_DEPUTY
        + "without an external-ID condition Hub assumes the role for whoever names it, and reads your "
        "buckets into their project."
    )
    fail_examples = (
        with_condition({}),
        with_condition({"StringEquals": {"aws:SourceAccount": "397578311638"}}),
    )
    pass_examples = (good_bundle(), with_condition({"stringequals": {"sts:externalid": EXTERNAL_ID}}))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = _applies(target)
        if pol is None:
            return
        key = target.profile.external_id_key
        if _deny_guards(pol, target.profile):
            return  # a Deny demands the external ID for every Allow (HG203 judges it)
        weak = self.weak_record_id(target)
        if weak is not None:
            from hubgate.externalid import fresh_external_id  # deferred: `hubgate rules` skips it

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


def _guard_weakness(c: Condition) -> str | None:
    distinct = sorted({str(v) for v in c.values})
    if _split(c)[1] == "stringnotlike" and any(act.has_wildcard(v) for v in distinct):
        return f"the Deny's {c.operator} on {c.key} with a wildcard pattern lets many external IDs through"
    if len(distinct) > 1:
        return f"the Deny's {c.operator} on {c.key} lets {len(distinct)} external IDs through"
    return None


@register("HG203", "error", targets=BUNDLE_OR_POLICY,
          references=(ref.IAM_THIRD_PARTY, ref.IAM_CONDITION_OPERATORS))
class WeakExternalIdCondition(Rule):
    """Weak external-ID condition

    ## What it checks
    The `sts:ExternalId` condition of a statement Hub can use must pin one exact value: `StringEquals` (or
    `StringEqualsIgnoreCase`, or `StringLike` without wildcards) with a single value. Findings: `StringLike`
    with `*`/`?`, any `...IfExists`, `ForAnyValue:`/`ForAllValues:`, `Null`, negated operators
    (`StringNotEquals`, ...), non-string operators, unknown operators, and more than one allowed value.
    Operators and keys are matched case-insensitively, as IAM does; conditions in a statement are ANDed, so
    one exact condition on the key makes the statement strong.

    ## Fix
    Use "StringEquals": {"sts:ExternalId": "<your external ID>"} with exactly one value.
    """

    why = (
        _CONFUSED_DEPUTY[0].upper() + _CONFUSED_DEPUTY[1:]
        + "the external ID is what tells your storage apart from theirs. A condition that accepts a pattern, "
        "several values, or no external ID at all (`IfExists`, `ForAllValues:` of an empty set) lets a "
        "request that is not from your storage record through."
    )
    fail_examples = (
        with_condition({"StringLike": {"sts:ExternalId": "6f0b1d4e-*"}}),
        with_condition({"StringEqualsIfExists": {"sts:ExternalId": EXTERNAL_ID}}),
        with_condition({"ForAnyValue:StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
        with_condition({"Null": {"sts:ExternalId": "false"}}),
        with_condition({"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, "c0ffee00-1111-4222-8333-444455556666"]}}),
    )
    pass_examples = (good_bundle(), with_condition({"StringLike": {"sts:ExternalId": EXTERNAL_ID}}))

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


@register("HG204", "error", references=(ref.ANGO_AWS, ref.IAM_THIRD_PARTY))
class ExternalIdMismatch(Rule):
    """Trust policy's external ID differs from the record's

    ## What it checks
    The literal external IDs of the trust policy (values of `StringEquals`, `StringEqualsIgnoreCase`, or
    wildcard-free `StringLike` on `sts:ExternalId`, in statements Hub can use) must include the bundle's
    `external_id`. Placeholders from the docs are left to HG109.

    ## Why it matters
    The docs: "paste the Role ARN and the External IDs we took note of earlier". Hub sends the external ID of
    the storage record; if the trust policy demands another value, AssumeRole is refused and no asset can be
    loaded. (Fixing it by widening the condition would reopen the confused-deputy hole the external ID
    closes.)

    ## Fix
    Make the trust condition's value and the storage's External ID in Hub the same string.

    ## Needs
    it compares the trust policy with the storage record's external_id, which a bare policy file lacks
    """

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
    steps = {ord(b) - ord(a) for a, b in zip(value, value[1:], strict=False)}
    if n >= 4 and len(steps) == 1 and abs(next(iter(steps))) <= 1:
        return "it is a run of consecutive characters"
    distinct = len(set(value))
    if distinct < MIN_DISTINCT:
        return f"it uses only {distinct} distinct characters"
    bits = shannon_bits(value)
    if bits < MIN_BITS_PER_CHAR:
        return f"its characters carry about {bits * n:.0f} bits of entropy ({bits:.1f} per character)"
    return None


@register("HG206", "error", references=(ref.IAM_THIRD_PARTY, ref.IAM_CONFUSED_DEPUTY))
class GuessableExternalId(Rule):
    """External ID is guessable

    ## Fix
    Use a random external ID, e.g. a UUID (`python -c 'import uuid; print(uuid.uuid4())'`), in the trust
    policy and in Hub.

    ## Needs
    it judges the storage record's external ID (and the role, bucket and storage names it must not equal),
    which a bare policy file lacks
    """

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
        from hubgate.externalid import trivial_reasons  # deferred: ~0.5 ms that `hubgate rules` does not need

        trivial = trivial_reasons(value)
        # the length is already said by the first reason; the other trivial reasons are new
        reasons += [r for r in trivial if not r.startswith("it is under")]
        if trivial:
            return "error", reasons
        return ("warning", reasons) if reasons else (None, [])

