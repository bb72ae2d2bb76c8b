"""HG201 and HG205: who may assume the role Hub assumes (exactly Hub's principal), and for what (nothing
but sts:AssumeRole). The external-ID rules (HG202-HG204, HG206) are in :mod:`hubgate.checks.trust`; the
trust-policy model they share is :mod:`hubgate.trust`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.example import HUB_PRINCIPAL, good_bundle, trust_policy
from hubgate.findings import Finding
from hubgate.iam import actions as act
from hubgate.iam.arn import ArnError, parse_arn
from hubgate.iam.evaluate import action_in, principal_in
from hubgate.iam.policy import Policy, Principal, Statement
from hubgate.rules import BUNDLE_OR_POLICY, Rule, Target, register
from hubgate.trust import CONFUSED_DEPUTY, applies, cap

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


def _negated(rule: Rule, pol: Policy, s: Statement, element: str, items: list, grants: str, instead: str) -> Finding:
    """The finding on an Allow statement of the trust policy with ``NotPrincipal`` or ``NotAction``."""
    names = ", ".join(i.value for i in items)
    return rule.finding(pol.doc, f"{s.pointer}/{element}", f"{cap(s.label)} is an Allow with {element} ({names}): {grants}",
                        fix=f"Replace {element} with {instead}")


@register("HG201", "error", family="trust", targets=BUNDLE_OR_POLICY,
          references=(ref.ANGO_AWS, ref.IAM_PRINCIPAL, ref.IAM_CONFUSED_DEPUTY))
class TrustPrincipal(Rule):
    """Trust principal is not exactly Hub's principal

    ## What it checks
    Every Allow statement of the trust policy must name exactly the profile's principal (Ango Hub:
    `arn:aws:iam::397578311638:user/angohub-delegate`) and nothing else. Findings: `"*"` and `{"AWS": "*"}`,
    the account id `397578311638` or `arn:aws:iam::397578311638:root` (every principal of the account), other
    users or roles, extra principals in a list, `Service`, `Federated` and `CanonicalUser` principals, IAM
    unique ids (left when the trusted user was deleted), `NotPrincipal` with Allow (this rule's in the trust
    policy; HG106 reports it in the permission policy only), and a statement without Principal. One finding
    per entry.

    ## Fix
    Set "Principal": {"AWS": "arn:aws:iam::397578311638:user/angohub-delegate"} and nothing else.
    """

    why = (
        'The docs: the principal "must be pasted as-is and it is the same for all users". '
        + CONFUSED_DEPUTY
        + "the external ID stops them only because nobody but Hub's delegate user can assume the role. Any "
        "wider principal (a wildcard, a whole account, a service) can assume the role with whatever "
        "external ID it chooses to send, and read your buckets."
    )
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
        pol = applies(target)
        if pol is None:
            return
        want = target.profile.trusted_principal
        exact = f'"Principal": {{"AWS": "{want}"}}'
        reported = False
        for s in pol.allows():
            if s.not_principals is not None:
                reported = True
                yield _negated(self, pol, s, "NotPrincipal", s.not_principals, "it trusts every principal except those", exact)
                continue
            if s.principals is None:
                reported = True
                yield self.finding(
                    pol.doc, s.pointer, f"{cap(s.label)} of the trust policy names no Principal", fix=f"Add {exact}",
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


# --- HG205 ---------------------------------------------------------------------------------------------


@register("HG205", "error", family="trust", targets=BUNDLE_OR_POLICY,
          references=(ref.ANGO_AWS, ref.IAM_THIRD_PARTY))
class TrustActions(Rule):
    """Trust statement allows more than sts:AssumeRole

    ## What it checks
    Allow statements of the trust policy may grant only the profile's trust action (`sts:AssumeRole`, any
    letter case; a wildcard that expands to nothing else is accepted). Findings: other STS actions
    (`sts:AssumeRoleWithWebIdentity`, ...), wildcards (`sts:*`, `*`, `sts:Assume*`), `NotAction` (this rule's
    in the trust policy, not HG106's); the profile's info actions (`sts:TagSession`) alone are reported as
    info. Also an error when no statement for Hub's principal grants `sts:AssumeRole` at all (Hub cannot
    assume the role). Unknown action names are HG111's.

    ## Fix
    Set "Action": "sts:AssumeRole".
    """

    why = (
        'The docs grant exactly "Action": "sts:AssumeRole". '
        + CONFUSED_DEPUTY
        + "extra STS actions (web-identity or SAML federation, setting source identity, `sts:*`) are further "
        "ways into the role that the external-ID condition was not written for. `sts:TagSession` only lets "
        "Hub tag its session: worth knowing if your policies use principal tags."
    )
    fail_examples = (
        good_bundle(trust_policy=trust_policy(action="sts:*")),
        good_bundle(trust_policy=trust_policy(action=["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"])),
        good_bundle(trust_policy=trust_policy(action=["sts:AssumeRole", "sts:TagSession"])),
    )
    pass_examples = (good_bundle(), good_bundle(trust_policy=trust_policy(action="STS:assumerole")))

    def check(self, target: Target) -> Iterable[Finding]:
        pol = applies(target)
        if pol is None:
            return
        profile = target.profile
        want = profile.trust_action
        info = {a.lower() for a in profile.trust_info_actions}
        fix = f'Set "Action": "{want}"'
        unknown = False
        for s in pol.allows():
            if s.not_actions is not None:
                yield _negated(self, pol, s, "NotAction", s.not_actions, "it grants every other action on the role", f'"Action": "{want}"')
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
