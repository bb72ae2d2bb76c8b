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
  there are no context keys in the request or if the context key value resolves to a null dataset, such as
  an empty string"; ``ForAnyValue`` is true when at least one request value matches, and "For no matching
  context key or a null dataset, the condition returns false" -- before ``...IfExists`` is consulted.
* "IAM policy elements: Variables and tags"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html): String and ARN
  condition values of a ``Version: 2012-10-17`` policy have their variables substituted from the request
  context (see ``variables``); a value whose variable has no value matches nothing. Date values: ``dates``.

Keys are case-insensitive (the context is keyed by lower-case names); values are compared as the operator
says (case-sensitive unless ``...IgnoreCase``).
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import variables as var
from .dates import parse_date
from .variables import Resolved, as_text

if TYPE_CHECKING:  # annotations only: policy.py imports this module to validate operators
    from .policy import Condition

Context = dict  # lower-case key -> value or list of values


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple, set, frozenset)) else [v]


_str = as_text


def _pattern(p: Any) -> Resolved:
    """A policy value as (text, is_pattern) pieces: already resolved when it held variables."""
    return p if isinstance(p, tuple) else ((_str(p), True),)


def _string_like(p: Any, v: Any) -> bool:
    """StringLike: ``*`` any run, ``?`` one character, everything else literal and case-sensitive; characters
    from a variable (and ``${*}``, ``${?}``) are literal."""
    return var.glob(_pattern(p)).fullmatch(_str(v)) is not None


def _arn_like(p: Any, v: Any) -> bool:
    """ArnEquals/ArnLike: "Case-sensitive matching of the ARN. Each of the six colon-delimited components of
    the ARN is checked separately and each can include multi-character match wildcards (*) or
    single-character match wildcards (?)" (Condition operators, "Amazon Resource Name (ARN) condition
    operators"). So a wildcard never spans a ``:`` between components; the sixth component (the resource)
    keeps any colons of its own. A pattern or value that does not have six components cannot match."""
    pat = _pattern(p)
    value = _str(v)
    if var.plain(pat).count(":") < 5 or value.count(":") < 5:
        return False
    return var.glob(pat, True).fullmatch(value) is not None


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


_date = parse_date


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
    return (var.plain(p) if isinstance(p, tuple) else _str(p)) == _str(v)


def _eq_ic(p: Any, v: Any) -> bool:
    return (var.plain(p) if isinstance(p, tuple) else _str(p)).lower() == _str(v).lower()


def _compared(family: str, parse: Callable[[Any], Any]) -> dict[str, tuple[Callable[[Any, Any], bool], bool]]:
    """The six operators of a family whose values are compared once parsed (numbers, dates): ``Equals``,
    ``NotEquals``, ``LessThan``, ``LessThanEquals``, ``GreaterThan``, ``GreaterThanEquals``."""
    equals = _cmp(parse, operator.eq)
    return {
        f"{family}equals": (equals, False),
        f"{family}notequals": (equals, True),
        f"{family}lessthan": (_cmp(parse, operator.lt), False),
        f"{family}lessthanequals": (_cmp(parse, operator.le), False),
        f"{family}greaterthan": (_cmp(parse, operator.gt), False),
        f"{family}greaterthanequals": (_cmp(parse, operator.ge), False),
    }


# base operator -> (match(policy_value, request_value) -> bool, negated)
_BASE: dict[str, tuple[Callable[[Any, Any], bool], bool]] = {
    "stringequals": (_eq, False),
    "stringnotequals": (_eq, True),
    "stringequalsignorecase": (_eq_ic, False),
    "stringnotequalsignorecase": (_eq_ic, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    **_compared("numeric", _num),
    **_compared("date", _date),
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


# Operators whose policy values may hold variables ("Where you can use policy variables": "any condition that
# involves the string operators or the ARN operators").
VARIABLE_OPERATORS = frozenset(
    {"stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase", "stringlike",
     "stringnotlike", "arnequals", "arnlike", "arnnotequals", "arnnotlike"}
)


def request_values(context: Context, key: str) -> list:
    """The values of a context key; [] when the key is absent, null, or an empty set (a "null dataset")."""
    return _as_list(context.get(key.lower()))


def set_values(context: Context, key: str) -> list:
    """The values a set operator (ForAllValues / ForAnyValue) quantifies over: empty strings are no values.

    "Single-valued vs. multivalued context keys": ForAllValues "also returns true if there are no context keys
    in the request or if the context key value resolves to a null dataset, such as an empty string";
    ForAnyValue: "For no matching context key or a null dataset, the condition returns false." Choice where
    the page is silent: an empty string among other values is dropped from the set, the same reading."""
    return [v for v in request_values(context, key) if v is not None and _str(v) != ""]


def policy_values(cond: Condition, op: str, context: Context, variables: bool) -> tuple:
    """The condition's values with their variables resolved from the context (String and ARN operators of a
    policy with ``Version: 2012-10-17``). A value whose variable has no value is dropped: "There is no equal
    or like value" ("Policy variables with no value"), so it matches no request value -- a positive operator
    is then false and an inverted one true, as that section says."""
    if not variables or op not in VARIABLE_OPERATORS or not any(isinstance(p, str) and "${" in p for p in cond.values):
        return cond.values
    out = []
    for p in cond.values:
        if not isinstance(p, str) or "${" not in p:
            out.append(p)
            continue
        r = var.resolve(p, context)
        if r is not None:
            out.append(r)
    return tuple(out)


def condition_holds(cond: Condition, context: Context, variables: bool = True) -> bool:
    """Evaluate one (operator, key, values) entry against the request context.

    ``variables``: do policy variables apply (the policy's Version is 2012-10-17)? Under an older or absent
    Version "variables like ${aws:username} are treated as literal strings in the policy"."""
    qualifier, op, if_exists = split_operator(cond.operator)
    if op == "null":
        # Null: "true" holds when the key is absent, "false" when it is present; several values are ORed.
        present = bool(request_values(context, cond.key_lower))
        return any((_str(p).lower() == "true") != present for p in cond.values)
    values = set_values(context, cond.key_lower) if qualifier else request_values(context, cond.key_lower)
    present = bool(values)
    if not present and qualifier == "foranyvalue":
        # ForAnyValue over no value (absent key, empty set, empty string) is false, and that holds before
        # ...IfExists is consulted: the set operator quantifies over the request's values and there are none
        # (the page documents the false result for "no matching context key or a null dataset" without an
        # exception for IfExists; the brief of issue #17 fixes the order).
        return False
    if not present and (if_exists or qualifier == "forallvalues"):
        # ...IfExists: "If the key is not present, evaluate the condition element as true."
        # ForAllValues: true "if there are no context keys in the request or if the context key value
        # resolves to a null dataset".
        return True
    match, negated = _BASE[op]
    pvals = policy_values(cond, op, context, variables)

    def hit(v: Any) -> bool:
        return any(match(p, v) for p in pvals)

    if qualifier == "forallvalues":
        # every request value must satisfy the operator
        if negated:
            return all(not hit(v) for v in values)
        return all(hit(v) for v in values)
    if qualifier == "foranyvalue":
        # at least one request value must satisfy the operator
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


def conditions_hold(conditions: Iterable[Condition], context: Context, variables: bool = True) -> bool:
    return all(condition_holds(c, context, variables) for c in conditions)


def normalise_context(pairs: dict[str, Any] | None) -> Context:
    return {k.lower(): v for k, v in (pairs or {}).items()}
