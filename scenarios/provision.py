"""What the live scenarios provision, derived from the bundle: its policies pointed at the run's renamed
buckets and delegate user, a policy with one action removed (as a user would edit it), its CORS rules."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from hubgate.iam.actions import action_matches, has_wildcard


def _walk_strings(doc: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(doc, dict):
        return {k: _walk_strings(v, fn) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_walk_strings(v, fn) for v in doc]
    if isinstance(doc, str):
        return fn(doc)
    return doc


def rewrite_buckets(policy: Any, names: dict[str, str]) -> Any:
    """Point the policy's bucket ARNs at the renamed buckets (wildcard ARNs are left as written)."""
    if not names:
        return copy.deepcopy(policy)
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"^(arn:[^:]*:s3:::)({alt})(?=$|/)")
    return _walk_strings(policy, lambda s: pattern.sub(lambda m: m.group(1) + names[m.group(2)], s))


def rewrite_principal(trust: Any, trusted: str, replacement: str) -> Any:
    return _walk_strings(trust, lambda s: replacement if s == trusted else s)


def remove_action(policy: dict, action: str) -> tuple[dict, list[str]]:
    """The policy with ``action`` removed from its Allow statements, as a user would edit it; and the
    wildcard actions that still grant it (removing the name does not revoke those)."""
    out = copy.deepcopy(policy)
    still: list[str] = []
    statements = out.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = []
    for st in statements:
        if st.get("Effect") != "Allow" or "Action" not in st:
            kept.append(st)
            continue
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        remaining = [a for a in actions if a.lower() != action.lower()]
        still += [a for a in remaining if has_wildcard(a) and action_matches(a, action)]
        if remaining:
            st["Action"] = remaining
            kept.append(st)
    if not kept:  # an empty policy is refused by some servers: keep one harmless statement
        kept = [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::hubgate-nothing"]}]
    out["Statement"] = kept
    return out, still


def read_only_policy(bucket: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}


ASSUME_ANY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}


def cors_rules(doc: Any) -> list[dict] | None:
    if doc is None:
        return None
    if isinstance(doc, dict):
        return list(doc.get("CORSRules") or [])
    return list(doc)


def unique_bucket(name: str, run: str) -> str:
    suffix = f"-hg{run}"
    return (name[: 63 - len(suffix)].rstrip("-.") + suffix).lower()
