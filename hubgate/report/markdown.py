"""The review as GitHub-flavoured Markdown, for a pull-request comment."""

from __future__ import annotations

from ..findings import SEVERITIES
from .review import Review

_ICON = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}


def _cell(text: object) -> str:
    """A table cell: one line, pipes and backticks escaped so the table and code spans hold."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def render_markdown(r: Review) -> str:
    verdict, reasons = r.verdict()
    out = [f"## hubgate review: **{_ICON[verdict]}**", ""]
    out += [f"- {_cell(r.hide(x))}" for x in reasons] + [""]
    if r.errors:
        out += ["### Input that could not be read", ""] + [f"- `{_cell(r.hide(e))}`" for e in r.errors] + [""]
    out += ["### Findings by integration and severity", "",
            "| integration | provider | " + " | ".join(SEVERITIES) + " |",
            "|---|---|" + "---:|" * len(SEVERITIES)]
    for integ in r.integrations:
        c = integ.counts()
        out.append(f"| {_cell(r.hide(integ.label))} | {integ.provider or 'policy file'} | "
                   + " | ".join(str(c[s]) for s in SEVERITIES) + " |")
    out.append("")
    for integ in r.integrations:
        if not integ.findings:
            continue
        out += [f"#### {_cell(r.hide(integ.label))}", "", "| severity | rule | finding | where | fix |",
                "|---|---|---|---|---|"]
        for f in integ.findings:
            where = f"{f.file}:{f.line}" if f.line else f.file
            out.append(f"| {f.severity} | `{f.rule}` | {_cell(r.hide(f.message))} | `{_cell(r.hide(where))}` | "
                       f"{_cell(r.hide(f.fix or ''))} |")
        out.append("")
    if r.suppressed:
        out += [f"{len(r.suppressed)} suppressed finding(s) not counted.", ""]
    if r.results is not None:
        out += [f"### Live scenarios on {r.backend}", "", "| integration | scenario | result |", "|---|---|---|"]
        for res in r.results:
            out.append(f"| {_cell(r.hide(res.bundle or ''))} | `{res.scenario}` | {res.result} |")
        out += ["", "<details><summary>Evidence</summary>", "", "```"]
        for res in r.results:
            out.append(f"{res.bundle} {res.scenario}: {res.result}")
            out += [f"    {r.hide(e)}" for e in res.evidence]
        out += ["```", "", "</details>", ""]
    if r.lock is not None:
        lk = r.lock
        status = f"{len(lk.changes)} changed field(s) over {lk.entries} entries" if lk.changes else \
            f"unchanged ({lk.entries} entries)"
        out += ["### Signing lock", "", f"`{lk.path}`: {status}", ""]
        out += [f"- CHANGED `{c['entry']}`: {_cell(r.hide(c['diff']))}" for c in lk.changes]
        out += [f"- note: {_cell(r.hide(w))}" for w in lk.warnings]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
