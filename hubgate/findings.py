"""Findings and severities."""

from __future__ import annotations

from dataclasses import dataclass, field

from .redact import mask  # a secret in a message does not leak through a fingerprint's hash either

SEVERITIES = ("error", "warning", "info")
_RANK = {"info": 0, "warning": 1, "error": 2}


def at_or_above(severity: str, threshold: str) -> bool:
    return _RANK[severity] >= _RANK[threshold]


@dataclass(slots=True)  # tens of thousands in a corpus run: no per-instance dict
class Finding:
    rule: str
    severity: str
    message: str
    file: str
    pointer: str
    line: int | None = None
    column: int | None = None
    fix: str | None = None
    help: str | None = None
    suppressed: str | None = field(default=None)  # the reason when a suppression matched

    def fingerprint(self) -> str:
        """Stable identity for baselines: rule, file, pointer and message, not line numbers."""
        import hashlib  # deferred: ~3 ms, only baselines need it; not on every command's start-up path

        key = "\x1f".join((self.rule, self.file.replace("\\", "/"), self.pointer, mask(self.message)))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_dict(self) -> dict:
        # built directly: dataclasses.asdict deep-copies every field (~0.1 ms a finding, seconds on a corpus)
        d = {"rule": self.rule, "severity": self.severity, "message": self.message, "file": self.file,
             "pointer": self.pointer, "line": self.line, "column": self.column, "fix": self.fix, "help": self.help}
        if self.suppressed is not None:
            d["suppressed"] = self.suppressed
        return d

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.column or 0, self.rule, self.pointer, self.message)
