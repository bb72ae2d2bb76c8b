"""Bundles named on the command line (``prove PATH``, ``manifest --bundle PATH``), found the way ``check``
finds them: :func:`hubgate.discover.discover` (a bundle file, a directory searched for bundle files, a
Terraform plan or CloudFormation template assembled into bundles)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def bundles_at(path: str) -> list:
    """Every bundle at ``path``; the first unreadable input, or a path without bundles, raises InputError."""
    from ..discover import discover  # the loaders and the rule engine: only when a bundle is named

    found = discover([path])
    if found.errors:
        raise found.errors[0]
    bundles = [t.bundle for t in found.targets if t.kind == "bundle"]
    if not bundles:
        raise InputError(path, "no bundle here (integration.yaml|yml|json or *.hubgate.yaml|yml|json)")
    return bundles


def bundle_at(path: str):
    """The one bundle at ``path``: a bundle file (named as given: findings quote it), or a directory holding
    exactly one."""
    if not Path(path).is_dir():
        from ..bundle import load_bundle  # the loaders: only when a bundle is named

        return load_bundle(Path(path), path)
    bundles = bundles_at(path)
    if len(bundles) > 1:
        names = ", ".join(b.doc.file for b in bundles[:3]) + (", ..." if len(bundles) > 3 else "")
        raise InputError(path, f"{len(bundles)} bundles here ({names}); name one")
    return bundles[0]
