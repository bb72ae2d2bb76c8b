"""``--format text``: human-readable findings with rich; colour only when writing to a terminal."""

from __future__ import annotations

import io

from ..redact import escape_controls


def escape(text: str) -> str:
    """Rich markup escaped, and control characters (terminal escape sequences) shown as ``\\xNN``."""
    from rich.markup import escape as _markup  # rich only when it renders: see render()

    return _markup(escape_controls(text))


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(report, color: bool = False) -> str:
    if not color:
        plain = _render_plain(report)
        if plain is not None:
            return plain
    # rich imported only here: without colour (a pipe, a file, CI logs) the plain path above needs none of it,
    # which keeps `hubgate check` start-up fast
    from rich.console import Console

    buf = io.StringIO()
    # emoji=False: an object key or file name such as `:ok:` must be printed as written, not as an emoji
    console = Console(file=buf, force_terminal=color, no_color=not color, width=200, highlight=False, soft_wrap=True,
                      emoji=False)
    for f in report.findings:
        where = f.file + (f":{f.line}:{f.column}" if f.line else "")
        console.print(
            f"[bold]{escape(where)}[/bold] [{_STYLE[f.severity]}]{f.severity}[/] "
            f"[bold]{f.rule}[/bold] {escape(f.message)} [dim]({escape(f.pointer or '/')})[/dim]"
        )
        if f.fix:
            console.print(f"    [green]fix:[/green] {escape(f.fix)}")
    for e in report.errors:
        console.print(f"[bold]{escape(e.file)}[/bold] [bold red]input error[/] {escape(e.problem)}")
    console.print(_summary_line(report))
    return buf.getvalue()


def _summary_line(report) -> str:
    """The last line: what was checked and the counts (after a blank line when anything was listed)."""
    s = report.summary()
    parts = [f"{report.checked()} checked", f"{s['error']} error(s)", f"{s['warning']} warning(s)", f"{s['info']} info"]
    if s["suppressed"]:
        parts.append(f"{s['suppressed']} suppressed")
    if s["input_errors"]:
        parts.append(f"{s['input_errors']} unreadable input(s)")
    return ("" if not report.findings and not report.errors else "\n") + ", ".join(parts)


def _render_plain(report) -> str | None:
    """The same text rich prints without colour, written directly; None when a piece holds a character rich
    would change (tabs, control characters) or a backslash (rich's markup escaping): then rich renders it."""
    lines = []
    for f in report.findings:
        where = f.file + (f":{f.line}:{f.column}" if f.line else "")
        lines.append(f"{where} {f.severity} {f.rule} {f.message} ({f.pointer or '/'})")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    for e in report.errors:
        lines.append(f"{e.file} input error {e.problem}")
    lines.append(_summary_line(report))
    text = "\n".join(lines) + "\n"
    if "\\" in text or not text.replace("\n", "").isprintable():
        return None
    return text
