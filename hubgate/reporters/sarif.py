"""``--format sarif``: SARIF 2.1.0, with the rule catalogue in ``tool.driver.rules``."""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from ..rules import all_rules

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """A file path as a SARIF URI reference: forward slashes, and percent-encoding for spaces, ``%``, ``#``,
    ``?``, ``:`` (a colon in the first segment would read as a URI scheme) and non-ASCII characters."""
    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=@")


def render(report) -> str:
    rules = all_rules()
    used = sorted({f.rule for f in report.findings} | set(rules))
    index = {rid: i for i, rid in enumerate(used)}
    driver_rules = []
    for rid in used:
        r = rules.get(rid)
        if r is None:
            driver_rules.append({"id": rid})
            continue
        driver_rules.append({
            "id": rid,
            "name": "".join(w.capitalize() for w in r.title.replace("/", " ").split() if w.isalnum()) or rid,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.what},
            "help": {"text": f"Why: {r.why}\nFix: {r.fix}", "markdown": f"**Why:** {r.why}\n\n**Fix:** {r.fix}"},
            "defaultConfiguration": {"level": _LEVEL[r.severity]},
            "properties": {"tags": ["security", r.__module__.rsplit('.', 1)[-1]]},
        })
    results = []
    for f in report.findings:
        region = {}
        if f.line:
            region["startLine"] = f.line
            if f.column:
                region["startColumn"] = f.column
        location = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}}}
        if region:
            location["physicalLocation"]["region"] = region
        location["logicalLocations"] = [{"fullyQualifiedName": f.pointer or "/", "kind": "member"}]
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message + (f" Fix: {f.fix}" if f.fix else "")},
            "locations": [location],
            "partialFingerprints": {"hubgate/v1": f.fingerprint()},
        }
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": e.problem},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.file)}}}]}
        for e in report.errors
    ]
    run = {
        "tool": {"driver": {"name": "hubgate", "version": __version__, "informationUri": "https://pypi.org/project/hubgate/",
                            "rules": driver_rules}},
        "results": results,
        "invocations": [{"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}],
    }
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
