"""Signing conformance and regression (``hubgate signing verify|record|compare``).

Published vectors (the AWS SigV4 test suite, the S3 documentation examples, the GCS V4 signing
conformance tests) are run against the signers users actually use: botocore, minio-py and
google-cloud-storage. minio and google-cloud-storage are optional (``pip install hubgate[signing]``):
when one is missing its cases are reported ``error`` with the reason, never dropped.

A case result is one dict (the JSON report's ``cases``): ``suite``, ``case``, ``signer``, ``mode`` (``header`` or
``query``), ``result`` (``pass`` | ``fail`` | ``error``), ``diff`` (the first differing line, or null),
plus ``reason`` (why a case is ``error``: ``missing-library``, ``inconsistent-vector``, ``unsupported``)
and ``note`` (context worth reading even on a pass).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


class SigningInputError(Exception):
    """Bad input for ``hubgate signing`` (missing suite directory, malformed case): exit 2, one line."""


@dataclass
class CaseResult:
    suite: str
    case: str
    signer: str
    mode: str  # header | query
    result: str  # pass | fail | error
    diff: str | None = None
    reason: str | None = None
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        for k in ("reason", "note"):
            if d[k] is None:
                del d[k]
        d.update(extra)
        return d


def _show(line: str | None) -> str:
    if line is None:
        return "(no line)"
    if len(line) > 160:
        line = line[:157] + "..."
    return repr(line)


def first_diff(what: str, expected: str, actual: str) -> str | None:
    """``None`` when equal, else one line naming ``what``, the line number and both versions of it."""
    if expected == actual:
        return None
    exp, act = expected.split("\n"), actual.split("\n")
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else None
        a = act[i] if i < len(act) else None
        if e != a:
            if e is not None and a is not None and max(len(e), len(a)) > 160:
                # Long lines (query strings): show both around the first differing character.
                j = next((k for k in range(min(len(e), len(a))) if e[k] != a[k]), min(len(e), len(a)))
                start = max(0, j - 40)
                e, a = ("..." if start else "") + e[start:j + 80], ("..." if start else "") + a[start:j + 80]
                return f"{what} line {i + 1}, column {j + 1}: expected {_show(e)}, got {_show(a)}"
            return f"{what} line {i + 1}: expected {_show(e)}, got {_show(a)}"
    return f"{what}: differs only in line endings"  # pragma: no cover - split makes this unreachable


def compare_outputs(pairs: list[tuple[str, str | None, str | None]]) -> str | None:
    """First difference over ``(what, expected, actual)`` in order; expectations that are None are skipped."""
    for what, expected, actual in pairs:
        if expected is None:
            continue
        if actual is None:
            return f"{what}: the signer produced none (expected {_show(expected.split(chr(10))[0])}...)"
        d = first_diff(what, expected, actual)
        if d:
            return d
    return None


def default_vectors_dir() -> Path:
    """The published vectors shipped inside the package (``hubgate/signing/third_party/vectors``, package
    data, vendored from upstream): ``aws-sigv4-testsuite/`` and ``gcs-v4-signatures/``, with their licences
    and ``PROVENANCE.md``."""
    from importlib.resources import files  # deferred: --help imports this package; ~1 ms, vectors only

    return Path(str(files(__package__) / "third_party" / "vectors"))


def library_versions() -> dict[str, str | None]:
    """Installed versions of the signing libraries (None when not installed)."""
    from importlib import metadata  # deferred: ~15 ms, only when versions are reported

    out: dict[str, str | None] = {}
    for dist in ("botocore", "minio", "google-cloud-storage", "google-auth"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out
