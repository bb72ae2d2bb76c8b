"""Entry points: validate a manifest file (:func:`validate_file`), an inline manifest (:func:`validate_items`),
or a bundle's ``manifest:`` (:func:`bundle_findings`)."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import Finding
from .context import Context
from .ids import DigestTable
from .locate import Locator
from .reader import NotArray
from .rules import NOT_ARRAY
from .validator import Validator
from .values import TooManyFindings, type_name


@dataclass
class Result:
    findings: list[Finding]
    errors: list[InputError]
    assets: int
    bytes: int
    seconds: float
    truncated: bool = False
    counts: dict = field(default_factory=dict)  # findings by severity (also those streamed to a sink)


def validate_file(
    path: Path,
    shown: str | None = None,
    context: Context | None = None,
    max_findings: int | None = None,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    sink: Callable[[Finding], None] | None = None,
) -> Result:
    """Validate a manifest file. With ``sink``, findings are handed to it as found and not kept in the result
    (``Result.counts`` has the totals)."""
    shown = shown or str(path)
    v = Validator(shown, context, "", max_findings, select, ignore, sink)
    try:  # presize the id table for a slot per 50 bytes (4 bytes a slot; a low load, few probes, no rebuild for
        # assets of 100 bytes and more); it still grows when needed
        v.ids = DigestTable(1 << max(14, min(27, (path.stat().st_size // 50).bit_length())))
    except OSError:
        pass
    errors: list[InputError] = []
    t0 = time.perf_counter()
    v.locator = Locator(path)
    try:
        v.run_file(path, shown, progress)
    except TooManyFindings:
        pass
    except NotArray as exc:
        try:
            v.not_array(exc.kind)
        except TooManyFindings:
            pass
    except InputError as exc:
        errors.append(exc)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    findings = v.finish()
    v.locator.close()
    return Result(findings, errors, v.count, size, time.perf_counter() - t0, v.truncated, dict(v.counts))


def validate_items(items: Any, file: str, base: str, context: Context | None = None) -> list[Finding]:
    """Validate an in-memory manifest (a bundle's inline ``manifest:``)."""
    v = Validator(file, context, base)
    if not isinstance(items, list):
        v.not_array(type_name(items))
        return v.finish()
    try:
        v.run(enumerate(items))
    except TooManyFindings:  # pragma: no cover - no limit here
        pass
    return v.finish()


# bundle -> its manifest findings: every HG5xx rule asks for them, and the file is read once per bundle. Keyed
# by id(); an entry goes when its bundle is collected (the finaliser), so a reused id never hits a stale entry.
BUNDLE_FINDINGS: dict[int, list[Finding]] = {}


def bundle_findings(bundle) -> list[Finding]:
    """Every manifest finding for a bundle's ``manifest:`` (inline or a file relative to the bundle); computed
    once per bundle (see :data:`BUNDLE_FINDINGS`)."""
    key = id(bundle)
    cached = BUNDLE_FINDINGS.get(key)
    if cached is None:
        cached = BUNDLE_FINDINGS[key] = _bundle_findings(bundle)
        weakref.finalize(bundle, BUNDLE_FINDINGS.pop, key, None)
    return cached


def _bundle_findings(bundle) -> list[Finding]:
    data = bundle.data.get("manifest") if isinstance(bundle.data, dict) else None
    ctx = Context(bundle, declared_cors_checked=True)
    if isinstance(data, list):
        return validate_items(data, bundle.file, bundle.doc.pointer("manifest"), ctx)
    if not bundle.manifest_ref:
        return []
    path = Path(bundle.manifest_ref)
    if not path.is_absolute():
        path = Path(bundle.file).parent / path
    shown = os.path.normpath(str(path))
    if not path.is_file():
        line, col = bundle.doc.position(bundle.doc.pointer("manifest"))
        return [Finding(NOT_ARRAY, "error", f"Manifest file {bundle.manifest_ref!r} does not exist ({shown})",
                        bundle.file, bundle.doc.pointer("manifest"), line, col,
                        "Correct the manifest path (relative to the bundle's folder)", f"hubgate rules {NOT_ARRAY}")]
    res = validate_file(path, shown, ctx)
    out = res.findings
    for e in res.errors:
        out.append(Finding(NOT_ARRAY, "error", f"Manifest {shown} cannot be read: {e.problem}", shown, "",
                           None, None, "Repair the JSON (hubgate manifest FILE shows the byte offset)",
                           f"hubgate rules {NOT_ARRAY}"))
    return out
