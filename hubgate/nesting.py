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


_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS = {c: None for c in range(128) if chr(c) not in _STEP}
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
