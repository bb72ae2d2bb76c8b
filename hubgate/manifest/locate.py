"""Line and column of a manifest's assets, found only when a finding is emitted.

The readers give no positions (ijson builds values, the raw scan splits blocks), and most assets have no
finding, so nothing is placed while reading. On the raw-scan path (:mod:`.scan`) every block knows the length
of each of its gaps and matches: a finding's asset is placed from those (:meth:`~.scan.Block.anchor`), and
lines are counted block by block from the block's text in memory (``bytes.count``/``rfind`` over ranges).
Elsewhere (GCS/Azure bundles, the plain reader after a fall-back) :class:`Locator` walks forward over the
mapped file from where it last stopped: runs of flat objects are skipped at C speed (and their shape checked),
anything else one element at a time (a regex per power of two, which takes objects holding flat objects or
arrays, e.g. ``metadata``; a bracket walk for deeper values).

The position is the first byte of the asset's element -- the ``{`` of an object -- whatever field the pointer
names; the pointer says which field. Lines are counted by ``\n`` (a CRLF file has the same lines); the column is
1-based and counts characters (Unicode code points: UTF-8 bytes that do not continue a character), as editors
show it, not bytes; a byte-order mark is no character. Findings come in asset order, so the walk only moves
forward; when one goes back (rare) it starts again from the file's start.
"""

from __future__ import annotations

import functools
import mmap
import re
from itertools import islice
from pathlib import Path

_WS = rb"[ \t\n\r]*+"
_STR = rb'"(?:[^"\\]++|\\.)*+"'
_INNER = rb"(?:\{(?:[^{}\[\]\"]++|" + _STR + rb")*+\}|\[(?:[^{}\[\]\"]++|" + _STR + rb")*+\])"  # a flat object or array
# an element: an object whose values may be flat objects or arrays (e.g. "metadata"), a string, or a scalar
_FLAT = (rb"(?:\{(?:[^{}\[\]\"]++|" + _STR + rb"|" + _INNER + rb")*+\}|" + _STR + rb"|[^ \t\n\r,\[\]{}\"]++)")
_MAX_RUN = 10  # the longest run matched at once: 2**10 elements


@functools.cache
def _run(k: int) -> re.Pattern:
    """2**k flat elements, each with its comma; compiled when first asked for (~1 ms each): a check with no
    finding in a manifest, or findings near its start, needs few or none."""
    return re.compile(rb"(?:%s%s%s,){%d}" % (_WS, _FLAT, _WS, 1 << k), re.S)


_SPACE = re.compile(_WS)
# The fast walk: the end of each object element that another object follows, found at C speed; trusted only
# when the text skipped is k flat objects whose strings hold no brace, bracket or escape (checked below)
_OBJECT_END = re.compile(rb"\}[ \t\n\r]*+,(?=[ \t\n\r]*+\{)")
_NOT_SHAPE = bytes(c for c in range(256) if c not in b'"{}')
_SHAPE = re.compile(rb'(?:\{(?:"")*+\})*+')
_TOKEN = re.compile(_STR + rb"|[\[\]{},]", re.S)
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 bytes that continue a character


