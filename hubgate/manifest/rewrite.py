"""``hubgate manifest fix``: stream a manifest to a new file with every fixable URL rewritten into the form Hub
expects, and write arrays of assets atomically (also for ``manifest build``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..output import replacing
from .api import validate_file
from .context import Context
from .reader import iter_assets
from .url import Problem, analyse


@dataclass
class FixReport:
    """What ``fix`` did, and what a re-check of its output reports (``unfixed``, ``counts``: the findings of
    ``hubgate manifest OUT`` with the same bundle and region, in its order)."""

    assets: int = 0
    rewritten: int = 0
    unfixed: list[tuple[str, str, str]] = field(default_factory=list)  # (pointer, rule, message)
    counts: dict = field(default_factory=dict)  # the re-check's findings by severity


def fix_url(url: str, context: Context | None = None, literal_plus: bool = False) -> tuple[str, list[Problem]]:
    """The rewritten URL and the problems it still has (those no rewrite can settle)."""
    ctx = context or Context()
    a = analyse(url, ctx.region_for, ctx.provider, literal_plus)
    left = [p for p in a.problems if not p.fixable]
    if a.canonical is None:
        return url, left
    return a.canonical, left


def write_array(dst: Path, items: Iterable[Any]) -> int:
    """Write ``items`` as a JSON array (one element a line) to ``dst``, streaming through a temporary file next
    to it that replaces ``dst`` only when every item was written: a failure never leaves half a manifest, and
    the previous file is kept. Returns the number of items."""
    n = 0
    with replacing(dst, newline="\n") as out:
        out.write("[")
        for item in items:
            out.write(("\n  " if n == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False))
            n += 1
        out.write("\n]\n" if n else "]\n")
    return n


def fix_file(src: Path, dst: Path, shown: str, context: Context | None = None, literal_plus: bool = False) -> FixReport:
    """Stream ``src`` to ``dst`` with every fixable URL rewritten; ``dst`` is replaced only on success. Then
    ``dst`` is validated as ``hubgate manifest`` would (same bundle and region), and the report carries those
    findings: what is left is what a re-check of the output shows, not a guess from the rewrite."""
    ctx = context or Context()
    rep = FixReport()

    def fixed() -> Iterator[Any]:
        for _, item in iter_assets(src, shown):
            rep.assets += 1
            if isinstance(item, dict) and isinstance(item.get("data"), str):
                new, _left = fix_url(item["data"], ctx, literal_plus)
                if new != item["data"]:
                    item["data"] = new
                    rep.rewritten += 1
            yield item

    write_array(dst, fixed())
    res = validate_file(Path(dst), str(dst), Context(ctx.bundle, ctx.region),
                        sink=lambda f: rep.unfixed.append((f.pointer, f.rule, f.message)))
    rep.counts = res.counts
    if res.errors:  # pragma: no cover - the output was just written as a JSON array
        raise res.errors[0]
    return rep
