"""YAML read as a composed node tree (PyYAML's composer), each value's position recorded: the reader for
documents whose tags must be seen (CloudFormation's short-form intrinsics such as ``!Sub``). Everything else
is read by ``hubgate.parsers`` from the event stream. The same guards: recursive and exploding aliases,
duplicate and merge keys, nesting refused before the C composer could recurse too deep."""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import InputError
from .nesting import MAX_ALIAS_VALUES, MAX_DEPTH, flow_depth
from .pointers import join_pointer

try:  # the C parser is ~10x faster; fall back to pure Python where libyaml is missing
    Loader = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    Loader = yaml.SafeLoader


class NodeBuilder:
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


_resolver = Loader("")


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


def nesting_guard(text: str, file: str) -> type:
    """The loader to compose with, after refusing absurd nesting outright.

    libyaml's composer recurses in C: nesting deep enough to exhaust the stack kills the process, which no
    ``except`` can catch. Flow nesting beyond the limit is refused before parsing; when block indentation
    could nest that deep, the pure-Python parser is used, whose RecursionError is caught.
    """
    flow = flow_depth(text)
    if flow > MAX_DEPTH:
        raise InputError(file, f"nested more than {MAX_DEPTH} levels deep")
    room = max(MAX_DEPTH - flow - 2, 1)  # block levels (columns of indentation and indicators) left
    deep_block = re.search(rf"^[ \t?-]{{{room},}}", text, re.M) is not None
    return yaml.SafeLoader if deep_block else Loader
