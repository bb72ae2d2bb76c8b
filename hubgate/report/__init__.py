"""``hubgate report``: one page for a security review -- the verdict, the findings by integration and
severity with their fixes, the live scenarios (``--prove``) with their evidence, the signing lock's status.

:func:`collect` runs the same code paths as the commands it summarises: ``hubgate check``
(:func:`hubgate.check.check_paths`), ``hubgate prove`` (:func:`hubgate.scenarios.session.prove`) and
``hubgate signing compare`` (:func:`hubgate.signing.lock.compare`); :mod:`.html` and :mod:`.markdown` render
the :class:`Review`. Every text that goes on the page passes through :func:`hubgate.masking.mask` with the
secrets of the bundles (keys, SAS signatures, private keys) and their external IDs.
"""

from __future__ import annotations

from pathlib import Path

from ..check import check_paths
from ..discover import discover
from ..errors import InputError
from ..findings import SEVERITIES, Finding
from ..iac import IacOptions
from ..signing import SigningInputError
from .html import render_html
from .markdown import render_markdown
from .review import Integration, LockStatus, Review  # noqa: F401  (the package's interface)

FORMATS = ("html", "markdown")


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
    iac = iac or IacOptions.from_env()
    lock = _lock_status(signing_lock) if signing_lock else None
    report, secrets = check_paths(list(paths), fail_on=fail_on, iac=iac)
    targets = discover([p for p in paths if Path(p).exists()], iac).targets
    bundles = [t.bundle for t in targets if t.kind == "bundle"]
    secrets = list(secrets) + [s for b in bundles for s in b.secrets] + _external_ids(bundles)
    review = Review(list(paths), fail_on, _integrations(targets, report.findings), report.findings,
                    report.suppressed, report.errors, report.checked(), secrets, lock=lock)
    if prove_backend and not report.errors:
        # deferred: the scenarios and their S3 clients (~30 ms, boto3 later) only with --prove
        from ..scenarios.choose import make_backend
        from ..scenarios.session import prove

        if not bundles:
            raise InputError(" ".join(paths), "no bundle to prove (integration.yaml|yml|json or *.hubgate.*)")
        review.backend = prove_backend
        review.results = prove(bundles, make_backend(prove_backend, endpoint, False), None)
    return review


def _lock_status(path: str) -> LockStatus:
    from ..signing.lock import compare, read_lock, record  # deferred: the signing libraries, only with a lock

    try:
        locked = read_lock(Path(path))
    except SigningInputError as exc:
        raise InputError(path, str(exc).removeprefix(f"{path}: ")) from None
    result = compare(locked, record())
    return LockStatus(path, len(locked["entries"]), result["changes"], result["warnings"])


def render(review: Review, fmt: str) -> str:
    if fmt == "html":
        return review.hide(render_html(review))
    if fmt == "markdown":
        return review.hide(render_markdown(review))
    raise ValueError(f"unknown format {fmt!r}")
