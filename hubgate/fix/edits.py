"""Edits to a JSON or YAML file, applied to its text at the spans of the values they change.

An edit names what to change by pointer (append a string to a list, remove a list item, add a key to a
mapping); ``apply`` turns the edits into splices of the original text, written in the file's own style
(indentation unit, tabs, compact or pretty JSON, YAML block or flow style, quoting of the siblings, line
endings). Every byte outside the splices stays as it was. The result is parsed again and must equal the
document with the edits applied to its data, or the file is left alone.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .spans import Node, json_index, yaml_index


@dataclass(frozen=True)
class Append:
    """Append ``value`` to the list at ``pointer`` (a single string there becomes a two-item list)."""

    pointer: str
    value: str


@dataclass(frozen=True)
class Remove:
    """Remove the list item at ``pointer``."""

    pointer: str


@dataclass(frozen=True)
class AddKey:
    """Add ``key`` with ``value`` (a string, or nested ``(key, value)`` pairs) to the mapping at ``pointer``."""

    pointer: str
    key: str
    value: Any


class EditError(Exception):
    """The edits cannot be written into this text without touching more than their spans."""


@dataclass(frozen=True)
class Splice:
    start: int
    end: int
    text: str


def plain(value: Any) -> Any:
    """An edit value as plain data (nested pairs become dicts)."""
    if isinstance(value, tuple):
        return {k: plain(v) for k, v in value}
    return value


def parse(text: str, fmt: str) -> Any:
    return json.loads(text) if fmt == "json" else yaml.safe_load(text)


def _parent(pointer: str) -> tuple[str, str]:
    head, _, last = pointer.rpartition("/")
    return head, last.replace("~1", "/").replace("~0", "~")


def _get(data: Any, pointer: str) -> Any:
    for tok in pointer.split("/")[1:] if pointer else ():
        tok = tok.replace("~1", "/").replace("~0", "~")
        data = data[int(tok)] if isinstance(data, list) else data[tok]
    return data


def apply_to_data(data: Any, edits: list) -> Any:
    """The document's data with the edits applied (what the edited text must parse to)."""
    data = copy.deepcopy(data)
    removes = sorted((e for e in edits if isinstance(e, Remove)), key=lambda e: -int(_parent(e.pointer)[1]))
    for e in removes:
        head, idx = _parent(e.pointer)
        del _get(data, head)[int(idx)]
    for e in edits:
        if isinstance(e, Append):
            head, last = _parent(e.pointer)
            target = _get(data, e.pointer)
            if isinstance(target, list):
                target.append(e.value)
            else:
                parent = _get(data, head)
                parent[int(last) if isinstance(parent, list) else last] = [target, e.value]
        elif isinstance(e, AddKey):
            _get(data, e.pointer)[e.key] = plain(e.value)
    return data


