"""``hubgate explain``: one request decided against a bundle's (or a bare policy's) documents."""

from __future__ import annotations

import json

from .discover import discover
from .errors import InputError
from .iam.conditions import condition_holds
from .iam.evaluate import Request, evaluate, resource_in, statement_applies
from .iam.variables import Var, parse


def explain_request(path, action, resource, context, principal, external_id, fmt="text") -> tuple[bool, str]:
    found = discover([path])
    if found.errors:
        raise found.errors[0]
    if len(found.targets) != 1:
        raise InputError(path, f"expected one bundle or policy, found {len(found.targets)}")
    target = found.targets[0]
    if principal is not None or external_id is not None:
        pol = target.trust_policy
        if pol is None:
            raise InputError(path, "the trust side needs a bundle with a trust_policy")
        action = action or target.profile.trust_action
        principal = principal or target.profile.trusted_principal
        if external_id is not None:
            context = {**context, target.profile.external_id_key: external_id}
        req = Request(action, None, principal, context)
        side = f"{principal} calls {action}" + (f" with external ID {external_id!r}" if external_id is not None else " without an external ID")
    else:
        if not action:
            raise ValueError("give --action (and --resource), or --principal/--external-id for the trust side")
        pol = target.permission_policy
        if pol is None:
            raise InputError(path, "the bundle has no permission_policy")
        req = Request(action, resource or "*", None, context)
        side = f"{action} on {resource or '*'}"
    decision = evaluate([pol], req)
    if fmt == "json":
        out = {
            "request": {"action": req.action, "resource": req.resource, "principal": req.principal, "context": req.context},
            "decision": decision.decision,
            "allowed": decision.allowed,
            "statement": None if decision.statement is None else {
                "index": decision.statement.index, "sid": decision.statement.sid,
                "file": pol.doc.file, "pointer": decision.statement.pointer,
                "line": pol.doc.position(decision.statement.pointer)[0],
            },
        }
        return decision.allowed, json.dumps(out, indent=2) + "\n"
    verdict = "ALLOWED" if decision.allowed else "DENIED"
    why_not = "" if decision.statement is not None else _near_misses(pol, req)
    line = ""
    if decision.statement is not None:
        ln, _ = pol.doc.position(decision.statement.pointer)
        line = f" (line {ln})" if ln else ""
    return decision.allowed, f"{verdict}: {side}\n  {decision.explain()}{line}\n{why_not}"


def _unresolved(s, req) -> list[str]:
    """Context keys that the statement's Resource / NotResource variables need and the request lacks."""
    keys = []
    if not s.variables:
        return keys
    for item in (s.not_resources if s.not_resources is not None else s.resources):
        for piece in parse(item.value):
            if isinstance(piece, Var) and piece.default is None and piece.key not in req.context \
                    and piece.key not in keys:
                keys.append(piece.key)
    return keys


def _near_misses(pol, req) -> str:
    """Statements that match the request but for their conditions, or for a resource variable the request
    does not give: the usual reasons for a denial."""
    lines = []
    for s in pol.statements:
        if not s.allow or not statement_applies(s, req, mode="optimistic"):
            continue
        missing = _unresolved(s, req) if not resource_in(s, req.resource, req.context) else []
        if missing:
            lines.append(f"  {s.label} names its resource with {', '.join('${' + k + '}' for k in missing)}, "
                         f"which the request does not give (--context {missing[0]}=VALUE)\n")
        if not s.conditions:
            continue
        failed = [c for c in s.conditions if not condition_holds(c, req.context, s.variables)]
        for c in failed:
            got = req.context.get(c.key_lower)
            got_text = "absent" if got is None else repr(got)
            lines.append(f"  {s.label} matches, but its condition {c.operator} {c.key} {list(c.values)!r} "
                         f"does not hold (request value: {got_text})\n")
    return "".join(lines)
