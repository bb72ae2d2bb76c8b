"""``--format json``: one document, ``{"findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json


def render(report) -> str:
    doc = {
        "findings": [f.to_dict() for f in report.findings],
        "summary": report.summary(),
    }
    if report.errors:
        doc["errors"] = [{"file": e.file, "message": e.problem} for e in report.errors]
    if report.suppressed:
        doc["suppressed"] = [f.to_dict() for f in report.suppressed]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
