"""Limits on the shape of what hubgate reads, and how deep a text nests (measured without parsing it): the
readers refuse absurd nesting before libyaml's C composer or Python's recursion could be exhausted."""

from __future__ import annotations

import itertools
import re

MAX_DEPTH = 256  # nesting of mappings/sequences; policies and bundles need a handful
MAX_ALIAS_VALUES = 100_000  # values produced by expanding YAML aliases (a "billion laughs" document has 10^9)


def bracket_depth(text: str) -> int:
    """The ``[``/``{`` nesting outside double- and single-quoted scalars (exact for JSON)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    return _bracket_depth(_QUOTED.sub("", text))


def json_depth(text: str) -> int:
    """:func:`bracket_depth` of a text ``json.loads`` accepted, read without the regex where it can be: in valid
    JSON without backslashes the strings are every other run between quotes (a single quote only ever lies
    inside one), so the brackets outside them are found by C string methods."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    skeleton = text.translate(_SKELETON) if text.isascii() else _NOT_SKELETON.sub("", text)
    if "\\" in skeleton:
        return bracket_depth(text)
    return _bracket_depth("".join(skeleton.split('"')[::2]))


_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS = {c: None for c in range(128) if chr(c) not in _STEP}
_SKELETON = {c: None for c in range(128) if chr(c) not in '[]{}"\\'}  # brackets, quotes and backslashes kept
_NOT_SKELETON = re.compile(r'[^\[\]{}"\\]+')
# a quoted scalar starts where a token can start; it does not span lines here (a multi-line one is left in,
# which can only over-count)
_QUOTED = re.compile(r"""(?<![^\s\[{,:])(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')""")


def flow_depth(text: str) -> int:
    """An upper bound on the ``[``/``{`` nesting: brackets outside quoted scalars (brackets in plain scalars
    and comments are counted too)."""
    opening = text.count("[") + text.count("{")
    if opening <= MAX_DEPTH:
        return opening
    depth = _bracket_depth(text)
    return depth if depth <= MAX_DEPTH else _bracket_depth(_QUOTED.sub("", text))


def _bracket_depth(text: str) -> int:
    kept = text.translate(_NOT_BRACKETS) if text.isascii() else re.sub(r"[^\[\]{}]+", "", text)
    return max(itertools.accumulate(map(_STEP.__getitem__, kept)), default=0)
