"""Output formats for findings: text (rich), json, sarif, junit, github."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..findings import Finding

FORMATS = ("text", "json", "sarif", "junit", "github")


@dataclass
class Report:
    command: str
    findings: list[Finding]
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    fail_on: str = "error"
    suppressed: list[Finding] = field(default_factory=list)

    def summary(self) -> dict:
        counts = {s: 0 for s in ("error", "warning", "info")}
        for f in self.findings:
            counts[f.severity] += 1
        return {
            "files": self.files,
            "findings": len(self.findings),
            **counts,
            "suppressed": len(self.suppressed),
            "input_errors": len(self.errors),
        }


def render(report: Report, fmt: str, color: bool = False) -> str:
    if fmt == "text":
        from .text import render as r

        return r(report, color=color)
    if fmt == "json":
        from .json_out import render as r
    elif fmt == "sarif":
        from .sarif import render as r
    elif fmt == "junit":
        from .junit import render as r
    elif fmt == "github":
        from .github import render as r
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return r(report)
