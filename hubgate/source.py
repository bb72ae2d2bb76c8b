"""Position-aware loading of YAML and JSON documents.

Every loaded document keeps a map from RFC 6901 JSON pointers to the (line, column) where the value
starts in the source, taken from the YAML parser's own node marks (JSON is parsed as YAML flow style,
which gives the same marks). Nothing is located by text search.
"""

from __future__ import annotations

import json
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


def _construct(node: yaml.Node, pointer: str, positions: dict, file: str) -> Any:
    positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(file, f"line {key_node.start_mark.line + 1}: a mapping key must be a plain value")
            key = key_node.value
            if key == "<<":
                raise InputError(file, f"line {key_node.start_mark.line + 1}: YAML merge keys are not supported")
            if key in out:
                raise InputError(file, f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
            out[key] = _construct(value_node, join_pointer(pointer, key), positions, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, join_pointer(pointer, i), positions, file) for i, v in enumerate(node.value)]
    return _scalar(node)


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
    """Parse YAML or JSON text into a Document with positions."""
    if "\x00" in text:
        raise InputError(file, "binary file (contains NUL bytes), expected YAML or JSON")
    if not text.strip():
        raise InputError(file, "empty file, expected a YAML or JSON document")
    positions: dict[str, tuple[int, int]] = {}
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        # JSON that YAML refuses (e.g. tabs) is still valid input: fall back to json without positions.
        try:
            data = json.loads(text)
        except ValueError:
            raise InputError(file, f"not valid YAML/JSON: {_yaml_problem(exc)}") from None
        return Document(file, data, base, positions)
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise InputError(file, "empty document, expected a YAML or JSON document")
    if len(nodes) > 1:
        raise InputError(file, "several YAML documents in one file; put one bundle or policy per file")
    data = _construct(nodes[0], base, positions, file)
    return Document(file, data, base, positions)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)


def read_text(path: Path, shown: str | None = None) -> str:
    shown = shown or str(path)
    try:
        if path.is_dir():
            raise InputError(shown, "is a directory, expected a file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(shown, "file not found") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise InputError(shown, f"file is {size} bytes, larger than the {MAX_BYTES} byte limit")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror}") from None
    if b"\x00" in raw:
        raise InputError(shown, "binary file (contains NUL bytes), expected YAML or JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text (byte {exc.start})") from None


def load_file(path: Path, shown: str | None = None) -> Document:
    shown = shown or str(path)
    return parse_text(read_text(path, shown), shown)
