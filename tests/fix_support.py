"""Helpers for the ``--fix`` tests: which lines of a file an edit may touch, and checking nothing else moved."""

from __future__ import annotations

import difflib

from hubgate.source import parse_text


def container_lines(text: str, pointers: list[str]) -> list[tuple[int, int]]:
    """For each pointer, the 1-based line range of its value in ``text`` (from the position-aware loader):
    the value's first line through the line after its last descendant (a closing bracket, or the line an
    appended item goes)."""
    doc = parse_text(text, "t")
    out = []
    for p in pointers:
        start = doc.positions[p][0]
        last = max(line for q, (line, _) in doc.positions.items() if q == p or q.startswith(p + "/"))
        out.append((start, last + 1))
    return out


def assert_only_lines_changed(old: str, new: str, allowed: list[tuple[int, int]]) -> None:
    """Every line-level difference between ``old`` and ``new`` lies within one of the allowed old-line
    ranges (1-based, inclusive); every other byte is unchanged."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    changed = [(i1, i2) for tag, i1, i2, _, _ in ops if tag != "equal"]
    assert changed, "nothing changed"
    for i1, i2 in changed:
        lo, hi = i1 + 1, max(i2, i1 + 1)  # an insertion before line i1+1 touches no old line
        ok = any(s <= lo and hi <= e + 1 for s, e in allowed)
        assert ok, f"lines {lo}-{hi} changed outside {allowed}:\n" + "".join(
            difflib.unified_diff(a, b, "old", "new"))
