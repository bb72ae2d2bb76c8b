"""Policy variables (``${aws:username}``) and their substitution from a request context.

Follows the IAM User Guide, "IAM policy elements: Variables and tags"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):

* "When the policy is evaluated, the policy variables are replaced with values that come from the context of
  the request itself." Key names are case-insensitive ("Key names are case-insensitive. For example,
  aws:CurrentTime is equivalent to AWS:currenttime").
* Where: "You can use policy variables in the Resource element and in string comparisons in the Condition
  element" -- String and ARN operators; "You can't use a policy variable with other operators, such as
  Numeric, Date, Boolean, Binary, IP Address, or Null operators".
* Version: "Variables were introduced in version 2012-10-17 ... If you don't include the Version element
  and set it to an appropriate version date, variables like ${aws:username} are treated as literal strings
  in the policy."
* "Policy variables with no value": "When policy variables reference a condition context key that has no
  value or is not present ... the value is effectively null. There is no equal or like value." Operators
  like StringEquals / StringLike do not match; inverted ones (StringNotEquals, StringNotLike) do. In
  Resource / NotResource "the resource that includes a policy variable with no value will not match any
  resource."
* "Special characters": ``${*}``, ``${?}``, ``${$}`` stand for the literal characters ``*``, ``?``, ``$``.
* "Specifying default values": ``${aws:PrincipalTag/team, 'company-wide'}`` -- "surround the default value
  with single quotes (' '), and separate the variable text and the default value with a comma and space".

Choices where the pages are silent (also listed in the report of issue #17):

* A value substituted from the context is literal text: a ``*`` or ``?`` in a user name or tag value is
  never a wildcard (the special variables exist precisely so that a policy can say "literal ``*``"; a value
  that widened a grant would let the requester choose what the policy allows).
* A multivalued context key (a list of more than one value) has no value as a variable ("you cannot use a
  multivalued context key as a policy variable", "Single-valued vs. multivalued context keys"); a one-element
  list is its single value. An empty string is a value (the pages call an empty string a null dataset only
  for the ForAllValues / ForAnyValue set operators).
* A ``${`` without its closing ``}`` is plain text, not a variable: AWS documents no such form.
* Substitution is one pass: a default value or a context value that itself looks like ``${...}`` is text.
* In ``NotResource`` an entry whose variable has no value matches no resource, as the page says of
  "the Resource or NotResource element"; the NotResource statement therefore covers the request.
* Bool: the Condition operators page marks Bool "Policy variables - Supported" while this page lists
  "Boolean" among the operators that take none; hubgate follows this page (String and ARN only), so a
  ``${...}`` in a Bool value stays text and a policy relying on it is judged as not matching.
* A variable before the fifth colon of a Resource ARN ("You can't use a variable to replace parts of the ARN
  before the fifth colon") is still substituted: the policy is outside what AWS documents, and substituting
  judges it by what its author meant. In an ARN operator a ``:`` inside a substituted value separates
  components like any other (``${aws:PrincipalArn}`` is a whole ARN).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SPECIAL = {"*": "*", "?": "?", "$": "$"}

# ${key} or ${key, 'default'}: the default is single-quoted, '' inside it is one quote.
_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,'\s][^,']*?)\s*,\s*'((?:[^']|'')*)'\s*$")


@dataclass(frozen=True)
class Var:
    key: str  # lower-case context key
    default: str | None


# A parsed string: a tuple of pieces; str pieces are policy text (wildcards active where the operator has
# them), ("lit", text) pieces are literal characters, Var pieces are variables.
Piece = Any


@lru_cache(maxsize=65536)
def parse(text: str) -> tuple[Piece, ...]:
    """Split a policy string into text, literal characters (``${*}`` ...) and variables."""
    if "${" not in text:
        return (text,)
    out: list[Piece] = []
    pos = 0
    for m in _VAR.finditer(text):
        if m.start() > pos:
            out.append(text[pos:m.start()])
        inner = m.group(1)
        if inner in SPECIAL:
            out.append(("lit", SPECIAL[inner]))
        else:
            d = _DEFAULT.match(inner)
            if d:
                out.append(Var(d.group(1).strip().lower(), d.group(2).replace("''", "'")))
            else:
                out.append(Var(inner.strip().lower(), None))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(out)


def has_variables(text: str) -> bool:
    return any(not isinstance(p, str) for p in parse(text))


def as_text(v: Any) -> str:
    """A context or policy value as IAM compares it as a string (booleans lower-case, bytes as base64)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    return str(v)


def _value(context: Mapping[str, Any], key: str) -> str | None:
    v = context.get(key)
    if isinstance(v, (list, tuple, set, frozenset)):
        if len(v) != 1:
            return None  # multivalued (or empty): no value as a variable
        v = next(iter(v))
    if v is None:
        return None
    return as_text(v)


Resolved = tuple  # tuple of (text, is_pattern) pairs


def resolve(text: str, context: Mapping[str, Any] | None, enabled: bool = True) -> Resolved | None:
    """The string with its variables replaced from ``context`` (lower-case keys), as (text, is_pattern)
    pairs: policy text keeps its wildcards, substituted values and special characters are literal.

    None when a variable has no value and no default (the element then matches nothing). With ``enabled``
    False (a policy without ``Version: 2012-10-17``) the string is returned as written. With ``context``
    None every variable is unknown and None is returned for any string that has one."""
    if not enabled or "${" not in text:
        return ((text, True),)
    out = []
    for p in parse(text):
        if isinstance(p, str):
            out.append((p, True))
        elif isinstance(p, tuple):
            out.append((p[1], False))
        else:
            v = _value(context, p.key) if context is not None else None
            if v is None:
                v = p.default
            if v is None:
                return None
            out.append((v, False))
    return tuple(out)


def plain(resolved: Resolved) -> str:
    """The resolved string as text (for operators without wildcards)."""
    return "".join(t for t, _ in resolved)


def any_value(text: str, enabled: bool = True) -> Resolved:
    """The string with every variable standing for any value (``*``): what a static "could this match"
    question asks. Special characters stay literal."""
    if not enabled or "${" not in text:
        return ((text, True),)
    return tuple((p, True) if isinstance(p, str) else ((p[1], False) if isinstance(p, tuple) else ("*", True))
                 for p in parse(text))


@lru_cache(maxsize=65536)
def glob(resolved: Resolved, component_wildcards: bool = False) -> re.Pattern[str]:
    """A case-sensitive regex for a resolved pattern: ``*``/``?`` of policy text are wildcards, literal
    pieces are escaped. With ``component_wildcards`` (ARN operators) a wildcard before the fifth colon of the
    pattern stays inside its colon-separated component."""
    parts = []
    colons = 0
    for text, is_pattern in resolved:
        if not is_pattern:
            parts.append(re.escape(text))
            colons += text.count(":")
            continue
        for ch in text:
            if ch == ":":
                colons += 1
                parts.append(":")
            elif ch in "*?" and component_wildcards and colons < 5:
                parts.append("[^:]*" if ch == "*" else "[^:]")
            elif ch in "*?":
                parts.append(".*" if ch == "*" else ".")
            else:
                parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def wildcard_free(resolved: Resolved) -> bool:
    return not any(is_pattern and ("*" in t or "?" in t) for t, is_pattern in resolved)

