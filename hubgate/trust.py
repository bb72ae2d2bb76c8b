"""The trust policy of the role Hub assumes, read for the HG2xx rules: which statements let Hub's principal
assume the role, which conditions on the external-ID key they carry, and the external ID of the record.

IAM semantics used: condition operators and keys are case-insensitive (``stringequals`` and
``sts:externalid`` are the same as ``StringEquals`` and ``sts:ExternalId``); conditions within one
statement are ANDed and statements are ORed; action names are case-insensitive.
"""

from __future__ import annotations

from .iam.conditions import UnknownOperator, split_operator
from .iam.evaluate import action_in, principal_in
from .iam.policy import Condition, Policy, Statement
from .profile import Profile
from .rules import Target

# The setting every HG2xx rule's "why" starts from.
CONFUSED_DEPUTY = (
    "Hub assumes your role as one principal shared by all its customers, so any Hub customer can type "
    "your role ARN into their own storage dialog (the confused-deputy problem); "
)


def applies(target: Target) -> Policy | None:
    """The trust policy when the HG2xx rules apply: a bare trust policy, or a bundle with a trust policy
    that is not iam-user (a trust policy on an iam-user bundle is HG405's finding, not four more)."""
    b = target.bundle
    if target.trust_policy is None or (b is not None and b.access_type == "iam-user"):
        return None
    return target.trust_policy


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_placeholder(value: object, profile: Profile) -> bool:
    low = str(value).lower()
    return any(p.lower() in low for p in profile.placeholders)


def hub_statements(pol: Policy, profile: Profile) -> list[Statement]:
    """Allow statements through which the profile's principal can call the trust action."""
    want = profile.trusted_principal
    return [
        s for s in pol.allows()
        if action_in(s, profile.trust_action) and (s.principals is not None or s.not_principals is not None)
        and principal_in(s, want)
    ]


def ext_conditions(s: Statement, profile: Profile) -> list[Condition]:
    key = profile.external_id_key.lower()
    return [c for c in s.conditions if c.key_lower == key]


def deny_guards(pol: Policy, profile: Profile) -> list[Condition]:
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
        parts = [(c, split_condition(c)) for c in s.conditions]
        if all(c.key_lower == key and p is not None and p[0] is None and not p[2] and p[1] in NEGATED_STRING
               for c, p in parts):
            out += [c for c, _ in parts]
    return out


def record_id(target: Target) -> str | None:
    ext = target.bundle.external_id if target.bundle else None
    if ext is None or is_placeholder(ext, target.profile):
        return None
    return ext


def condition_fix(target: Target) -> str:
    value = record_id(target) or "<the External ID you enter in Hub>"
    return f'"Condition": {{"StringEquals": {{"{target.profile.external_id_key}": "{value}"}}}}'


def split_condition(c: Condition) -> tuple[str | None, str, bool] | None:
    try:
        return split_operator(c.operator)
    except UnknownOperator:
        return None


POSITIVE_STRING = ("stringequals", "stringequalsignorecase", "stringlike")
NEGATED_STRING = ("stringnotequals", "stringnotequalsignorecase", "stringnotlike")
