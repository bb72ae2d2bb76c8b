"""``hubgate explain``: one request decided against a bundle's (or a bare policy's) documents."""

from __future__ import annotations

import json

from .discover import discover
from .errors import InputError
from .iam.evaluate import Request, evaluate


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
    line = ""
    if decision.statement is not None:
        ln, _ = pol.doc.position(decision.statement.pointer)
        line = f" (line {ln})" if ln else ""
    return decision.allowed, f"{verdict}: {side}\n  {decision.explain()}{line}\n"
