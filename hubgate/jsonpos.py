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
        self._memo: dict[str, tuple[int, int] | tuple[()]] = {}  # answers: (line, column), () for none
        self._offsets: dict[str, int | None] = {}
        self._kids: dict[int, dict[str, int] | list[int]] = {}  # members or items read so far, by offset
        self._resume: dict[int, int] = {}  # containers read in part: where their next member or item starts
        self._ends: dict[int, int] = {}  # where a value already decoded ends (a list of strings), by its offset
        self._line_at = (0, 1)  # (offset, its line): lines are counted on from the last answer

    @property
    def root(self):
        if self._root is _UNSET:
            self._root = json_positions(self.text, self.file, self.base).root
        return self._root

    @root.setter
    def root(self, value) -> None:
        self._root = value

    def __getitem__(self, pointer: str) -> tuple[int, int]:
        if self._root is not _UNSET or (self.extra and pointer in self.extra):
            return super().__getitem__(pointer)
        pos = self._memo.get(pointer)
        if pos is None:
            pos = self._position(pointer)
        if not pos:
            raise KeyError(pointer)
        return pos

    def _find(self, pointer: str) -> int | None:
        if self._root is not _UNSET:
            return super()._find(pointer)
        pos = self._memo.get(pointer)
        if pos is None:
            pos = self._position(pointer)
        return pack(*pos) if pos else None

    def _position(self, pointer: str) -> tuple[int, int] | tuple[()]:
        """(line, column) of the value at ``pointer``, ``()`` when it names nothing; memoised."""
        # deeper than any value of a loaded document (its nesting is capped): names nothing
        idx = None if pointer.count("/") > MAX_DEPTH + self.base.count("/") else self._offset(pointer)
        pos = () if idx is None else (self._line(idx), idx - self.text.rfind("\n", 0, idx))
        self._memo[pointer] = pos
        return pos

    def _offset(self, pointer: str) -> int | None:
        """Where the value at ``pointer`` starts in the text (None: it names nothing). Memoised per pointer, so
        the items of one list are found from their list's offset, not from the root each time."""
        offsets = self._offsets
        idx = offsets.get(pointer, _UNSET)
        if idx is not _UNSET:
            return idx
        base = self.base
        if pointer == base:
            idx = _WS.match(self.text, 0).end()
        elif pointer.startswith(base) and pointer[len(base)] == "/":
            parent, _, token = pointer.rpartition("/")
            idx = offsets.get(parent, _UNSET)
            if idx is _UNSET:
                idx = self._offset(parent)
            if idx is not None:
                idx = self._child(idx, token)
        else:
            return None
        offsets[pointer] = idx
        return idx

    def _child(self, idx: int, token: str) -> int | None:
        """The offset of the member or item ``token`` of the value at ``idx`` (None: there is none)."""
        c = self.text[idx]
        if c == "{":
            key = token.replace("~1", "/").replace("~0", "~") if "~" in token else token
            kids = self._kids.get(idx)
            if kids is None or (key not in kids and idx in self._resume):
                kids = self._scan(idx, key)
            return kids.get(key)  # type: ignore[union-attr]
        if c == "[":
            if not token.isdigit():
                return None
            n = int(token)  # as the tree reads an index (``01`` is item 1)
            kids = self._kids.get(idx)
            if kids is None:
                kids = self._string_items(idx)
            if kids is None or (n >= len(kids) and idx in self._resume):
                kids = self._scan(idx, n)
            return kids[n] if n < len(kids) else None  # type: ignore[index]
        return None

    def _string_items(self, idx: int) -> list[int] | None:
        """The item offsets of a list of strings written without a backslash (an Action list, as a rule),
        from the decoded strings' lengths; None for any other list."""
        text = self.text
        if text[_WS.match(text, idx + 1).end()] != '"':
            return None  # empty, or its first item is no string
        values, end = _decoder.raw_decode(text, idx)
        self._ends[idx] = end
        if text.find("\\", idx, end) >= 0:
            return None
        find = text.find
        kids: list[int] = []
        j = idx
        for v in values:  # no escapes: each string is its characters between two quotes
            if type(v) is not str:
                return None
            j = find('"', j)
            kids.append(j)
            j += len(v) + 2
        self._kids[idx] = kids
        return kids

    def _scan(self, idx: int, want: str | int) -> dict[str, int] | list[int]:
        """Members or items of the container at ``idx`` read one by one until ``want`` (a key, or an index) is
        found or the container ends; a later call resumes where this one stopped (the value found is not even
        decoded until then). Keys are read by the C string scanner (or as written, when they hold no escape),
        values passed over by the C decoder."""
        text = self.text
        kids = self._kids.get(idx)
        if kids is None:
            is_map = text[idx] == "{"
            kids = self._kids[idx] = {} if is_map else []
            j = _WS.match(text, idx + 1).end()
            if text[j] in "}]":
                return kids
        else:
            is_map = type(kids) is dict
            j = self._next(self._resume.pop(idx))
        find = text.find
        while j >= 0:
            if is_map:
                q = find('"', j + 1)
                k = text[j + 1:q]
                if "\\" in k:  # escapes: the C scanner reads the key
                    k, q = _scanstring(text, j + 1)
                    q -= 1
                j = _COLON.match(text, q + 1).end()  # only whitespace lies between a key and its ":"
                kids.setdefault(k, j)  # type: ignore[union-attr]
                found = k == want
            else:
                kids.append(j)  # type: ignore[union-attr]
                found = len(kids) > want  # type: ignore[arg-type, operator]
            if found:
                self._resume[idx] = j
                return kids
            j = self._next(j)
        return kids

    def _next(self, j: int) -> int:
        """Where the member or item after the value at ``j`` starts; -1 when the container ends there."""
        text = self.text
        end = self._ends.get(j)
        m = _COMMA.match(text, _decoder.raw_decode(text, j)[1] if end is None else end)
        return -1 if m is None else m.end()

    def _line(self, idx: int) -> int:
        """The 1-based line of offset ``idx``: counted on from the previous answer when it lies before (the
        findings of one rule come in document order), else from the start."""
        last, line = self._line_at
        if idx < last:
            last, line = 0, 1
        line += self.text.count("\n", last, idx)
        self._line_at = (idx, line)
        return line


_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")  # between a key and its value (JSON whitespace around ":")
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between a value and the next one; no match: the container ends


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
