"""``--format json``: one document, ``{"findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from json.encoder import encode_basestring


def render(report) -> str:
    doc = {
        "findings": [f.to_dict() for f in report.findings],
        "summary": report.summary(),
    }
    if report.errors:
        doc["errors"] = [{"file": e.file, "message": e.problem} for e in report.errors]
    if report.suppressed:
        doc["suppressed"] = [f.to_dict() for f in report.suppressed]
    return _dumps(doc) + "\n"


def _dumps(doc: dict) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)``, byte for byte. With an indent, Python 3.11's json
    encodes in pure Python (~1.5 s for the 28k findings of a corpus run); the finding lists, flat dicts of
    strings and numbers, are written here with the C string encoder instead."""
    lists = {k: doc[k] for k in ("findings", "suppressed") if doc.get(k)}
    texts = {k: _flat_list(v) for k, v in lists.items()}
    if any(t is None for t in texts.values()):
        return json.dumps(doc, indent=2, ensure_ascii=False)
    out = json.dumps({k: ([] if k in texts else v) for k, v in doc.items()}, indent=2, ensure_ascii=False)
    for key, text in texts.items():  # each list key appears once, as a key of the top level, followed by []
        marker = f"\n  {encode_basestring(key)}: []"
        out = out.replace(marker, f"\n  {encode_basestring(key)}: {text}", 1)
    return out


def _scalar(v) -> str | None:
    if isinstance(v, str):
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return int.__repr__(v)
    return None


def _flat_list(items: list) -> str | None:
    """A non-empty list of flat dicts at depth 1 of an indent-2 document; None when an item is not flat."""
    parts = []
    for d in items:
        if not isinstance(d, dict) or not d:
            return None
        fields = []
        for k, v in d.items():
            s = _scalar(v)
            if s is None or not isinstance(k, str):
                return None
            fields.append(f"      {encode_basestring(k)}: {s}")
        parts.append("    {\n" + ",\n".join(fields) + "\n    }")
    return "[\n" + ",\n".join(parts) + "\n  ]"
