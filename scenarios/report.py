"""Output of ``hubgate prove`` in every format: text, json, sarif, junit, github."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .catalog import SCENARIOS

FORMATS = ("text", "json", "sarif", "junit", "github")
_MARK = {"pass": "PASS", "fail": "FAIL", "not-enforced": "NOT-ENFORCED", "skipped": "SKIPPED"}


def headline(r) -> str:
    """The one line that says why: the first WRONG check, else the first control not enforced, else the last."""
    order = {"fail": ("-> WRONG",), "not-enforced": ("NOT enforced", "not judged")}.get(r.result, ("skipped:", "error:"))
    for marker in order:
        for e in r.evidence:
            if marker in e:
                return e
    return r.evidence[-1] if r.evidence else ""


def summary(results) -> dict:
    counts = {k: 0 for k in _MARK}
    for r in results:
        counts[r.result] += 1
    return counts


def render_text(results, verbose: bool = False) -> str:
    lines = []
    bundle = object()
    for r in results:
        if r.bundle != bundle:
            bundle = r.bundle
            lines.append(f"bundle {r.bundle} on {r.backend}:")
        lines.append(f"  {_MARK[r.result]:<13} {r.scenario}")
        shown = r.evidence if (verbose or r.result == "fail") else ([headline(r)] if r.result != "pass" else [])
        for e in shown:
            if e:
                lines.append(f"      {e}")
    c = summary(results)
    lines.append(", ".join(f"{n} {k}" for k, n in c.items()))
    return "\n".join(lines) + "\n"


def render_json(results, problems=()) -> str:
    doc = {"scenarios": [r.to_dict() for r in results], "summary": summary(results)}
    if problems:
        doc["errors"] = list(problems)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_sarif(results) -> str:
    rules = [{"id": sid, "name": sid, "shortDescription": {"text": text}} for sid, text in SCENARIOS.items()]
    level = {"fail": "error", "not-enforced": "note", "skipped": "none", "pass": "none"}
    out = []
    for r in results:
        if r.result == "pass":
            continue
        out.append({
            "ruleId": r.scenario, "level": level[r.result], "kind": "fail" if r.result == "fail" else "review",
            "message": {"text": f"{r.scenario} on {r.backend}: {r.result}. {headline(r)}"},
            "properties": {"backend": r.backend, "result": r.result, "bundle": r.bundle, "evidence": r.evidence},
        })
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "hubgate prove", "informationUri": "https://github.com/hubgate",
                                         "rules": rules}}, "results": out}]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(results) -> str:
    fails = sum(r.result == "fail" for r in results)
    skipped = sum(r.result in ("skipped", "not-enforced") for r in results)
    root = ET.Element("testsuites", name="hubgate prove", tests=str(len(results)), failures=str(fails))
    suites: dict = {}
    for r in results:
        key = f"{r.bundle} on {r.backend}"
        if key not in suites:
            suites[key] = ET.SubElement(root, "testsuite", name=key, tests="0", failures="0", skipped="0")
        s = suites[key]
        s.set("tests", str(int(s.get("tests")) + 1))
        case = ET.SubElement(s, "testcase", classname=f"hubgate.prove.{r.backend}", name=r.scenario,
                             time=f"{r.seconds:.3f}")
        text = "\n".join(r.evidence)
        if r.result == "fail":
            s.set("failures", str(int(s.get("failures")) + 1))
            ET.SubElement(case, "failure", type="fail", message=headline(r)).text = text
        elif r.result in ("skipped", "not-enforced"):
            s.set("skipped", str(int(s.get("skipped")) + 1))
            ET.SubElement(case, "skipped", message=f"{r.result}: {headline(r)}").text = text
        else:
            ET.SubElement(case, "system-out").text = text
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _esc(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(results) -> str:
    level = {"fail": "error", "not-enforced": "notice", "skipped": "notice"}
    lines = []
    for r in results:
        if r.result in level:
            title = _esc(f"{r.scenario} ({r.backend})").replace(":", "%3A").replace(",", "%2C")
            lines.append(f"::{level[r.result]} title={title}::{_esc(f'{r.result}: {headline(r)}')}")
    return "\n".join(lines) + ("\n" if lines else "")


def render(results, fmt: str, verbose: bool = False, problems=()) -> str:
    if fmt == "text":
        return render_text(results, verbose)
    if fmt == "json":
        return render_json(results, problems)
    return {"json": render_json, "sarif": render_sarif, "junit": render_junit, "github": render_github}[fmt](results)