class Locator:
    """Asset index -> (line, column) of its element in the file; None when the file cannot be mapped."""

    def __init__(self, path: Path):
        self.data: bytes | mmap.mmap | None = None
        self.block = self.prev = None  # the raw scan's current and previous blocks (their text is in memory)
        try:
            with open(path, "rb") as f:
                self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file, a pipe...: no positions
            return
        self.bom = 3 if self.data[:3] == b"\xef\xbb\xbf" else 0
        self._start()
        self._restart_lines()

    def _restart_lines(self) -> None:
        """Count lines from the file's start (after a byte-order mark, which is no character)."""
        self.nl_at, self.nl_line, self.col_chars = self.bom, 1, 0  # counted up to nl_at: its line and column - 1

    def _start(self) -> None:
        top = _SPACE.match(self.data, self.bom).end()
        self.top = top  # the top-level value
        self.index, self.at = 0, top + 1  # element ``index`` starts after ``at`` (whitespace skipped)

    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            self.data.close()
        self.data = None

    def enter(self, block) -> None:
        """The raw scan's next block: lines are counted through the previous one from its text in memory (the
        blocks tile the file), and the new one's assets are placed from its own text."""
        if self.data is None:
            return
        if self.block is not None and self.block.offset <= self.nl_at <= block.offset:
            self._advance(block.offset)
        self.prev, self.block = self.block, block

    def offset(self, index: int | None) -> int | None:
        """Byte offset of element ``index``'s first byte (None: the top-level value), or None past the end."""
        if self.data is None:
            return None
        if index is None:
            return self.top
        block = self.block
        if block is not None and block.base <= index < block.base + block.count:
            first, at = block.anchor(index)
            end = self._walk(block.text, at - block.offset, index - first)
            if end is None:
                return None
            self.index, self.at = index, block.offset + end
            return block.offset + _SPACE.match(block.text, end).end()
        if index < self.index:
            self._start()
        end = self._walk(self.data, self.at, index - self.index)
        if end is None:
            return None
        self.index, self.at = index, end
        return _SPACE.match(self.data, end).end()

    def _walk(self, data, at: int, k: int) -> int | None:
        """The offset just after the comma of the k-th element from ``at`` (``at`` itself when k is 0)."""
        if k:
            end = self._skip_objects(data, at, k)
            if end is not None:
                return end
        while k:
            b = min(k.bit_length() - 1, _MAX_RUN)
            while b >= 0:
                m = _run(b).match(data, at)
                if m is not None:
                    at, k = m.end(), k - (1 << b)
                    break
                b -= 1
            else:  # a nested element (or the array's end): walk its brackets
                at = self._skip_nested(data, at)
                if at is None:
                    return None
                k -= 1
        return at

    @staticmethod
    def _skip_objects(data, at: int, k: int) -> int | None:
        """The offset after the comma of the k-th element from ``at`` when those are k flat objects with plain
        strings (the common case, at C speed), else None (the caller walks them one regex at a time)."""
        first = _SPACE.match(data, at).end()
        if data[first:first + 1] != b"{":
            return None
        ends = _OBJECT_END.finditer(data, at)
        m = next(islice(ends, k - 1, None), None)
        if m is None:
            return None
        region = data[at:m.end()]
        if b"\\" in region or b"[" in region or b"]" in region:
            return None
        shape = region.translate(None, _NOT_SHAPE)
        if shape.count(b"{") != k or _SHAPE.fullmatch(shape) is None:
            return None
        return m.end()

    @staticmethod
    def _skip_nested(data, at: int) -> int | None:
        """The offset after the comma that ends the element at ``at``; None when the array ends first."""
        depth = 0
        for m in _TOKEN.finditer(data, at):
            t = m.group()
            if t in (b"[", b"{"):
                depth += 1
            elif t in (b"]", b"}"):
                depth -= 1
                if depth < 0:
                    return None
            elif t == b"," and depth == 0:
                return m.end()
        return None

    def position(self, index: int | None) -> tuple[int | None, int | None]:
        """(line, column) of element ``index`` (None: the top-level value), both 1-based; (None, None) when
        unknown."""
        at = self.offset(index)
        if at is None:
            return None, None
        self._advance(at)
        return self.nl_line, self.col_chars + 1

    def _source(self, a: int, b: int):
        """(bytes-like, offset of the file's byte a in it) holding the file's bytes a..b: a block's text when one
        holds them (no file page is touched on the raw-scan path), else the mapped file."""
        for block in (self.block, self.prev):
            if block is not None and block.offset <= a and b <= block.offset + block.size:
                return block.text, block.offset
        return self.data, 0

    def _advance(self, to: int) -> None:
        """Count lines and the column up to offset ``to``, from the last count (no copy but the last line's)."""
        if to < self.nl_at:
            self._restart_lines()
        if to == self.nl_at:
            return
        data, base = self._source(self.nl_at, to)
        a, b = self.nl_at - base, to - base
        last = data.rfind(b"\n", a, b)
        if last >= 0:
            self.nl_line += data.count(b"\n", a, b) if type(data) is bytes else data[a:b].count(b"\n")
            a, self.col_chars = last + 1, 0
        self.col_chars += len(data[a:b].translate(None, _CONTINUATION))
        self.nl_at = to
