"""Normalised IAM policy documents.

A policy as written allows many spellings: ``Statement`` as an object or a list, ``Action`` as a string
or a list, any case in action names and condition keys. ``normalise`` turns a document into one shape,
keeping for every value the JSON pointer it came from so findings point at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count, repeat
from typing import Any, NamedTuple

from ..errors import InputError
from ..jsonpos import LazyJsonPositions
from ..source import Document, escape_token
from .conditions import UnknownOperator, split_operator

DEFAULT_VERSION = "2008-10-17"
VARIABLES_VERSION = "2012-10-17"  # "Variables were introduced in version 2012-10-17" (Variables and tags)
VERSIONS = (VARIABLES_VERSION, DEFAULT_VERSION)


class Item(NamedTuple):  # one per policy string: a large policy holds millions (tuples, made in C: _strings)
    """One string value of a policy element, with its pointer (``base``, or entry ``index`` of the list at
    ``base``: the pointer string is made when asked for, not kept for every entry)."""

    value: str
    base: str
    index: int | None = None

    @property
    def pointer(self) -> str:
        return self.base if self.index is None else f"{self.base}/{self.index}"


@dataclass(frozen=True)
class Principal:
    kind: str  # "*" for the bare wildcard, else "AWS", "Service", "Federated", "CanonicalUser"
    value: str
    pointer: str


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. "StringEquals", "ForAnyValue:StringLike", "StringEqualsIfExists"
    key: str  # as written
    values: tuple[Any, ...]
    pointer: str

    @property
    def key_lower(self) -> str:
        return self.key.lower()


@dataclass
class Statement:
    index: int
    pointer: str
    sid: str | None
    effect: str  # "Allow" | "Deny"
    actions: tuple[Item, ...] = ()
    not_actions: tuple[Item, ...] | None = None
    resources: tuple[Item, ...] = ()
    not_resources: tuple[Item, ...] | None = None
    principals: tuple[Principal, ...] | None = None
    not_principals: tuple[Principal, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    variables: bool = False  # policy variables apply (the policy's Version is 2012-10-17)

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        return f"statement {self.index}" + (f" ({self.sid})" if self.sid else "")


@dataclass
class Policy:
    doc: Document
    version: str | None  # as written; None when absent
    statements: list[Statement] = field(default_factory=list)
    # Views derived from this policy once per run and shared by every rule that asks (``s3policy.view``).
    views: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def effective_version(self) -> str:
        return self.version or DEFAULT_VERSION

    def allows(self) -> list[Statement]:
        return [s for s in self.statements if s.allow]

    def denies(self) -> list[Statement]:
        return [s for s in self.statements if not s.allow]


class PolicyError(InputError):
    pass


#: Values (actions, resources, principals, condition values) one policy may hold. AWS refuses identity
#: policies over 10,240 characters and bucket policies over 20 KB; its own largest managed policy holds
#: under 5,000 values. A document far beyond that is no policy AWS would accept, and refusing it at once keeps
#: memory and time proportional to real policies, whatever size of file a bundle names.
MAX_POLICY_VALUES = 100_000


def _count_values(value, limit: int) -> int:
    """Scalars in ``value`` (a statement list), counted without recursion; stops past ``limit``."""
    n, stack = 0, [value]
    while stack and n <= limit:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            kids = [x for x in v if isinstance(x, (dict, list))]
            n += len(v) - len(kids)
            stack += kids
        else:
            n += 1
    return n


def _may_hold_too_many(doc: Document) -> bool:
    """Could the document hold more than ``MAX_POLICY_VALUES`` values? Not when it was read from a JSON text
    of fewer than ``2 * MAX_POLICY_VALUES`` characters: each value takes a character and all but the last a
    separator. (YAML aliases repeat values without text, and a document built in memory has none: counted.)"""
    positions = doc.positions
    return not isinstance(positions, LazyJsonPositions) or len(positions.text) >= 2 * MAX_POLICY_VALUES


# Element names are case-sensitive in the IAM policy grammar ("action" is not "Action").
_STATEMENT_KEYS = {
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
}


def _strings(doc: Document, value: Any, ptr: str, what: str) -> tuple[Item, ...]:
    """One string or a non-empty list of strings, as Items; ``ptr`` is the pointer of ``value``."""
    if isinstance(value, str):
        return (Item(value, ptr),)
    if isinstance(value, list):
        if not value:
            raise PolicyError(doc.file, f"{ptr}: {what} is an empty list")
        for i, v in enumerate(value) if set(map(type, value)) != _STR else ():
            if not isinstance(v, str):
                raise PolicyError(doc.file, f"{ptr}/{i}: {what} entries must be strings")
        # Item(v, ptr, i) for each entry, made by the tuple constructor in C (no Python frame per entry)
        return tuple(map(_new_item, repeat(Item), zip(value, repeat(ptr), count())))
    raise PolicyError(doc.file, f"{ptr}: {what} must be a string or a list of strings")


_STR = {str}
_new_item = tuple.__new__


def _principals(doc: Document, value: Any, ptr: str) -> tuple[Principal, ...]:
    if value == "*":
        return (Principal("*", "*", ptr),)
    if not isinstance(value, dict):
        raise PolicyError(doc.file, f"{ptr}: Principal must be \"*\" or an object")
    out = []
    for kind, vals in value.items():
        for item in _strings(doc, vals, f"{ptr}/{escape_token(kind)}", f"Principal {kind}"):
            out.append(Principal(kind, item.value, item.pointer))
    return tuple(out)


def _conditions(doc: Document, value: Any, ptr: str) -> tuple[Condition, ...]:
    if not isinstance(value, dict):
        raise PolicyError(doc.file, f"{ptr}: Condition must be an object")
    out = []
    for op, block in value.items():
        op_ptr = f"{ptr}/{escape_token(op)}"
        if not isinstance(block, dict):
            raise PolicyError(doc.file, f"{op_ptr}: condition operator {op} must map keys to values")
        if not _known_operator(op):
            raise PolicyError(doc.file, f"{op_ptr}: unknown condition operator {op!r}")
        for key, vals in block.items():
            key_ptr = f"{op_ptr}/{escape_token(key)}"
            vals_t = tuple(vals) if isinstance(vals, list) else (vals,)
            for v in vals_t:
                if isinstance(v, (dict, list)):
                    raise PolicyError(doc.file, f"{key_ptr}: condition values must be scalars")
            out.append(Condition(op, key, vals_t, key_ptr))
    return tuple(out)


@lru_cache(maxsize=4096)
def _known_operator(op: str) -> bool:
    try:
        split_operator(op)
    except UnknownOperator:
        return False
    return True


def normalise(doc: Document) -> Policy:
    """Check the grammar of an IAM policy document and return it in normal form.

    Raises PolicyError (an InputError, exit 2) naming the pointer of the first malformed element.
    """
    data = doc.data
    if isinstance(data, str):
        raise PolicyError(doc.file, f"{doc.base or '/'}: policy is a string, expected a JSON object")
    if not isinstance(data, dict):
        raise PolicyError(doc.file, f"{doc.base or '/'}: policy must be a JSON object with a Statement")
    if "Statement" not in data:
        raise PolicyError(doc.file, f"{doc.base or '/'}: policy has no Statement")
    version = data.get("Version")
    if version is not None and not isinstance(version, str):
        raise PolicyError(doc.file, f"{doc.pointer('Version')}: Version must be a string")
    raw = data["Statement"]
    if isinstance(raw, dict):
        raw_list, single = [raw], True
    elif isinstance(raw, list):
        raw_list, single = raw, False
    else:
        raise PolicyError(doc.file, f"{doc.pointer('Statement')}: Statement must be an object or a list")
    if _may_hold_too_many(doc) and _count_values(raw, MAX_POLICY_VALUES) > MAX_POLICY_VALUES:
        raise PolicyError(doc.file, f"{doc.pointer('Statement')}: more than {MAX_POLICY_VALUES:,} values in the "
                                    "statements: far beyond any policy AWS accepts (10,240 characters for an "
                                    "identity policy), refused")
    policy = Policy(doc, version)
    stmt_base = doc.pointer("Statement")
    variables = version == VARIABLES_VERSION
    for i, st in enumerate(raw_list):
        ptr = stmt_base if single else f"{stmt_base}/{i}"
        if not isinstance(st, dict):
            raise PolicyError(doc.file, f"{ptr}: a statement must be an object")
        if not _STATEMENT_KEYS.issuperset(st):
            unknown = [k for k in st if k not in _STATEMENT_KEYS]
            raise PolicyError(doc.file, f"{ptr}: unknown statement element {unknown[0]!r}")
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(doc.file, f"{ptr}/Effect: Effect must be \"Allow\" or \"Deny\", got {effect!r}")
        if ("Action" in st) == ("NotAction" in st):
            raise PolicyError(doc.file, f"{ptr}: a statement needs exactly one of Action and NotAction")
        sid = st.get("Sid")
        actions, not_actions = (), None
        if "Action" in st:
            actions = _strings(doc, st["Action"], f"{ptr}/Action", "Action")
        else:
            not_actions = _strings(doc, st["NotAction"], f"{ptr}/NotAction", "NotAction")
        if "Resource" in st and "NotResource" in st:
            raise PolicyError(doc.file, f"{ptr}: a statement cannot have both Resource and NotResource")
        resources, not_resources = (), None
        if "Resource" in st:
            resources = _strings(doc, st["Resource"], f"{ptr}/Resource", "Resource")
        elif "NotResource" in st:
            not_resources = _strings(doc, st["NotResource"], f"{ptr}/NotResource", "NotResource")
        principals = _principals(doc, st["Principal"], f"{ptr}/Principal") if "Principal" in st else None
        not_principals = (_principals(doc, st["NotPrincipal"], f"{ptr}/NotPrincipal") if "NotPrincipal" in st
                          else None)
        conditions = _conditions(doc, st["Condition"], f"{ptr}/Condition") if "Condition" in st else ()
        policy.statements.append(Statement(i, ptr, sid if isinstance(sid, str) else None, effect, actions,
                                           not_actions, resources, not_resources, principals, not_principals,
                                           conditions, variables))
    return policy
