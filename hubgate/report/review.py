"""What a review report shows: the checked integrations with their findings, scenario results, lock status."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..findings import SEVERITIES, Finding, at_or_above
from ..masking import mask


@dataclass
class Integration:
    label: str  # the storage name (and its file when two share a name)
    file: str
    provider: str | None
    findings: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            c[f.severity] += 1
        return c


@dataclass
class LockStatus:
    path: str
    entries: int
    changes: list[dict]
    warnings: list[str]


@dataclass
class Review:
    paths: list[str]
    fail_on: str
    integrations: list[Integration]
    findings: list[Finding]
    suppressed: list[Finding]
    errors: list[InputError]
    checked: str
    secrets: list[str]
    backend: str | None = None
    results: list | None = None  # scenario results (``--prove``)
    lock: LockStatus | None = None

    def hide(self, text: object) -> str:
        return mask("" if text is None else str(text), self.secrets)

    def failing_findings(self) -> list[Finding]:
        return [f for f in self.findings if at_or_above(f.severity, self.fail_on)]

    def failed_scenarios(self) -> list:
        return [r for r in self.results or () if r.result == "fail"]

    def verdict(self) -> tuple[str, list[str]]:
        """``("pass" | "fail" | "error", reasons)``: error for unreadable input, fail for findings at or above
        --fail-on, a failed scenario or a changed signing lock."""
        reasons = []
        if self.errors:
            reasons.append(f"{len(self.errors)} input(s) could not be read")
        bad = self.failing_findings()
        if bad:
            reasons.append(f"{len(bad)} finding(s) at or above {self.fail_on}")
        if self.failed_scenarios():
            reasons.append(f"{len(self.failed_scenarios())} scenario(s) failed on {self.backend}")
        if self.lock is not None and self.lock.changes:
            reasons.append(f"signing output differs from the lock in {len(self.lock.changes)} field(s)")
        if self.errors:
            return "error", reasons
        if reasons:
            return "fail", reasons
        what = [f"{self.checked} checked, no finding at or above {self.fail_on}"]
        if self.results is not None:
            what.append(f"no scenario failed on {self.backend}")
        if self.lock is not None:
            what.append("signing output matches the lock")
        return "pass", what

    def exit_code(self) -> int:
        return {"pass": 0, "fail": 1, "error": 2}[self.verdict()[0]]
