"""The review as one self-contained HTML page: inline CSS, no script, no image, no link to anything outside it."""

from __future__ import annotations

import html

from .. import __version__
from ..findings import SEVERITIES
from ..scenarios.catalog import SCENARIOS
from .review import Review

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#57606a;font-size:12px}
.verdict{border-radius:8px;padding:16px 20px;margin:16px 0;color:#fff}
.verdict strong{font-size:24px;letter-spacing:.04em}.verdict ul{margin:6px 0 0 18px;padding:0}
.v-pass{background:#1a7f37}.v-fail{background:#cf222e}.v-error{background:#9a6700}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eaeef2;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;margin:0}
.sev,.res{display:inline-block;white-space:nowrap;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.sev-error,.res-fail{background:#cf222e}.sev-warning{background:#bf8700}.sev-info{background:#0969da}
.res-pass{background:#1a7f37}.res-not-enforced{background:#8250df}.res-skipped{background:#6e7781}
.fix{color:#0a3069}.where{color:#57606a;font-size:12px}
details summary{cursor:pointer;color:#57606a}
.none{color:#57606a;font-style:italic}
"""

_E = html.escape


def _badge(kind: str, value: str) -> str:
    return f'<span class="{kind} {kind}-{_E(value)}">{_E(value)}</span>'


def _verdict(r: Review) -> str:
    verdict, reasons = r.verdict()
    items = "".join(f"<li>{_E(r.hide(x))}</li>" for x in reasons)
    return (f'<section id="verdict" class="verdict v-{verdict}" data-verdict="{verdict}">'
            f"<strong>{verdict.upper()}</strong><ul>{items}</ul></section>")


def _overview(r: Review) -> str:
    rows = []
    for integ in r.integrations:
        c = integ.counts()
        rows.append(f"<tr><td>{_E(r.hide(integ.label))}</td><td>{_E(integ.provider or 'policy file')}</td>"
                    + "".join(f'<td class="num">{c[s]}</td>' for s in SEVERITIES) + "</tr>")
    totals = {s: sum(i.counts()[s] for i in r.integrations) for s in SEVERITIES}
    rows.append("<tr><th>all</th><th></th>" + "".join(f'<th class="num">{totals[s]}</th>' for s in SEVERITIES)
                + "</tr>")
    head = "<tr><th>integration</th><th>provider</th>" + "".join(f"<th>{s}</th>" for s in SEVERITIES) + "</tr>"
    return (f'<section id="overview"><h2>Findings by integration and severity</h2>'
            f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></section>")


def _finding_row(r: Review, f) -> str:
    where = f"{f.file}:{f.line}" if f.line else f.file
    return (f'<tr class="finding" data-rule="{_E(f.rule)}" data-severity="{_E(f.severity)}">'
            f"<td>{_badge('sev', f.severity)}</td><td><code>{_E(f.rule)}</code></td>"
            f"<td>{_E(r.hide(f.message))}<div class=\"where\"><code>{_E(r.hide(where))}</code> "
            f"<code>{_E(r.hide(f.pointer))}</code></div></td>"
            f"<td class=\"fix\">{_E(r.hide(f.fix or ''))}</td></tr>")


def _findings(r: Review) -> str:
    parts = ['<section id="findings"><h2>Findings</h2>']
    if not r.integrations:
        parts.append('<p class="none">Nothing was checked.</p>')
    for i, integ in enumerate(r.integrations):
        parts.append(f'<section class="integration" id="integration-{i}" data-name="{_E(r.hide(integ.label))}">'
                     f"<h3>{_E(r.hide(integ.label))} <span class=\"where\">{_E(r.hide(integ.file))}</span></h3>")
        if not integ.findings:
            parts.append('<p class="none">No findings.</p></section>')
            continue
        for sev in SEVERITIES:
            rows = [_finding_row(r, f) for f in integ.findings if f.severity == sev]
            if not rows:
                continue
            parts.append(f'<table class="findings" data-severity="{sev}"><thead><tr><th>severity</th><th>rule</th>'
                         f"<th>finding</th><th>fix</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
        parts.append("</section>")
    if r.suppressed:
        rows = "".join(f"<tr><td><code>{_E(f.rule)}</code></td><td>{_E(r.hide(f.message))}</td>"
                       f"<td>{_E(r.hide(f.suppressed))}</td></tr>" for f in r.suppressed)
        parts.append(f"<details><summary>{len(r.suppressed)} suppressed finding(s)</summary><table><thead><tr>"
                     f"<th>rule</th><th>finding</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table></details>")
    parts.append("</section>")
    return "".join(parts)


def _errors(r: Review) -> str:
    if not r.errors:
        return ""
    items = "".join(f"<li><code>{_E(r.hide(e))}</code></li>" for e in r.errors)
    return f'<section id="errors"><h2>Input that could not be read</h2><ul>{items}</ul></section>'


def _scenarios(r: Review) -> str:
    if r.results is None:
        return ""
    rows = []
    for res in r.results:
        evidence = "\n".join(r.hide(e) for e in res.evidence)
        rows.append(f'<tr class="scenario" data-scenario="{_E(res.scenario)}" data-result="{_E(res.result)}">'
                    f"<td>{_E(r.hide(res.bundle or ''))}</td><td><code>{_E(res.scenario)}</code>"
                    f"<div class=\"where\">{_E(SCENARIOS.get(res.scenario, ''))}</div></td>"
                    f"<td>{_badge('res', res.result)}</td><td><details{' open' if res.result == 'fail' else ''}>"
                    f"<summary>{len(res.evidence)} line(s)</summary><pre>{_E(evidence)}</pre></details></td></tr>")
    counts = {}
    for res in r.results:
        counts[res.result] = counts.get(res.result, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no scenario ran"
    return (f'<section id="scenarios"><h2>Live scenarios on {_E(r.backend or "")}</h2><p>{_E(summary)}</p>'
            f"<table><thead><tr><th>integration</th><th>scenario</th><th>result</th><th>evidence</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _lock(r: Review) -> str:
    if r.lock is None:
        return ""
    lk = r.lock
    status = (f"{len(lk.changes)} changed field(s) over {lk.entries} entries: signing output differs from the lock"
              if lk.changes else f"unchanged ({lk.entries} entries)")
    rows = "".join(f"<tr class=\"lock-change\"><td><code>{_E(c['entry'])}</code></td><td>{_E(r.hide(c['diff']))}</td></tr>"
                   for c in lk.changes)
    table = (f"<table><thead><tr><th>entry</th><th>change</th></tr></thead><tbody>{rows}</tbody></table>"
             if rows else "")
    notes = "".join(f"<li>{_E(r.hide(w))}</li>" for w in lk.warnings)
    return (f'<section id="signing-lock" data-status="{"changed" if lk.changes else "unchanged"}">'
            f"<h2>Signing lock</h2><p><code>{_E(lk.path)}</code>: {_E(status)}</p>{table}"
            + (f"<ul>{notes}</ul>" if notes else "") + "</section>")


def render_html(r: Review) -> str:
    verdict = r.verdict()[0]
    title = f"hubgate review: {verdict.upper()}"
    paths = " ".join(r.paths)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_E(title)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>Storage integration review</h1><p class=\"meta\">hubgate {_E(__version__)} &middot; "
        f"<code>{_E(r.hide(paths))}</code> &middot; {_E(r.checked)} checked &middot; fail on {_E(r.fail_on)}</p>"
        + _verdict(r) + _errors(r) + _overview(r) + _findings(r) + _scenarios(r) + _lock(r)
        + "<p class=\"meta\">Secret values (keys, signatures, private keys, external IDs) are shown as ****. "
        "Each rule's documentation: <code>hubgate rules ID</code>.</p></main></body></html>\n"
    )
