"""IAM condition operators evaluated against a request context.

Follows the IAM User Guide ("IAM JSON policy elements: Condition operators", "Single-valued vs.
multivalued context keys"): keys are case-insensitive; values within one key are ORed; keys within one
operator and operators within one block are ANDed; ``...IfExists`` is true when the key is absent; a
missing key makes every other operator false except ``Null`` and negated set operators as documented.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from typing import Any, Iterable

from .actions import glob_regex
from .arn import arn_matches
from .policy import Condition

Context = dict  # lower-case key -> value or list of values


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple, set)) else [v]


def _str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _case_glob(pattern: str, value: str) -> bool:
    """StringLike: ``*`` and ``?`` wildcards, case-sensitive."""
    return re.fullmatch(glob_regex(pattern).pattern, value, re.DOTALL) is not None


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _date(v: Any) -> datetime | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return datetime.fromtimestamp(v, tz=timezone.utc)
    s = _str(v).strip()
    if s.isdigit():
        return datetime.fromtimestamp(int(s), tz=timezone.utc)
    try:
        d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _ip(policy_value: Any, value: Any) -> bool:
    try:
        return ipaddress.ip_address(_str(value)) in ipaddress.ip_network(_str(policy_value), strict=False)
    except ValueError:
        return False


def _bool(policy_value: Any, value: Any) -> bool:
    return _str(policy_value).lower() == _str(value).lower()


# base operator -> (match(policy_value, request_value) -> bool, negated)
_BASE: dict[str, tuple] = {
    "stringequals": (lambda p, v: _str(p) == _str(v), False),
    "stringnotequals": (lambda p, v: _str(p) == _str(v), True),
    "stringequalsignorecase": (lambda p, v: _str(p).lower() == _str(v).lower(), False),
    "stringnotequalsignorecase": (lambda p, v: _str(p).lower() == _str(v).lower(), True),
    "stringlike": (lambda p, v: _case_glob(_str(p), _str(v)), False),
    "stringnotlike": (lambda p, v: _case_glob(_str(p), _str(v)), True),
    "numericequals": (lambda p, v: _num(p) is not None and _num(p) == _num(v), False),
    "numericnotequals": (lambda p, v: _num(p) is not None and _num(p) == _num(v), True),
    "numericlessthan": (lambda p, v: None not in (_num(p), _num(v)) and _num(v) < _num(p), False),
    "numericlessthanequals": (lambda p, v: None not in (_num(p), _num(v)) and _num(v) <= _num(p), False),
    "numericgreaterthan": (lambda p, v: None not in (_num(p), _num(v)) and _num(v) > _num(p), False),
    "numericgreaterthanequals": (lambda p, v: None not in (_num(p), _num(v)) and _num(v) >= _num(p), False),
    "dateequals": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) == _date(p), False),
    "datenotequals": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) == _date(p), True),
    "datelessthan": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) < _date(p), False),
    "datelessthanequals": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) <= _date(p), False),
    "dategreaterthan": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) > _date(p), False),
    "dategreaterthanequals": (lambda p, v: None not in (_date(p), _date(v)) and _date(v) >= _date(p), False),
    "bool": (_bool, False),
    "binaryequals": (lambda p, v: _str(p) == _str(v), False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (lambda p, v: arn_matches(_str(p), _str(v)), False),
    "arnlike": (lambda p, v: arn_matches(_str(p), _str(v)), False),
    "arnnotequals": (lambda p, v: arn_matches(_str(p), _str(v)), True),
    "arnnotlike": (lambda p, v: arn_matches(_str(p), _str(v)), True),
}

KNOWN_OPERATORS = frozenset(_BASE) | {"null"}


class UnknownOperator(ValueError):
    pass


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """("foranyvalue"|"forallvalues"|None, base operator lower-case, if_exists)."""
    op = operator.lower()
    qualifier = None
    if ":" in op:
        qualifier, _, op = op.partition(":")
        if qualifier not in ("foranyvalue", "forallvalues"):
            raise UnknownOperator(operator)
    if_exists = op.endswith("ifexists") and op != "ifexists"
    if if_exists:
        op = op[: -len("ifexists")]
    if op not in KNOWN_OPERATORS:
        raise UnknownOperator(operator)
    if op == "null" and (if_exists or qualifier):
        raise UnknownOperator(operator)
    return qualifier, op, if_exists


def condition_holds(cond: Condition, context: Context) -> bool:
    """Evaluate one (operator, key, values) entry against the request context."""
    qualifier, op, if_exists = split_operator(cond.operator)
    key = cond.key_lower
    present = key in context and context[key] is not None
    request_values = [_str(v) for v in _as_list(context.get(key))]
    if op == "null":
        want_absent = any(_str(v).lower() == "true" for v in cond.values)
        return (not present) == want_absent
    match, negated = _BASE[op]
    policy_values = cond.values

    if qualifier == "forallvalues":
        # true when every request value matches some policy value; vacuously true for an absent key
        if not present or not request_values:
            return True
        if negated:
            return all(not any(match(p, v) for p in policy_values) for v in request_values)
        return all(any(match(p, v) for p in policy_values) for v in request_values)
    if qualifier == "foranyvalue":
        if not present or not request_values:
            return False
        if negated:
            return any(not any(match(p, v) for p in policy_values) for v in request_values)
        return any(any(match(p, v) for p in policy_values) for v in request_values)

    # single-valued key
    if not present:
        if if_exists:
            return True
        # a negated operator on a missing key: AWS documents it as true for Not* string/arn/ip operators
        return negated
    v = request_values[0] if len(request_values) == 1 else None
    if v is None:  # multivalued context for a single-valued operator: no match
        return negated
    hit = any(match(p, v) for p in policy_values)
    return not hit if negated else hit


def conditions_hold(conditions: Iterable[Condition], context: Context) -> bool:
    return all(condition_holds(c, context) for c in conditions)


def normalise_context(pairs: dict[str, Any] | None) -> Context:
    return {k.lower(): v for k, v in (pairs or {}).items()}
