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
    # surrogateescape: a non-UTF-8 file name's bytes (decoded by Python as lone surrogates) are percent-encoded
    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=@", errors="surrogateescape")


def _driver(extra_rules=()) -> tuple[dict, dict[str, int]]:
    """``tool.driver`` with the whole rule catalogue (and any other rule ids given), and each rule's index."""
    rules = all_rules()
    used = sorted(set(extra_rules) | set(rules))
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
            "properties": {"tags": ["security", r.family or r.__module__.rsplit('.', 1)[-1]]},
        })
    driver = {"name": "hubgate", "version": __version__, "informationUri": "https://pypi.org/project/hubgate/",
              "rules": driver_rules}
    return driver, {rid: i for i, rid in enumerate(used)}


def result(f, index: dict[str, int]) -> dict:
    """One finding as a SARIF result."""
    region = {}
    if f.line:
        region["startLine"] = f.line
        if f.column:
            region["startColumn"] = f.column
    location = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}}}
    if region:
        location["physicalLocation"]["region"] = region
    location["logicalLocations"] = [{"fullyQualifiedName": f.pointer or "/", "kind": "member"}]
    return {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": _LEVEL[f.severity],
        "message": {"text": f.message + (f" Fix: {f.fix}" if f.fix else "")},
        "locations": [location],
        "partialFingerprints": {"hubgate/v1": f.fingerprint()},
    }


def document(driver: dict, results: list, errors) -> dict:
    notifications = [
        {"level": "error", "message": {"text": e.problem},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.file)}}}]}
        for e in errors
    ]
    run = {
        "tool": {"driver": driver},
        "results": results,
        "invocations": [{"executionSuccessful": not errors, "toolExecutionNotifications": notifications}],
    }
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}


def render(report) -> str:
    driver, index = _driver(f.rule for f in report.findings)
    doc = document(driver, [result(f, index) for f in report.findings], report.errors)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


RESULT_INDENT = 8  # a result's depth in the document above: runs[0].results[i]


def split_document(driver: dict, errors) -> tuple[str, str]:
    """The rendered document around its results: ``head + ",\n<indent>".join(results) + tail`` is
    :func:`render`'s text when there is at least one result (each dumped with indent=2, indented by
    ``RESULT_INDENT``). For streaming."""
    mark = "\0hubgate-results\0"
    text = json.dumps(document(driver, [mark], errors), indent=2, ensure_ascii=False) + "\n"
    at = text.index(json.dumps(mark))
    return text[:at], text[at + len(json.dumps(mark)):]
