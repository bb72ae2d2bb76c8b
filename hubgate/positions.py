"""Where each value of a parsed document starts, stored compactly.

A map from RFC 6901 pointers to (line, column), kept as a tree that mirrors the document (one packed
integer per value, an ``array`` slot per list item) instead of one pointer string per value: memory stays
proportional to the file. Lookups by pointer walk the tree.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping

_SHIFT = 32
_COL = (1 << _SHIFT) - 1


def pack(line: int, column: int) -> int:
    return (line << _SHIFT) | min(column, _COL)


class MapNode:
    __slots__ = ("pos", "kids")

    def __init__(self, pos: int):
        self.pos = pos
        self.kids: dict[str, int | MapNode | SeqNode] = {}


class SeqNode:
    __slots__ = ("pos", "arr", "subs")

    def __init__(self, pos: int):
        self.pos = pos
        self.arr = array("q")
        self.subs: dict[int, MapNode | SeqNode] | None = None


Node = int | MapNode | SeqNode


class TreeBuilder:
    """Builds the position tree from a stream of start/key/scalar/end calls (no recursion)."""

    def __init__(self) -> None:
        self.stack: list[MapNode | SeqNode] = []
        self.keys: list[str | None] = []
        self.root: Node | None = None

    def expects_key(self) -> bool:
        return bool(self.stack) and type(self.stack[-1]) is MapNode and self.keys[-1] is None

    def key(self, k: str) -> bool:
        """Set the key of the next value; False when the mapping already has it."""
        top = self.stack[-1]
        if k in top.kids:  # type: ignore[union-attr]
            return False
        self.keys[-1] = k
        return True

    def attach(self, item: Node) -> None:
        if not self.stack:
            self.root = item
            return
        top = self.stack[-1]
        if type(top) is MapNode:
            top.kids[self.keys[-1]] = item  # type: ignore[index]
            self.keys[-1] = None
        elif type(item) is int:
            top.arr.append(item)  # type: ignore[union-attr]
        else:
            if top.subs is None:  # type: ignore[union-attr]
                top.subs = {}  # type: ignore[union-attr]
            top.subs[len(top.arr)] = item  # type: ignore[union-attr, index]
            top.arr.append(item.pos)  # type: ignore[union-attr]

    def scalar(self, pos: int) -> None:
        self.attach(pos)

    def start(self, node: MapNode | SeqNode) -> None:
        self.attach(node)
        self.stack.append(node)
        self.keys.append(None)

    def end(self) -> None:
        self.stack.pop()
        self.keys.pop()

    @property
    def depth(self) -> int:
        return len(self.stack)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~") if "~" in token else token


class Positions(Mapping):
    """Pointer -> (line, column), for the document rooted at pointer ``base``."""

    def __init__(self, base: str, root: Node | None):
        self.base = base
        self.root = root
        self.extra: dict[str, tuple[int, int]] = {}

    def __setitem__(self, pointer: str, value: tuple[int, int]) -> None:
        self.extra[pointer] = value

    def _find(self, pointer: str) -> int | None:
        base = self.base
        if self.root is None or not pointer.startswith(base):
            return None
        rest = pointer[len(base):]
        if rest and rest[0] != "/":
            return None
        node: Node = self.root
        if rest:
            for token in rest[1:].split("/"):
                kind = type(node)
                if kind is MapNode:
                    child = node.kids.get(_unescape(token))  # type: ignore[union-attr]
                elif kind is SeqNode:
                    if not token.isdigit() or int(token) >= len(node.arr):  # type: ignore[union-attr]
                        return None
                    i = int(token)
                    subs = node.subs  # type: ignore[union-attr]
                    child = subs.get(i) if subs else None
                    if child is None:
                        child = node.arr[i]  # type: ignore[union-attr]
                else:
                    return None
                if child is None:
                    return None
                node = child
        return node if type(node) is int else node.pos  # type: ignore[return-value, union-attr]

    def __getitem__(self, pointer: str) -> tuple[int, int]:
        if pointer in self.extra:
            return self.extra[pointer]
        p = self._find(pointer)
        if p is None:
            raise KeyError(pointer)
        return (p >> _SHIFT, p & _COL)

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and (pointer in self.extra or self._find(pointer) is not None)

    def __iter__(self) -> Iterator[str]:
        yield from self.extra
        if self.root is None:
            return
        todo: list[tuple[str, Node]] = [(self.base, self.root)]
        while todo:
            ptr, node = todo.pop()
            yield ptr
            if type(node) is MapNode:
                todo += ((ptr + "/" + k.replace("~", "~0").replace("/", "~1"), v) for k, v in node.kids.items())  # type: ignore[union-attr]
            elif type(node) is SeqNode:
                subs = node.subs or {}  # type: ignore[union-attr]
                todo += ((f"{ptr}/{i}", subs.get(i, p)) for i, p in enumerate(node.arr))  # type: ignore[union-attr]

    def __len__(self) -> int:
        return sum(1 for _ in self)
