"""The IAM decision for one request against a set of policies.

Documented evaluation order (IAM User Guide, "Policy evaluation logic"), restricted to what one
identity policy and one trust policy can express: an explicit Deny in any matching statement wins; else
an Allow in any matching statement allows; else the request is implicitly denied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .actions import action_matches, has_wildcard
from .arn import ArnError, parse_arn, resource_matches
from .conditions import Context, conditions_hold, normalise_context
from .policy import Policy, Principal, Statement
from .variables import has_variables

Mode = Literal["evaluate", "optimistic"]


@dataclass
class Request:
    action: str
    resource: str | None = None  # None for a trust policy (the role itself)
    principal: str | None = None  # principal ARN, account id, or a service principal name
    context: Context = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context = normalise_context(self.context)


@dataclass
class Decision:
    decision: Literal["allow", "explicit-deny", "implicit-deny"]
    statement: Statement | None = None
    policy: Policy | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"

    def explain(self) -> str:
        if self.statement is None:
            return "implicitly denied: no statement allows it"
        where = f"{self.policy.doc.file}" if self.policy else ""
        verb = "allowed" if self.allowed else "explicitly denied"
        return f"{verb} by {self.statement.label} at {where}#{self.statement.pointer}"


def action_in(stmt: Statement, action: str) -> bool:
    """Does the statement's Action (or NotAction) cover the action? ``action_matches`` over its entries, read
    through the statement's literal names as one set (kept on the statement, for its entries as they are)."""
    negated, star, names, globs = action_entries(stmt)
    hit = star or action.lower() in names or any(action_matches(p, action) for p in globs)
    return not hit if negated else hit


def action_entries(stmt: Statement) -> tuple[bool, bool, frozenset[str], tuple[str, ...]]:
    """(NotAction?, a ``*`` entry?, the literal entries in lower case, the other wildcard entries)."""
    kept = stmt.__dict__.get("_action_entries")
    if kept is not None and kept[0] is stmt.actions and kept[1] is stmt.not_actions:
        return kept[2]
    negated = stmt.not_actions is not None
    values = [a.value for a in (stmt.not_actions if negated else stmt.actions)]
    joined = "".join(values)
    if "*" not in joined and "?" not in joined:  # the usual list of names (a wildcard in none, seen at once)
        entries = (negated, False, frozenset(map(str.lower, values)), ())
    else:
        entries = (negated, "*" in values, frozenset(v.lower() for v in values if not has_wildcard(v)),
                   tuple(v for v in values if has_wildcard(v) and v != "*"))
    stmt.__dict__["_action_entries"] = (stmt.actions, stmt.not_actions, entries)
    return entries


def resource_in(stmt: Statement, resource: str | None, context: Context | None = None, mode: Mode = "evaluate") -> bool:
    """Does the statement's Resource / NotResource cover the resource for a request with this context?

    In ``evaluate`` mode variables are substituted from the context (an entry whose variable has no value
    matches no resource). In ``optimistic`` mode ("could this be allowed?") a variable may take any value,
    so each entry with a variable is read the way that lets the request through: it matches (as ``*``) in an
    Allow's Resource and a Deny's NotResource, and matches nothing in an Allow's NotResource and a Deny's
    Resource -- as a conditional Deny may not apply."""
    if resource is None:
        return True
    negated = stmt.not_resources is not None
    items = stmt.not_resources if negated else stmt.resources
    if not negated and not items:  # resource-based policy (e.g. a trust policy): the resource is implied
        return True
    widen = stmt.allow != negated  # in optimistic mode: should a variable entry match?

    def hit(value: str) -> bool:
        if mode == "optimistic" and stmt.variables and has_variables(value):
            return widen and resource_matches(value, resource, None, True, any_value=True)
        return resource_matches(value, resource, context, stmt.variables)

    matched = any(hit(r.value) for r in items)
    return not matched if negated else matched


def principal_matches(entry: Principal, principal: str) -> bool:
    """Does one Principal entry name the requesting principal?"""
    if entry.kind == "*" or (entry.kind == "AWS" and entry.value == "*"):
        return True
    if entry.kind != "AWS":
        return entry.value == principal
    want = entry.value
    if want.isdigit():  # an account id means any principal of that account, like ...:root
        want = f"arn:aws:iam::{want}:root"
    if want == principal:
        return True
    try:
        w = parse_arn(want)
    except ArnError:
        return False
    if w.service == "iam" and w.resource == "root":
        if principal.isdigit():
            return principal == w.account
        try:
            return parse_arn(principal).account == w.account
        except ArnError:
            return False
    return False


def principal_in(stmt: Statement, principal: str | None) -> bool:
    if stmt.principals is None and stmt.not_principals is None:
        return True  # identity policy: the principal is the one it is attached to
    if principal is None:
        return False
    if stmt.not_principals is not None:
        return not any(principal_matches(p, principal) for p in stmt.not_principals)
    return any(principal_matches(p, principal) for p in stmt.principals or ())


def statement_applies(stmt: Statement, req: Request, mode: Mode = "evaluate") -> bool:
    if not (action_in(stmt, req.action) and resource_in(stmt, req.resource, req.context, mode)
            and principal_in(stmt, req.principal)):
        return False
    if not stmt.conditions:
        return True
    if mode == "optimistic":
        # static analysis: an Allow may apply whatever its conditions; a conditional Deny may not apply
        return stmt.allow
    return conditions_hold(stmt.conditions, req.context, stmt.variables)


def evaluate(policies: Iterable[Policy], req: Request, mode: Mode = "evaluate") -> Decision:
    """Decide one request. ``optimistic`` answers "could this be allowed?" without a request context.

    In ``evaluate`` mode the request's context feeds both the conditions and the policy variables of
    Resource / NotResource and of String and ARN condition values (``hubgate explain --context
    aws:username=alice`` needs nothing more than that context)."""
    allow: Decision | None = None
    for policy in policies:
        for stmt in policy.statements:
            if not statement_applies(stmt, req, mode):
                continue
            if not stmt.allow:
                return Decision("explicit-deny", stmt, policy)
            if allow is None:
                allow = Decision("allow", stmt, policy)
    return allow or Decision("implicit-deny")
