"""Output formats for findings: text (rich), json, sarif, junit, github."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from operator import attrgetter

from ..errors import InputError
from ..findings import Finding

#: The output formats, in the order the CLI lists them: format name -> the module of this package that renders
#: it. The one registry: every command's ``--format`` choices, :func:`render` and the streaming writer
#: (:class:`hubgate.reporters.stream.Stream`) read it.
FORMATS: dict[str, str] = {"text": "text", "json": "json_out", "sarif": "sarif", "junit": "junit", "github": "github"}


@dataclass
class Report:
    command: str
    findings: list[Finding]
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    fail_on: str = "error"
    suppressed: list[Finding] = field(default_factory=list)
    bundles: int | None = None  # what was checked, when known (the text summary names it): bundles ...
    policies: int | None = None  # ... and bare policy files
    # ``--format json``: the text of the findings' list in runs (``json_out.findings_text``, to be joined with
    # ",\n"), when it was made while they were checked, else None
    findings_text: list[bytes] | None = field(default=None, repr=False)

    def checked(self) -> str:
        """What the summary counts: ``2 bundle(s)``, ``3 policy file(s)``, both, ``1 manifest(s)``, or (not
        known) ``N file(s)``."""
        if self.command == "manifest":
            return f"{self.files} manifest(s)"
        if self.bundles is None and self.policies is None:
            return f"{self.files} file(s)"
        parts = [f"{self.bundles or 0} bundle(s)"] if self.bundles or not self.policies else []
        if self.policies:
            parts.append(f"{self.policies} policy file(s)")
        return " and ".join(parts)

    def summary(self) -> dict:
        counts = {s: 0 for s in ("error", "warning", "info")}
        for severity, n in Counter(map(attrgetter("severity"), self.findings)).items():  # counted in C
            counts[severity] += n
        return {
            "files": self.files,
            "findings": len(self.findings),
            **counts,
            "suppressed": len(self.suppressed),
            "input_errors": len(self.errors),
        }


def render(report: Report, fmt: str, color: bool = False) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    # each reporter imported when its format is asked for (rich, xml...): not on every command's start-up path
    module = import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render(report, color=color) if fmt == "text" else module.render(report)
