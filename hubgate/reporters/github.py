"""``--format github``: GitHub Actions workflow commands (``::error file=...,line=...::message``)."""

from __future__ import annotations

from ..redact import escape_controls

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    """The workflow-command escapes, then any other control character (a terminal escape in a value) as ``\\xNN``:
    the runner's log is a terminal too."""
    return escape_controls(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def line(f) -> str:
    """One finding as a workflow command."""
    props = [f"file={_escape_prop(f.file)}"]
    if f.line:
        props.append(f"line={f.line}")
    if f.column:
        props.append(f"col={f.column}")
    props.append(f"title={_escape_prop(f.rule)}")
    text = f.message + (f". Fix: {f.fix}" if f.fix else "")
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{_escape_data(text)}"


def error_line(e) -> str:
    return f"::error file={_escape_prop(e.file)},title=input::{_escape_data(e.problem)}"


def render(report) -> str:
    lines = [line(f) for f in report.findings] + [error_line(e) for e in report.errors]
    return "\n".join(lines) + ("\n" if lines else "")
