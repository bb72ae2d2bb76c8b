"""Nesting depth of JSON text, checked on the raw bytes at C speed, without recursion.

A manifest asset is a flat object (a few levels with ``metadata``/``attachments``); a manifest nested
thousands deep is an attack, which the parser would turn into a structure no recursive code (``json.dumps``,
the rewriter) can walk. :class:`DepthGuard` follows the text chunk by chunk: escapes are dropped, then
everything but ``"[]{}``, then the strings, and the innermost bracket pairs are removed a bounded number of
times; what is left is the unmatched openers. Only when that cheap bound says "too deep" is the chunk walked
byte by byte (in Python) to name the first byte past :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import re

MAX_DEPTH = 64  # levels of arrays/objects, the top-level array included; real manifests use 2-4

_ESCAPE = re.compile(rb"\\.", re.S)
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')
_PAIR = re.compile(rb"\{\}|\[\]")
_TOKEN = re.compile(rb'\\.|["\[\]{}]', re.S)


class DepthGuard:
    """Feed consecutive chunks of JSON text; :meth:`feed` returns the offset (in the chunk) of the first byte
    that opens a level past :data:`MAX_DEPTH`, or None. Text that is not JSON passes (the parser says why)."""

    def __init__(self, limit: int = MAX_DEPTH):
        self.limit = limit
        self.open = b""  # unmatched openers so far
        self.in_string = False
        self.escape = False  # the last chunk ended inside a string, after a lone backslash

    def feed(self, chunk: bytes) -> int | None:
        if not chunk:
            return None
        open_before, in_string, escape = self.open, self.in_string, self.escape
        text = chunk
        if escape:
            text = text[1:]
        if in_string:
            text = b'"' + text
        if b"\\" in text:
            text = _ESCAPE.sub(b"", text)
        s = text.translate(None, _NOT_STRUCTURE)
        s = _STRING.sub(b"", s)
        cut = s.find(b'"')  # an unterminated string: continues in the next chunk
        self.in_string = cut >= 0
        if cut >= 0:
            s = s[:cut]
        self.escape = self.in_string and _odd_tail(chunk[1:] if escape else chunk)
        s = open_before + s
        rounds = 0
        while rounds <= self.limit:
            reduced = _PAIR.sub(b"", s)
            if reduced == s:
                break
            s = reduced
            rounds += 1
        if rounds + len(s) <= self.limit:
            self.open = s
            return None
        return self._exact(chunk, open_before, in_string, escape)

    def _exact(self, chunk: bytes, open_before: bytes, in_string: bool, escape: bool) -> int | None:
        """The first offset past the limit, walking the chunk (only when the bound above is exceeded)."""
        depth = len(open_before)
        stack = bytearray(open_before)
        start = 1 if escape else 0
        for m in _TOKEN.finditer(chunk, start):
            t = m.group()
            if t == b'"':
                in_string = not in_string
            elif in_string or len(t) == 2:
                continue
            elif t in b"[{":
                depth += 1
                if depth > self.limit:
                    return m.start()
                stack.append(t[0])
            elif stack:
                depth -= 1
                stack.pop()
        self.open, self.in_string = bytes(stack), in_string
        self.escape = in_string and _odd_tail(chunk[1:] if escape else chunk)
        return None


def _odd_tail(text: bytes) -> bool:
    """Whether ``text`` ends in an odd run of backslashes (inside a string: the next byte is escaped)."""
    return (len(text) - len(text.rstrip(b"\\"))) % 2 == 1


def too_deep(text: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether ``text`` (whole JSON values) nests deeper than ``limit``."""
    return DepthGuard(limit).feed(text) is not None
