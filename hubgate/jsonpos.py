"""Line and column of every value of a JSON text, without a YAML parser.

The loader reads JSON with the C ``json`` parser and needs, for findings, the same (line, column) that
PyYAML's node marks give when the text is composed as YAML flow style. Composing costs ~1 ms for a
2 KB policy; this scanner walks the text's tokens with one regular expression instead (~20x less).

It answers only for texts where the two agree by construction: printable ASCII and line feeds (no tab,
carriage return or other line break, no BOM, so a column is an offset from the last ``\\n``), no escape
PyYAML reads differently (``\\/``, surrogate pairs), every key on the line of its ``:`` and shorter than
YAML's 1024-character simple-key limit, no duplicate key and no ``<<`` key (which the YAML loader refuses),
and nesting well inside the loader's cap. For anything else it returns None and the caller takes the YAML
path, so positions and errors stay exactly what they were.
"""

from __future__ import annotations

import json
import re

_UNSURE = re.compile(r'[^\x20-\x7e\n]|\\/|\\u[dD][89abAB]')
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
_SIMPLE_KEY_LIMIT = 1000  # PyYAML forgets a possible simple key after 1024 characters


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def json_positions(text: str, base: str = "", max_depth: int = 200) -> dict[str, tuple[int, int]] | None:
    """RFC 6901 pointer (under ``base``) -> (line, column), 1-based, of every value; None when unsure."""
    if _UNSURE.search(text):
        return None
    positions: dict[str, tuple[int, int]] = {}
    # frames: [is_object, pointer, next index or pending key, keys seen]
    stack: list[list] = []
    line = 1
    line_start = 0  # offset of the first character of the current line
    last = 0  # offset up to which lines are counted
    expect_key = False
    key: str | None = None
    key_start = 0
    after_colon = False
    for m in _TOKEN.finditer(text):
        tok = m.group()
        start = m.start()
        c = tok[0]
        if c in ",:}]":
            if c == ":":
                if key is None or "\n" in text[key_start:start] or start - key_start > _SIMPLE_KEY_LIMIT:
                    return None
                after_colon = True
            elif c == ",":
                frame = stack[-1] if stack else None
                if frame is None:
                    return None
                if frame[0]:
                    expect_key = True
                else:
                    frame[2] += 1
            else:
                if not stack:
                    return None
                stack.pop()
                expect_key = False
            continue
        if expect_key:  # an object key (only ever right after `{` or `,` in an object)
            if c != '"':
                return None
            key = json.loads(tok) if "\\" in tok else tok[1:-1]
            frame = stack[-1]
            if key == "<<" or key in frame[3]:
                return None
            frame[3].add(key)
            key_start = start
            expect_key = False
            continue
        # a value starts here: its pointer
        if stack:
            frame = stack[-1]
            if frame[0]:
                if key is None or not after_colon:
                    return None
                pointer = frame[1] + "/" + _escape(key)
                key = None
            else:
                pointer = frame[1] + "/" + str(frame[2])
        else:
            if positions:
                return None  # a second top-level value
            pointer = base
        after_colon = False
        nl = text.count("\n", last, start)
        if nl:
            line += nl
            line_start = text.rfind("\n", last, start) + 1
        last = start
        positions[pointer] = (line, start - line_start + 1)
        if c == "{" or c == "[":
            if len(stack) >= max_depth:
                return None
            stack.append([c == "{", pointer, 0, set()])
            expect_key = c == "{"
    if stack or not positions:
        return None
    return positions


# --- on demand ----------------------------------------------------------------------------------------------
#
# Most findings need the position of one or two pointers of a document; scanning the whole text for every
# value costs more than parsing it. ``LazyPositions`` answers one pointer at a time by walking the text along
# the pointer: keys read with the C string scanner, the values passed over skipped with the C decoder.

_WS = re.compile(r"[ \t\n\r]*")
_SPLIT_KEY = re.compile(r'"[ \t\r]*\n[ \t\r\n]*:')  # a key whose ":" is on a later line
_LONG_STRING = re.compile(r'"[^"\n]{990}')  # near PyYAML's 1024-character simple-key limit
_decoder = json.JSONDecoder()
_scanstring = json.decoder.scanstring


