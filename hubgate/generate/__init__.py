"""``hubgate generate``: a correct, least-privilege integration written from a few facts.

The facts (:class:`Facts`: buckets, region, external ID, profile, account, role and storage name) become
the same documents in every format: the read-only permission policy over the buckets (each bucket and
object ARN paired), the trust policy for the profile's principal with the ``sts:ExternalId`` condition,
and a CORS configuration for the profile's origins. The documents are built by :mod:`hubgate.example`
(the blocks the rule examples use), with every vendor fact taken from the profile.

Before anything is written the integration is checked by every rule (:func:`self_check`): ``generate``
refuses, with exit code 2, facts that would make a flawed integration (e.g. a guessable external ID).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..bundle import bundle_from_data
from ..errors import InputError
from ..masking import mask
from ..rules import Target, run_rules
from .facts import (  # noqa: F401  (the package's interface)
    DEFAULT_ROLE_NAME,
    FORMATS,
    SID,
    Facts,
    bucket_name_problem,
    bundle_record,
    cors_configuration,
    make_facts,
    permission_policy,
    trust_policy,
)


def self_check(facts: Facts) -> None:
    """Every rule over the integration these facts make; InputError naming the findings when there are any."""
    facts_for_check = facts if facts.account_id else Facts(**{**facts.__dict__, "account_id": "000000000000"})
    bundle = bundle_from_data(bundle_record(facts_for_check, inline=True), "<generated>")
    findings = run_rules([Target("bundle", bundle=bundle, organization=[bundle])])
    if findings:
        what = "; ".join(f"{f.rule} {f.message}" for f in findings[:3])
        raise InputError("generate", mask(f"these facts make a flawed integration: {what}",
                                                  [facts.external_id]))


def render(facts: Facts, fmt: str, out: str = "DIR") -> dict[str, str]:
    """The files of the integration in ``fmt``: relative path -> text (``out``: the directory, as the README's
    command line names it)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    # the format's module (named as the format) imported when it is asked for, as the reporters are
    return import_module(f"{__name__}.{fmt}").render(facts, out)


def write_files(files: dict[str, str], out: Path, force: bool = False) -> list[Path]:
    """Write ``files`` under ``out``. Refuses (InputError, nothing written) when one exists, unless ``force``."""
    targets = [(out / rel, text) for rel, text in files.items()]
    if not force:
        existing = [str(p) for p, _ in targets if p.exists()]
        if existing:
            more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
            raise InputError(existing[0], f"exists{more}; not overwriting (use --force)")
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "is not a directory")
    written = []
    for path, text in targets:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(str(path), f"cannot write: {exc.strerror}") from None
        written.append(path)
    return written
