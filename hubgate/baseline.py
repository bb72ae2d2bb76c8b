"""Baselines: record today's findings, then fail only on new ones (``--write-baseline`` / ``--baseline``).

A finding is identified by its fingerprint (rule, file, JSON pointer, message), not by line numbers, so
reformatting a file does not make old findings look new.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import InputError
from .findings import Finding
from .output import atomic_write
from .redact import clean
from .source import read_text

VERSION = 1
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


def write_baseline(path: str, findings: list[Finding]) -> None:
    entries = sorted(
        ({"fingerprint": f.fingerprint(), "rule": f.rule, "file": f.file, "pointer": f.pointer, "message": f.message}
         for f in findings),
        key=lambda e: (e["file"], e["rule"], e["pointer"], e["fingerprint"]),
    )
    try:
        atomic_write(path, clean(json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"))
    except OSError as exc:
        raise InputError(path, f"cannot write baseline: {exc.strerror}") from None


def read_baseline(path: str) -> set[str]:
    text = read_text(Path(path), path) if Path(path).exists() else None
    if text is None:
        raise InputError(path, "baseline file not found (create it with --write-baseline)")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(path, f"not a hubgate baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise InputError(path, f"not a hubgate baseline (expected {{\"version\": {VERSION}, \"findings\": [...]}})")
    out = set()
    for i, e in enumerate(data["findings"]):
        fp = e.get("fingerprint") if isinstance(e, dict) else None
        if not isinstance(fp, str) or not _FINGERPRINT.fullmatch(fp):
            raise InputError(path, f"/findings/{i}: not a baseline entry (expected an object with a 32-digit "
                                   "hex \"fingerprint\")")
        out.add(fp)
    return out