def _deepest(text: str) -> int:
    """An upper bound on the nesting of ``[``/``{`` (brackets inside strings counted too)."""
    depth = top = 0
    for ch in re.sub(r"[^\[\]{}]+", "", text):
        depth += 1 if ch in "[{" else -1
        top = max(top, depth)
    return top


def positions_on_demand(text: str, base: str = "", max_depth: int = 200) -> "LazyPositions | None":
    """Positions of a JSON text (already parsed by the caller) looked up per pointer, or None when the text
    is one the YAML marks could place differently (see the module docstring): the caller composes it."""
    if _UNSURE.search(text) or '"<<"' in text or _SPLIT_KEY.search(text) or _LONG_STRING.search(text):
        return None
    if text.count("[") + text.count("{") > max_depth and _deepest(text) > max_depth:
        return None
    return LazyPositions(text, base)


class LazyPositions:
    """A read-only mapping pointer -> (line, column) over a JSON text, computed per pointer and memoised.

    Iterating (rarely needed) computes every position with :func:`json_positions`."""

    __slots__ = ("text", "base", "_memo", "_all")

    def __init__(self, text: str, base: str = ""):
        self.text = text
        self.base = base
        self._memo: dict[str, tuple[int, int] | None] = {}
        self._all: dict[str, tuple[int, int]] | None = None

    def _find(self, pointer: str) -> tuple[int, int] | None:
        if pointer in self._memo:
            return self._memo[pointer]
        found = None
        base = self.base
        if pointer == base or (pointer.startswith(base) and pointer[len(base):len(base) + 1] == "/"):
            rest = pointer[len(base):]
            tokens = [t.replace("~1", "/").replace("~0", "~") for t in rest.split("/")[1:]] if rest else []
            try:
                idx = _locate(self.text, tokens)
            except (ValueError, IndexError):
                idx = None
            if idx is not None:
                text = self.text
                found = (text.count("\n", 0, idx) + 1, idx - text.rfind("\n", 0, idx))
        self._memo[pointer] = found
        return found

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self._find(pointer) is not None

    def __getitem__(self, pointer: str) -> tuple[int, int]:
        found = self._find(pointer) if isinstance(pointer, str) else None
        if found is None:
            raise KeyError(pointer)
        return found

    def get(self, pointer: str, default=None):
        found = self._find(pointer) if isinstance(pointer, str) else None
        return default if found is None else found

    def _every(self) -> dict[str, tuple[int, int]]:
        if self._all is None:
            self._all = json_positions(self.text, self.base, max_depth=10**6) or {}
        return self._all

    def __iter__(self):
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())

    def keys(self):
        return self._every().keys()

    def items(self):
        return self._every().items()

    def values(self):
        return self._every().values()

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == (dict(other.items()) if hasattr(other, "items") else other)

    def __repr__(self) -> str:
        return f"LazyPositions({len(self._memo)} looked up)"


def _locate(text: str, tokens: list[str]) -> int | None:
    """Offset where the value at the pointer tokens starts; None when there is none."""
    ws = _WS.match
    idx = ws(text, 0).end()
    for tok in tokens:
        c = text[idx]
        if c == "{":
            idx = ws(text, idx + 1).end()
            if text[idx] == "}":
                return None
            while True:
                key, idx = _scanstring(text, idx + 1)
                idx = ws(text, ws(text, idx).end() + 1).end()  # past the ":"
                if key == tok:
                    break
                idx = ws(text, _decoder.raw_decode(text, idx)[1]).end()
                if text[idx] != ",":
                    return None
                idx = ws(text, idx + 1).end()
        elif c == "[":
            if not (tok.isascii() and tok.isdigit() and str(int(tok)) == tok):
                return None
            idx = ws(text, idx + 1).end()
            if text[idx] == "]":
                return None
            for _ in range(int(tok)):
                idx = ws(text, _decoder.raw_decode(text, idx)[1]).end()
                if text[idx] != ",":
                    return None
                idx = ws(text, idx + 1).end()
        else:
            return None
    return idx
