"""Baselines: record today's findings, then fail only on new ones (``--write-baseline`` / ``--baseline``).

A finding is identified by its fingerprint (rule, file, JSON pointer, message), not by line numbers, so
reformatting a file does not make old findings look new.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import InputError
from .findings import Finding

VERSION = 1


def write_baseline(path: str, findings: list[Finding]) -> None:
    entries = sorted(
        ({"fingerprint": f.fingerprint(), "rule": f.rule, "file": f.file, "pointer": f.pointer, "message": f.message}
         for f in findings),
        key=lambda e: (e["file"], e["rule"], e["pointer"], e["fingerprint"]),
    )
    try:
        Path(path).write_text(json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n", "utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot write baseline: {exc.strerror}") from None


def read_baseline(path: str) -> set[str]:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(path, "baseline file not found (create it with --write-baseline)") from None
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a hubgate baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise InputError(path, f"not a hubgate baseline (expected {{\"version\": {VERSION}, \"findings\": [...]}})")
    return {e["fingerprint"] for e in data["findings"] if isinstance(e, dict) and "fingerprint" in e}