class _Writer:
    def __init__(self, text: str, fmt: str):
        self.text = text
        self.fmt = fmt
        self.index = json_index(text) if fmt == "json" else yaml_index(text)
        self.nl = "\r\n" if "\r\n" in text else "\n"

    # --- shared helpers ---------------------------------------------------------------------------------
    def node(self, pointer: str) -> Node:
        if pointer not in self.index:
            raise EditError(f"{pointer or '/'} is not in the file")
        return self.index[pointer]

    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def indent_of(self, i: int) -> str:
        """The whitespace from the start of i's line to i, when only whitespace precedes i there."""
        s = self.line_start(i)
        lead = self.text[s:i]
        return lead if lead.strip(" \t") == "" else None

    def multiline(self, node: Node) -> bool:
        return "\n" in self.text[node.start:node.end]

    def item_sep(self, node: Node) -> str:
        """The separator after a comma on one line: from the node's own items, else from the file."""
        if len(node.children) >= 2:
            m = re.compile(r"[ \t]*,[ \t]*").match(self.text, self.index[node.children[0]].end)
            if m and self.text[m.end():m.end() + 1] not in ("\r", "\n"):
                return m.group(0)
        pretty = re.search(r",[ \t]", self.text) or self.text.strip().count("\n")
        return ", " if pretty else ","

    def scalar(self, value: str, sibling: Node | None, flow: bool) -> str:
        if self.fmt == "json":
            return json.dumps(value, ensure_ascii=False)
        quote = self.text[sibling.start] if sibling is not None and sibling.kind == "scalar" else ""
        if quote == "'" and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
        if quote != '"' and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./:*@+=-]*", value) and ": " not in value:
            try:
                if yaml.safe_load(f"[{value}]" if flow else value) == ([value] if flow else value):
                    return value
            except yaml.YAMLError:
                pass
        return json.dumps(value, ensure_ascii=False)

    # --- the edits --------------------------------------------------------------------------------------
    def append(self, pointer: str, values: list[str]) -> list[Splice]:
        node = self.node(pointer)
        if node.kind == "scalar":
            old = self.text[node.start:node.end]
            if "\n" in old:
                raise EditError(f"{pointer}: a multi-line value")
            sep = ", " if self.fmt == "yaml" else self.item_sep(node)
            new = [self.scalar(v, node, True) for v in values]
            return [Splice(node.start, node.end, "[" + sep.join([old] + new) + "]")]
        if node.kind != "seq":
            raise EditError(f"{pointer}: not a list")
        last = self.index[node.children[-1]] if node.children else None
        if self.fmt == "yaml" and not node.flow:
            pad = " " * node.column
            lines = "".join(f"{pad}- {self.scalar(v, last, False)}{self.nl}" for v in values)
            return [self.after_line(last.end, lines)]
        new = [self.scalar(v, last, True) for v in values]
        if last is None:
            return [Splice(node.start + 1, node.start + 1, self.item_sep(node).join(new))]
        if self.multiline(node) and (ind := self.indent_of(self.index[node.children[0]].start)) is not None:
            return [Splice(last.end, last.end, "".join(f",{self.nl}{ind}{v}" for v in new))]
        sep = self.item_sep(node)
        return [Splice(last.end, last.end, "".join(f",{sep.lstrip(',')}{v}" for v in new))]

    def after_line(self, end: int, lines: str) -> Splice:
        """Insert whole lines after the line on which ``end`` lies."""
        nl = self.text.find("\n", end)
        if nl < 0:
            return Splice(len(self.text), len(self.text), self.nl + lines[: -len(self.nl)])
        return Splice(nl + 1, nl + 1, lines)

    def remove(self, pointer: str, indexes: list[int]) -> list[Splice]:
        node = self.node(pointer)
        if node.kind != "seq" or len(indexes) >= len(node.children):
            raise EditError(f"{pointer}: would leave the list empty")
        items = [self.index[c] for c in node.children]
        if self.fmt == "yaml" and not node.flow:
            out = []
            for i in indexes:
                it = items[i]
                s = self.line_start(it.start)
                if self.text[s:it.start].strip(" ") != "-":
                    raise EditError(f"{pointer}/{i}: the item does not start its own line")
                nl = self.text.find("\n", it.end)
                out.append(Splice(s, len(self.text) if nl < 0 else nl + 1, ""))
            return out
        removed = set(indexes)
        kept = [i for i in range(len(items)) if i not in removed]
        last_kept = kept[-1]
        out = [Splice(items[i].start, items[i + 1].start, "") for i in sorted(removed) if i < last_kept]
        if last_kept < len(items) - 1:  # a trailing run: take the comma before it
            out.append(Splice(items[last_kept].end, items[-1].end, ""))
        return out

    def add_keys(self, pointer: str, pairs: list[tuple[str, Any]]) -> list[Splice]:
        node = self.node(pointer)
        if node.kind != "map":
            raise EditError(f"{pointer}: not a mapping")
        if self.fmt == "yaml" and not node.flow:
            unit = self.yaml_unit(node)
            lines = "".join(self.yaml_block(k, v, node.column, unit) for k, v in pairs)
            return [self.after_line(node.end, lines)]
        last = self.index[node.children[-1]] if node.children else None
        first = self.index[node.children[0]] if node.children else None
        if self.fmt == "json" and first is not None and self.multiline(node):
            key_at = self.text.rfind('"', 0, self.text.rfind(":", 0, first.start))
            key_at = self.text.rfind('"', 0, key_at)  # the opening quote of the first key
            ind = self.indent_of(key_at)
            if ind is not None:
                outer = self.indent_of(node.start) or self.text[self.line_start(node.start):node.start]
                outer = re.match(r"[ \t]*", outer).group(0)
                unit = ind[len(outer):] if ind.startswith(outer) and len(ind) > len(outer) else "  "
                body = "".join(f",{self.nl}{ind}{json.dumps(k)}: {self.json_pretty(v, ind, unit)}" for k, v in pairs)
                return [Splice(last.end, last.end, body)]
        sep = self.item_sep(node)
        colon = ": " if self.fmt == "yaml" or re.search(r":[ \t]", self.text) else ":"
        parts = [f"{self.key(k)}{colon}{self.flow(v, sep, colon)}" for k, v in pairs]
        if last is None:
            return [Splice(node.start + 1, node.start + 1, sep.join(parts))]
        return [Splice(last.end, last.end, "".join(f",{sep.lstrip(',')}{p}" for p in parts))]

    def key(self, k: str) -> str:
        return json.dumps(k) if self.fmt == "json" else self.scalar(k, None, True)

    def flow(self, v: Any, sep: str, colon: str) -> str:
        if isinstance(v, tuple):
            return "{" + sep.join(f"{self.key(k)}{colon}{self.flow(x, sep, colon)}" for k, x in v) + "}"
        return self.scalar(v, None, True)

    def json_pretty(self, v: Any, ind: str, unit: str) -> str:
        if not isinstance(v, tuple):
            return json.dumps(v, ensure_ascii=False)
        inner = ind + unit
        body = f",{self.nl}".join(f"{inner}{json.dumps(k)}: {self.json_pretty(x, inner, unit)}" for k, x in v)
        return "{" + self.nl + body + self.nl + ind + "}"

    def yaml_block(self, k: str, v: Any, col: int, unit: int) -> str:
        pad = " " * col
        if isinstance(v, tuple):
            return f"{pad}{self.key(k)}:{self.nl}" + "".join(self.yaml_block(a, b, col + unit, unit) for a, b in v)
        return f"{pad}{self.key(k)}: {self.scalar(v, None, False)}{self.nl}"

    def yaml_unit(self, node: Node) -> int:
        """The file's indentation step: from a block mapping nested in a block mapping, else 2."""
        for n in self.index.values():
            if n.kind == "map" and not n.flow:
                for c in n.children:
                    child = self.index[c]
                    if child.kind == "map" and not child.flow and child.column > n.column:
                        return child.column - n.column
        return 2


