"""Positions of a JSON document found per pointer, when a finding asks for one.

``json_positions`` scans every token of a JSON text in Python to build the position tree:
for a 2 KB policy that costs as much as the rest of checking it, and most values are never asked about
(a finding names one or two pointers). :class:`LazyJsonPositions` answers a pointer by walking the text
along it instead -- keys read by the C string scanner, the values passed over skipped by the C decoder, the
members of each container on the way noted once -- and builds the full tree only when it is iterated. Its answers are the tree's: the
same (line, column) from the same offsets, the same pointer rules (RFC 6901 escapes; a list index as
``isdigit`` and ``int`` read it).

Only texts that ``json.loads`` accepted (duplicate keys and nesting already refused) get here, so building
the tree later cannot raise an error the loader would have raised.
"""

from __future__ import annotations

import json
import re

from .errors import InputError
from .nesting import MAX_DEPTH
from .positions import MapNode, Positions, SeqNode, TreeBuilder, pack

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
_scanstring = json.decoder.scanstring
_UNSET = object()


class LazyJsonPositions(Positions):
    """Pointer -> (line, column) over a valid JSON text, for the document rooted at pointer ``base``."""

    def __init__(self, text: str, file: str, base: str):  # no Positions.__init__: the root is lazy
        self.text = text
        self.file = file
        self.base = base
        self.extra: dict[str, tuple[int, int]] = {}
        self._root = _UNSET
        self._memo: dict[str, int | None] = {}
        self._kids: dict[int, dict[str, int] | list[int]] = {}

    @property
    def root(self):
        if self._root is _UNSET:
            self._root = json_positions(self.text, self.file, self.base).root
        return self._root

    @root.setter
    def root(self, value) -> None:
        self._root = value

    def _find(self, pointer: str) -> int | None:
        if self._root is not _UNSET:
            return super()._find(pointer)
        memo = self._memo
        if pointer in memo:
            return memo[pointer]
        found = self._locate(pointer)
        memo[pointer] = found
        return found

    def _children(self, idx: int):
        """Where each member (key -> offset) or item (list of offsets) of the container at ``idx`` starts;
        read once per container: findings often name many items of one Action list."""
        kids = self._kids.get(idx)
        if kids is not None:
            return kids
        text = self.text
        ws = _WS.match
        is_map = text[idx] == "{"
        kids = {} if is_map else []
        j = ws(text, idx + 1).end()
        if text[j] not in "}]":
            while True:
                if is_map:
                    k, j = _scanstring(text, j + 1)
                    j = ws(text, ws(text, j).end() + 1).end()  # past the ":"
                    kids.setdefault(k, j)
                else:
                    kids.append(j)
                j = ws(text, _decoder.raw_decode(text, j)[1]).end()
                if text[j] != ",":
                    break
                j = ws(text, j + 1).end()
        self._kids[idx] = kids
        return kids

    def _locate(self, pointer: str) -> int | None:
        base = self.base
        if not pointer.startswith(base):
            return None
        rest = pointer[len(base):]
        if rest and rest[0] != "/":
            return None
        text = self.text
        idx = _WS.match(text, 0).end()
        for token in rest[1:].split("/") if rest else ():
            c = text[idx]
            if c == "{":
                key = token.replace("~1", "/").replace("~0", "~") if "~" in token else token
                idx = self._children(idx).get(key)
                if idx is None:
                    return None
            elif c == "[":
                if not token.isdigit():
                    return None
                n = int(token)  # as the tree reads an index (``01`` is item 1)
                items = self._children(idx)
                if n >= len(items):
                    return None
                idx = items[n]
            else:
                return None
        return pack(text.count("\n", 0, idx) + 1, idx - text.rfind("\n", 0, idx))


_JTOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^\s,:{}\[\]"]+')


def json_positions(text: str, file: str, base: str) -> Positions:
    """Positions of every value of a (valid) JSON text; refuses duplicate keys and absurd nesting."""
    tb = TreeBuilder()
    line, line_start, last = 1, 0, 0
    keys: dict[str, str] = {}
    for m in _JTOKEN.finditer(text):
        start = m.start()
        nl = text.count("\n", last, start)
        if nl:
            line += nl
            line_start = text.rfind("\n", last, start) + 1
        last = start
        tok = m.group()
        c = tok[0]
        if c == "}" or c == "]":
            tb.end()
            continue
        if tb.expects_key():
            k = keys.get(tok)
            if k is None:
                k = keys[tok] = json.loads(tok) if "\\" in tok else tok[1:-1]
            if not tb.key(k):
                raise InputError(file, f"line {line}: duplicate key {k!r}")
            continue
        pos = pack(line, start - line_start + 1)
        if c == "{" or c == "[":
            if tb.depth >= MAX_DEPTH:
                raise InputError(file, f"line {line}: nested more than {MAX_DEPTH} levels deep")
            tb.start(MapNode(pos) if c == "{" else SeqNode(pos))
        else:
            tb.scalar(pos)
    return Positions(base, tb.root)
