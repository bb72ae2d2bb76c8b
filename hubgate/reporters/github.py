"""``--format github``: GitHub Actions workflow commands (``::error file=...,line=...::message``)."""

from __future__ import annotations

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(report) -> str:
    lines = []
    for f in report.findings:
        props = [f"file={_escape_prop(f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_escape_prop(f.rule)}")
        text = f.message + (f". Fix: {f.fix}" if f.fix else "")
        lines.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_escape_data(text)}")
    for e in report.errors:
        lines.append(f"::error file={_escape_prop(e.file)},title=input::{_escape_data(e.problem)}")
    return "\n".join(lines) + ("\n" if lines else "")
