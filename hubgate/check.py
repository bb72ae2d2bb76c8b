"""The ``hubgate check`` pipeline: discover, run rules, apply suppressions, decide the exit code."""

from __future__ import annotations

import sys
from operator import attrgetter

from .config import Config
from .discover import discover
from .findings import Finding, at_or_above
from .reporters import Report
from .rules import Skipped, Target, all_rules, run_rules, skipped_rules


def _suppression(target: Target, f: Finding) -> str | None:
    if target.bundle is None:
        return None
    for entry in target.bundle.ignores:
        if entry["rule"].upper() != f.rule:
            continue
        ptr = entry.get("pointer")
        if ptr and not (f.pointer == ptr or f.pointer.startswith(ptr.rstrip("/") + "/")):
            continue
        return entry["reason"]
    return None


def check_paths(
    paths: list[str],
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    fail_on: str = "error",
    config: Config | None = None,
    baseline: set[str] | None = None,
    iac=None,
    skipped: list[Skipped] | None = None,
) -> tuple[Report, list[str]]:
    """Run every selected rule over the paths. Returns the report and the secret values to mask.

    ``skipped``: a list to extend with the rules of a bare policy's family that did not run on it, and why
    (``--verbose``).

    Suppressed findings (a bundle's ``x-hubgate-ignore`` or the config's ``per-path-ignores``, each with
    its reason) and findings already in the baseline are kept aside and do not count for the exit code.
    """
    config = config or Config()
    found = discover(paths, iac)
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    secrets: list[str] = []
    all_rules()
    for target in _with_progress(found.targets):
        secrets += target.secrets
        if skipped is not None:
            skipped += skipped_rules(target, select, ignore)
        found_here = run_rules([target], select, ignore)
        if target.bundle is None and not config.per_path_ignores and baseline is None:
            findings += found_here  # nothing could suppress them (the usual bare policy)
            continue
        for f in found_here:
            reason = _suppression(target, f) or config.path_suppression(f.rule, f.file)
            if reason is None and baseline is not None and f.fingerprint() in baseline:
                reason = "in baseline"
            if reason is not None:
                f.suppressed = reason
                suppressed.append(f)
            else:
                findings.append(f)
    findings = _dedupe(findings)
    _sort(findings)
    report = Report("check", findings, found.errors, found.files, fail_on, suppressed,
                    bundles=sum(t.kind == "bundle" for t in found.targets),
                    policies=sum(t.kind == "policy" for t in found.targets))
    return report, secrets


def _with_progress(targets: list[Target]):
    """A progress bar on stderr for long runs, only when a person is watching (a terminal)."""
    if len(targets) < 200 or not sys.stderr.isatty():
        return targets
    # deferred: rich's progress bar (~20 ms) only for a long run on a terminal
    from rich.console import Console
    from rich.progress import track

    return track(targets, description="checking", console=Console(stderr=True), transient=True)


_IDENTITY = attrgetter("rule", "file", "pointer", "message")
_PLACE = attrgetter("file", "line", "column", "rule", "pointer", "message")


def _sort(findings: list[Finding]) -> None:
    """``findings.sort(key=Finding.sort_key)``; with every line and column known (the usual case) the key is
    read in C."""
    if None in set(map(attrgetter("line"), findings)) or None in set(map(attrgetter("column"), findings)):
        findings.sort(key=Finding.sort_key)
    else:
        findings.sort(key=_PLACE)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """A document shared by several bundles is reported once per place."""
    if len(set(map(_IDENTITY, findings))) == len(findings):
        return findings  # the usual case: no finding twice
    seen = set()
    out = []
    for f in findings:
        key = (f.rule, f.file, f.pointer, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def exit_code(report: Report) -> int:
    if report.errors:
        return 2
    if any(at_or_above(f.severity, report.fail_on) for f in report.findings):
        return 1
    return 0