def apply(text: str, fmt: str, edits: list) -> tuple[str, list[Splice]]:
    """The text with the edits written in; raises EditError when that cannot be done in place."""
    try:
        w = _Writer(text, fmt)
    except (ValueError, yaml.YAMLError) as exc:
        raise EditError(f"cannot locate values: {exc}") from None
    splices: list[Splice] = []
    appends: dict[str, list[str]] = {}
    removes: dict[str, list[int]] = {}
    keys: dict[str, list[tuple[str, Any]]] = {}
    for e in edits:
        if isinstance(e, Append):
            appends.setdefault(e.pointer, []).append(e.value)
        elif isinstance(e, Remove):
            head, idx = _parent(e.pointer)
            removes.setdefault(head, []).append(int(idx))
        else:
            keys.setdefault(e.pointer, []).append((e.key, e.value))
    for ptr, idx in removes.items():
        splices += w.remove(ptr, sorted(set(idx)))
    for ptr, values in appends.items():
        splices += w.append(ptr, values)
    for ptr, pairs in keys.items():
        splices += w.add_keys(ptr, pairs)
    splices.sort(key=lambda s: (s.start, s.end))
    for a, b in zip(splices, splices[1:], strict=False):
        if a.end > b.start:
            raise EditError("two edits overlap")
    out = text
    for s in reversed(splices):
        out = out[: s.start] + s.text + out[s.end:]
    try:
        ok = parse(out, fmt) == apply_to_data(parse(text, fmt), edits)
    except (ValueError, yaml.YAMLError):
        ok = False
    if not ok:
        raise EditError("the edited text would not hold the intended document")
    return out, splices
