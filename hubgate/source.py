"""Position-aware loading of YAML and JSON documents.

Every loaded document keeps a map from RFC 6901 JSON pointers to the (line, column) where the value
starts in the source, taken from the YAML parser's own node marks (JSON is parsed as YAML flow style,
which gives the same marks). Nothing is located by text search.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

try:  # the C parser is ~10x faster; fall back to pure Python where libyaml is missing
    _Loader = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_BYTES = 64 * 1024 * 1024


def escape_token(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: Any) -> str:
    return base + "".join("/" + escape_token(t) for t in tokens)


@dataclass
class Document:
    """A parsed JSON/YAML value with where it came from.

    ``base`` is the pointer of this value inside its file (``""`` for a whole file, ``/trust_policy``
    for a document given inline in a bundle).
    """

    file: str
    data: Any
    base: str = ""
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def pointer(self, *tokens: Any) -> str:
        return join_pointer(self.base, *tokens)

    def position(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``pointer``; the nearest parent's when unknown."""
        p = pointer
        while True:
            if p in self.positions:
                return self.positions[p]
            if not p:
                return (None, None)
            p = p.rsplit("/", 1)[0]

    def child(self, data: Any, *tokens: Any) -> "Document":
        return Document(self.file, data, self.pointer(*tokens), self.positions)


MAX_DEPTH = 256  # nesting of mappings/sequences; policies and bundles need a handful
MAX_ALIAS_VALUES = 100_000  # values produced by expanding YAML aliases (a "billion laughs" document has 10^9)


class _Builder:
    """Turns a composed YAML node tree into plain values, recording every value's position.

    Guards against hostile input with clear errors instead of a hang or a traceback: recursive aliases
    (``&a [*a]``), alias expansion that explodes (``billion laughs``) and absurd nesting depth.
    """

    def __init__(self, file: str, positions: dict):
        self.file = file
        self.positions = positions
        self.seen: set[int] = set()  # collection nodes already built once: meeting one again is an alias
        self.active: set[int] = set()  # collection nodes being built (ancestors of the current node)
        self.alias_depth = 0
        self.alias_values = 0

    def build(self, node: yaml.Node, pointer: str, depth: int = 0) -> Any:
        self.positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if self.alias_depth:
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                raise InputError(self.file, f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values")
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return _scalar(node)
        if depth >= MAX_DEPTH:
            raise InputError(self.file, f"line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
        key = id(node)
        if key in self.active:
            raise InputError(self.file, f"line {node.start_mark.line + 1}: recursive YAML alias")
        alias = key in self.seen
        self.seen.add(key)
        self.active.add(key)
        self.alias_depth += alias
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(v, join_pointer(pointer, i), depth + 1) for i, v in enumerate(node.value)]
            out: dict = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise InputError(self.file, f"line {key_node.start_mark.line + 1}: a mapping key must be a plain value")
                k = key_node.value
                if k == "<<":
                    raise InputError(self.file, f"line {key_node.start_mark.line + 1}: YAML merge keys are not supported")
                if k in out:
                    raise InputError(self.file, f"line {key_node.start_mark.line + 1}: duplicate key {k!r}")
                out[k] = self.build(value_node, join_pointer(pointer, k), depth + 1)
            return out
        finally:
            self.active.discard(key)
            self.alias_depth -= alias


def _construct(node: yaml.Node, pointer: str, positions: dict, file: str) -> Any:
    return _Builder(file, positions).build(node, pointer)


_resolver = _Loader("")


def _scalar(node: yaml.ScalarNode) -> Any:
    # Let PyYAML resolve the tag (int, bool, null, ...) exactly as safe_load would.
    if node.style in ("'", '"') or node.tag == "tag:yaml.org,2002:str":
        return node.value
    constructor = yaml.constructor.SafeConstructor
    tag = node.tag
    if tag == "tag:yaml.org,2002:timestamp":  # keep dates as written: they are ids, versions, not datetimes
        return node.value
    fn = constructor.yaml_constructors.get(tag)
    if fn is None:
        return node.value
    return fn(_resolver, node)


def parse_text(text: str, file: str, base: str = "") -> Document:
    """Parse YAML or JSON text into a Document with positions (see ``hubgate.parsers``).

    JSON text is read as JSON (its scalar rules, duplicate keys refused); anything else, and JSON-looking
    text the JSON parser refuses, as YAML with the same guards.
    """
    from .parsers import load_json, load_yaml

    if "\x00" in text:
        raise InputError(file, "binary file (contains NUL bytes), expected YAML or JSON")
    if not text.strip():
        raise InputError(file, "empty file, expected a YAML or JSON document")
    loaded = None
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        loaded = load_json(text, file, base)
    data, positions = loaded if loaded is not None else load_yaml(text, file, base)
    return Document(file, data, base, positions)


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


def _flow_depth(text: str) -> int:
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


def _nesting_guard(text: str, file: str) -> type:
    """The loader to compose with, after refusing absurd nesting outright.

    libyaml's composer recurses in C: nesting deep enough to exhaust the stack kills the process, which no
    ``except`` can catch. Flow nesting beyond the limit is refused before parsing; when block indentation
    could nest that deep, the pure-Python parser is used, whose RecursionError is caught.
    """
    flow = _flow_depth(text)
    if flow > MAX_DEPTH:
        raise InputError(file, f"nested more than {MAX_DEPTH} levels deep")
    room = max(MAX_DEPTH - flow - 2, 1)  # block levels (columns of indentation and indicators) left
    deep_block = re.search(rf"^[ \t?-]{{{room},}}", text, re.M) is not None
    return yaml.SafeLoader if deep_block else _Loader


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def read_text(path: Path, shown: str | None = None) -> str:
    """A file's text. Only regular files are read (a FIFO, device or directory is refused before any read:
    ``/dev/zero`` never ends, a FIFO blocks), and the size cap is enforced while reading, not from ``stat``."""
    shown = shown or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(shown, "file not found") from None
    except IsADirectoryError:
        raise InputError(shown, "is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(shown, "is a directory, expected a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(shown, "not a regular file (a FIFO, device or socket), expected a file")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        size = st.st_size
        if size > MAX_BYTES:
            raise InputError(shown, f"file is {size} bytes, larger than the {MAX_BYTES} byte limit")
        try:
            raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(shown, f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(shown, f"file is larger than the {MAX_BYTES} byte limit")
    if b"\x00" in raw:
        raise InputError(shown, "binary file (contains NUL bytes), expected YAML or JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text (byte {exc.start})") from None


def load_file(path: Path, shown: str | None = None) -> Document:
    shown = shown or str(path)
    return parse_text(read_text(path, shown), shown)
