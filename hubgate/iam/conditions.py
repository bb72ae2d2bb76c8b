"""IAM condition operators evaluated against a request context.

Follows the IAM User Guide:

* "IAM JSON policy elements: Condition operators"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  "If the key that you specify in a policy condition is not present in the request context, the values do
  not match and the condition is false. If the policy condition requires that the key is *not* matched,
  such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true. This logic
  applies to all condition operators except ...IfExists and Null check."
* "Conditions with multiple context keys or values"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html):
  operators in a block and keys in an operator are ANDed; several values for one key are ORed, and for a
  negated operator they are NORed ("the condition is true when the value matches none of them").
* "Single-valued vs. multivalued context keys"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
  ``ForAllValues`` is true when every request value matches some policy value, "and also returns true if
  there are no context keys in the request"; ``ForAnyValue`` is true when at least one request value
  matches, and false when the key is absent.

Keys are case-insensitive (the context is keyed by lower-case names); values are compared as the operator
says (case-sensitive unless ``...IgnoreCase``).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Iterable

from .actions import glob_regex
from .policy import Condition

Context = dict  # lower-case key -> value or list of values


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple, set, frozenset)) else [v]


def _str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    return str(v)


@lru_cache(maxsize=65536)
def _case_glob_rx(pattern: str) -> re.Pattern[str]:
    """StringLike / ArnLike: ``*`` any run, ``?`` one character, everything else literal and case-sensitive."""
    return re.compile(glob_regex(pattern).pattern, re.DOTALL)


def _string_like(p: Any, v: Any) -> bool:
    return _case_glob_rx(_str(p)).fullmatch(_str(v)) is not None


def _arn_like(p: Any, v: Any) -> bool:
    """ArnEquals/ArnLike: "Case-sensitive matching of the ARN. Each of the six colon-delimited components of
    the ARN is checked separately and each can include multi-character match wildcards (*) or
    single-character match wildcards (?)" (Condition operators, "Amazon Resource Name (ARN) condition
    operators"). So a wildcard never spans a ``:`` between components; the sixth component (the resource)
    keeps any colons of its own. A value that does not have six components cannot match."""
    pp = _str(p).split(":", 5)
    vv = _str(v).split(":", 5)
    if len(pp) != 6 or len(vv) != 6:
        return False
    for a, b in zip(pp, vv):
        if a == b:
            continue
        if "*" not in a and "?" not in a:
            return False
        if _case_glob_rx(a).fullmatch(b) is None:
            return False
    return True


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = _str(v).strip()
    if not _NUMBER.fullmatch(s):
        return None
    return float(s)


def _date(v: Any) -> datetime | None:
    """ISO 8601 (``2020-01-01``, ``2020-01-01T00:00:00Z``) or epoch seconds; None when unreadable."""
    try:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return datetime.fromtimestamp(v, tz=timezone.utc)
        s = _str(v).strip()
        if _NUMBER.fullmatch(s):
            return datetime.fromtimestamp(float(s), tz=timezone.utc)
        d = datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _cmp(parse: Callable[[Any], Any], test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def match(p: Any, v: Any) -> bool:
        a, b = parse(p), parse(v)
        return a is not None and b is not None and test(b, a)

    return match


def _ip(policy_value: Any, value: Any) -> bool:
    try:
        return ipaddress.ip_address(_str(value).strip()) in ipaddress.ip_network(_str(policy_value).strip(), strict=False)
    except ValueError:
        return False


def _bool(policy_value: Any, value: Any) -> bool:
    return _str(policy_value).lower() == _str(value).lower()


def _eq(p: Any, v: Any) -> bool:
    return _str(p) == _str(v)


def _eq_ic(p: Any, v: Any) -> bool:
    return _str(p).lower() == _str(v).lower()


_num_eq = _cmp(_num, lambda v, p: v == p)
_date_eq = _cmp(_date, lambda v, p: v == p)

# base operator -> (match(policy_value, request_value) -> bool, negated)
_BASE: dict[str, tuple[Callable[[Any, Any], bool], bool]] = {
    "stringequals": (_eq, False),
    "stringnotequals": (_eq, True),
    "stringequalsignorecase": (_eq_ic, False),
    "stringnotequalsignorecase": (_eq_ic, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_num_eq, False),
    "numericnotequals": (_num_eq, True),
    "numericlessthan": (_cmp(_num, lambda v, p: v < p), False),
    "numericlessthanequals": (_cmp(_num, lambda v, p: v <= p), False),
    "numericgreaterthan": (_cmp(_num, lambda v, p: v > p), False),
    "numericgreaterthanequals": (_cmp(_num, lambda v, p: v >= p), False),
    "dateequals": (_date_eq, False),
    "datenotequals": (_date_eq, True),
    "datelessthan": (_cmp(_date, lambda v, p: v < p), False),
    "datelessthanequals": (_cmp(_date, lambda v, p: v <= p), False),
    "dategreaterthan": (_cmp(_date, lambda v, p: v > p), False),
    "dategreaterthanequals": (_cmp(_date, lambda v, p: v >= p), False),
    "bool": (_bool, False),
    "binaryequals": (_eq, False),  # policy value is base64; a bytes request value is base64-encoded by _str
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (_arn_like, False),  # documented as identical to ArnLike
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}

KNOWN_OPERATORS = frozenset(_BASE) | {"null"}


class UnknownOperator(ValueError):
    pass


@lru_cache(maxsize=1024)
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


def request_values(context: Context, key: str) -> list:
    """The values of a context key; [] when the key is absent, null, or an empty set (a "null dataset")."""
    return _as_list(context.get(key.lower()))


def condition_holds(cond: Condition, context: Context) -> bool:
    """Evaluate one (operator, key, values) entry against the request context."""
    qualifier, op, if_exists = split_operator(cond.operator)
    values = request_values(context, cond.key_lower)
    present = bool(values)
    if op == "null":
        # Null: "true" holds when the key is absent, "false" when it is present; several values are ORed.
        return any((_str(p).lower() == "true") != present for p in cond.values)
    if not present and if_exists:
        # ...IfExists: "If the policy key is present in the context of the request, process the key as
        # specified in the policy. If the key is not present, evaluate the condition element as true."
        return True
    match, negated = _BASE[op]
    policy_values = cond.values

    def hit(v: Any) -> bool:
        return any(match(p, v) for p in policy_values)

    if qualifier == "forallvalues":
        # every request value must satisfy the operator; vacuously true for an absent key (documented).
        if not present:
            return True
        if negated:
            return all(not hit(v) for v in values)
        return all(hit(v) for v in values)
    if qualifier == "foranyvalue":
        # at least one request value must satisfy the operator; false for an absent key (documented).
        if not present:
            return False
        if negated:
            return any(not hit(v) for v in values)
        return any(hit(v) for v in values)

    # single-valued key without a set operator
    if not present:
        return negated  # documented: false, but true for a negated operator
    if len(values) != 1:
        # A multivalued request value with a single-valued operator: AWS says to use a set operator and does
        # not document the result. Treated as "no value matches" (false; true for a negated operator).
        return negated
    return (not hit(values[0])) if negated else hit(values[0])


def conditions_hold(conditions: Iterable[Condition], context: Context) -> bool:
    return all(condition_holds(c, context) for c in conditions)


def normalise_context(pairs: dict[str, Any] | None) -> Context:
    return {k.lower(): v for k, v in (pairs or {}).items()}
