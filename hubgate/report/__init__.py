"""``hubgate report``: one page for a security review -- the verdict, the findings by integration and
severity with their fixes, the live scenarios (``--prove``) with their evidence, the signing lock's status.

:func:`collect` runs the same code paths as the commands it summarises: ``hubgate check``
(:func:`hubgate.check.check_paths`), ``hubgate prove`` (:func:`hubgate.scenarios.runner.prove`) and
``hubgate signing compare`` (:func:`hubgate.signing.lock.compare`); :mod:`.html` and :mod:`.markdown` render
the :class:`Review`. Every text that goes on the page passes through :func:`hubgate.masking.mask` with the
secrets of the bundles (keys, SAS signatures, private keys) and their external IDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..findings import SEVERITIES, Finding, at_or_above
from ..masking import mask

FORMATS = ("html", "markdown")


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

    def mask(self, text: object) -> str:
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


def _integrations(targets: list, findings: list[Finding]) -> list[Integration]:
    """The bundles found (as check finds them), each with the findings in its files; findings in files of no
    bundle (bare policies) make an integration of their own, named by the file."""
    out: list[Integration] = []
    by_file: dict[str, Integration] = {}
    bundles = [t.bundle for t in targets if t.kind == "bundle"]
    names = [b.name for b in bundles]
    for b in bundles:
        label = b.name if names.count(b.name) == 1 else f"{b.name} ({b.doc.file})"
        integ = Integration(label, b.doc.file, b.provider)
        out.append(integ)
        files = [b.doc.file] + [p.doc.file for p in (b.permission_policy, b.trust_policy) if p is not None]
        files += [k.cors.file for k in b.buckets if k.cors is not None]
        for f in files:
            by_file.setdefault(f, integ)
    for f in findings:
        integ = by_file.get(f.file)
        if integ is None:
            integ = by_file[f.file] = Integration(f.file, f.file, None)
            out.append(integ)
        integ.findings.append(f)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for integ in out:
        integ.findings.sort(key=lambda f: (rank[f.severity], f.file, f.line or 0, f.rule))
    return out


def _external_ids(bundles: list) -> list[str]:
    """The bundles' external IDs (secret-ish: masked on the page), except the documentation's placeholders."""
    return [b.external_id for b in bundles if b.external_id and b.external_id not in b.profile.placeholders]


def collect(paths: list[str], fail_on: str = "error", prove_backend: str | None = None, endpoint: str | None = None,
            signing_lock: str | None = None, iac=None) -> Review:
    """Run check (and prove, and the lock comparison when asked) over ``paths``. Raises InputError for a bad
    lock file, ValueError for bad backend options and ``BackendError`` when the backend fails."""
    from ..check import check_paths
    from ..discover import discover
    from ..iac import IacOptions

    iac = iac or IacOptions.from_env()
    lock = _lock_status(signing_lock) if signing_lock else None
    report, secrets = check_paths(list(paths), fail_on=fail_on, iac=iac)
    targets = discover([p for p in paths if Path(p).exists()], iac).targets
    bundles = [t.bundle for t in targets if t.kind == "bundle"]
    secrets = list(secrets) + [s for b in bundles for s in b.secrets] + _external_ids(bundles)
    review = Review(list(paths), fail_on, _integrations(targets, report.findings), report.findings,
                    report.suppressed, report.errors, report.checked(), secrets, lock=lock)
    if prove_backend and not report.errors:
        from ..scenarios.backends import make_backend
        from ..scenarios.runner import prove

        if not bundles:
            raise InputError(" ".join(paths), "no bundle to prove (integration.yaml|yml|json or *.hubgate.*)")
        review.backend = prove_backend
        review.results = prove(bundles, make_backend(prove_backend, endpoint, False), None)
    return review


def _lock_status(path: str) -> LockStatus:
    from ..signing import SigningInputError
    from ..signing.lock import compare, read_lock, record

    try:
        locked = read_lock(Path(path))
    except SigningInputError as exc:
        raise InputError(path, str(exc).removeprefix(f"{path}: ")) from None
    result = compare(locked, record())
    return LockStatus(path, len(locked["entries"]), result["changes"], result["warnings"])


def render(review: Review, fmt: str) -> str:
    if fmt == "html":
        from .html import render_html

        return review.mask(render_html(review))
    if fmt == "markdown":
        from .markdown import render_markdown

        return review.mask(render_markdown(review))
    raise ValueError(f"unknown format {fmt!r}")
