"""Where every value of a JSON or YAML file lies in its text: a span index by RFC 6901 pointer.

``--fix`` edits the original text at these spans and leaves every other byte alone. JSON is scanned with
the standard library's own string and value decoders (so tabs, compact one-line files and any indentation
are read exactly); YAML spans come from the YAML parser's node marks. Nothing is located by text search.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import yaml

from ..source import join_pointer

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass
class Node:
    """One value: ``start``/``end`` are character offsets (``end`` exclusive; for YAML block collections
    it is where the collection's last scalar or flow value ends, never a following comment)."""

    kind: str  # "map" | "seq" | "scalar"
    start: int
    end: int
    flow: bool = True  # JSON always; YAML: a {...} or [...] collection, or any scalar
    column: int = 0  # YAML block collections: the column of their keys or of their "-" indicators
    children: list[str] = field(default_factory=list)  # pointers, in source order
    keys: list[str] = field(default_factory=list)  # maps: the keys, in source order


def json_index(text: str) -> dict[str, Node]:
    """Spans of every value of a JSON text (raises ValueError when it is not JSON)."""
    out: dict[str, Node] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, ptr: str) -> int:
        i = skip(i)
        if i >= len(text):
            raise ValueError("unexpected end of JSON")
        c = text[i]
        if c not in "{[":
            _, end = _DECODER.raw_decode(text, i)
            out[ptr] = Node("scalar", i, end)
            return end
        node = Node("map" if c == "{" else "seq", i, i)
        out[ptr] = node
        close = "}" if c == "{" else "]"
        j = skip(i + 1)
        index = 0
        while text[j] != close:
            if c == "{":
                if text[j] != '"':
                    raise ValueError(f"expected a key at offset {j}")
                key, j = json.decoder.scanstring(text, j + 1)
                j = skip(j)
                if text[j] != ":":
                    raise ValueError(f"expected ':' at offset {j}")
                child = join_pointer(ptr, key)
                node.keys.append(key)
                j = value(j + 1, child)
            else:
                child = join_pointer(ptr, index)
                index += 1
                j = value(j, child)
            node.children.append(child)
            j = skip(j)
            if text[j] == ",":
                j = skip(j + 1)
            elif text[j] != close:
                raise ValueError(f"expected ',' or {close!r} at offset {j}")
        node.end = j + 1
        return node.end

    end = value(0, "")
    if skip(end) != len(text):
        raise ValueError("extra data after the JSON value")
    return out


def yaml_index(text: str) -> dict[str, Node]:
    """Spans of every value of a YAML text (one document; aliases are not followed twice)."""
    out: dict[str, Node] = {}

    def walk(n: yaml.Node, ptr: str) -> int:
        if isinstance(n, yaml.ScalarNode):
            out[ptr] = Node("scalar", n.start_mark.index, n.end_mark.index)
            return n.end_mark.index
        flow = bool(n.flow_style)
        node = Node("map" if isinstance(n, yaml.MappingNode) else "seq", n.start_mark.index, n.end_mark.index,
                    flow=flow, column=n.start_mark.column)
        out[ptr] = node
        last = n.start_mark.index
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                child = join_pointer(ptr, k.value)
                node.keys.append(k.value)
                node.children.append(child)
                last = walk(v, child)
        else:
            for i, v in enumerate(n.value):
                child = join_pointer(ptr, i)
                node.children.append(child)
                last = walk(v, child)
        if not flow:
            node.end = last
        return node.end

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise ValueError("empty YAML document")
    walk(root, "")
    return out
