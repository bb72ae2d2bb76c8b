"""``hubgate check --fix`` / ``--diff``: find the findings a fixer can mend, edit the files in place, re-check.

Like ``ruff --fix``: only mechanical, safe fixes are applied (see ``fixers``); everything else is reported
as not fixable automatically. Fixing repeats (a fix can make another finding fixable) until nothing
changes, so a second run changes nothing. Files are written through a temporary file and ``os.replace``,
keeping their mode; a file that cannot be written is left as it was.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..check import check_paths
from ..discover import discover
from ..errors import InputError
from ..findings import Finding
from ..iac import is_cloudformation_template, is_terraform_plan
from ..masking import mask
from ..output import replacing
from ..reporters import Report
from ..rules import Target, run_rules
from .edits import EditError, apply, parse
from .fixers import FIXERS, Context, NotFixable

MAX_PASSES = 5
_BOM = "\ufeff"


@dataclass
class SourceFile:
    path: Path  # the real file
    shown: str
    bom: bool
    text: str
    fmt: str  # "json" | "yaml"
    data: object

    @classmethod
    def read(cls, shown: str) -> SourceFile:
        path = Path(os.path.realpath(shown))
        try:
            raw = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise NotFixable(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
        bom = raw.startswith(_BOM)
        text = raw[1:] if bom else raw
        fmt = "json" if text.lstrip()[:1] in ("{", "[") and _is_json(text) else "yaml"
        try:
            data = parse(text, fmt)
        except (ValueError, yaml.YAMLError):  # e.g. CloudFormation's !Ref tags
            raise NotFixable("not plain JSON/YAML (tags): fix its source") from None
        if is_terraform_plan(data) or is_cloudformation_template(data):
            raise NotFixable("generated from infrastructure code: fix its source")
        return cls(path, shown, bom, text, fmt, data)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@dataclass
class FileFix:
    source: SourceFile
    new_text: str
    fixed: list[Finding]
    splices: list = field(default_factory=list)

    def diff(self) -> str:
        name = self.source.shown.replace(os.sep, "/")
        return "".join(difflib.unified_diff(
            self.source.text.splitlines(keepends=True), self.new_text.splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}"))


@dataclass
class FixOutcome:
    report: Report  # after the fixes (with --diff: before them)
    secrets: list[str]  # masked in the report, as ``check`` masks them
    fixed: int = 0
    unfixable: dict[str, str] = field(default_factory=dict)  # finding fingerprint -> why
    files: list[FileFix] = field(default_factory=list)  # --diff: the changes that would be written
    external_ids: list[str] = field(default_factory=list)  # the records' external IDs: masked in diffs too

    def diff(self) -> str:
        return mask("".join(f.diff() for f in self.files), self.secrets + self.external_ids)

    def reasons(self) -> list[str]:
        """``file:line:col RULE: why`` for each remaining finding a fixer looked at and left alone."""
        out = []
        for f in self.report.findings:
            why = self.unfixable.get(f.fingerprint())
            if why:
                out.append(f"{f.file}:{f.line or 0}:{f.column or 0} {f.rule} not fixed ({f.pointer}): {why}")
        return out

    def summary(self, dry_run: bool) -> str:
        counts = Counter(f.rule for f in self.report.findings)
        left = ", ".join(f"{r} x{n}" for r, n in sorted(counts.items()))
        n = len(self.report.findings)
        if dry_run:
            return (f"Would fix {self.fixed} finding(s); {n} not fixable automatically" + (f": {left}" if n else ""))
        return f"Fixed {self.fixed} finding(s); " + (f"{n} remain (not fixable automatically): {left}" if n else "none remain")


def _strong_record_id(target: Target) -> str | None:
    """The bundle's external ID when it may be written into a trust policy: literal in the bundle (not from
    the environment), no placeholder (HG109) and not guessable (HG206)."""
    b = target.bundle
    raw = b.data.get("external_id") if b is not None else None
    if not isinstance(raw, str) or "${env:" in raw or b.external_id is None:
        return None
    here = b.doc.pointer("external_id")
    if any(f.pointer == here for f in run_rules([target], {"HG109", "HG206"})):
        return None
    return b.external_id


def plan(report: Report, paths: list[str], select, ignore, iac) -> tuple[list[FileFix], dict[str, str], list[str]]:
    """The edits for the report's fixable findings, per file; findings no fixer can mend, with the reason;
    the record external IDs seen (masked in diffs)."""
    unfixable: dict[str, str] = {}
    wanted = [f for f in report.findings if f.rule in FIXERS]
    ext_ids: list[str] = []
    if not wanted:
        return [], unfixable, ext_ids
    rules = set(FIXERS) if select is None else set(FIXERS) & select
    owner: dict[tuple, Target] = {}
    for t in discover(paths, iac).targets:
        if t.bundle is not None and t.bundle.external_id:
            ext_ids.append(t.bundle.external_id)
        for f in run_rules([t], rules, ignore):
            owner.setdefault((f.rule, f.file, f.pointer, f.message), t)
    sources: dict[str, SourceFile | str] = {}
    per_file: dict[Path, list[tuple[Finding, list]]] = {}
    for f in wanted:
        src = sources.get(f.file)
        if src is None:
            try:
                src = sources[f.file] = SourceFile.read(f.file)
            except NotFixable as exc:
                src = sources[f.file] = str(exc)
        if isinstance(src, str):
            unfixable[f.fingerprint()] = src
            continue
        ctx = Context(f, src.data, owner.get((f.rule, f.file, f.pointer, f.message)), report.findings,
                      _strong_record_id)
        try:
            edits = FIXERS[f.rule](ctx)
        except NotFixable as exc:
            unfixable[f.fingerprint()] = str(exc)
            continue
        per_file.setdefault(src.path, []).append((f, edits))
    out = []
    for path, items in per_file.items():
        src = next(s for s in sources.values() if isinstance(s, SourceFile) and s.path == path)
        fix = _apply_greedy(src, items, unfixable)
        if fix is not None:
            out.append(fix)
    return out, unfixable, ext_ids


def _apply_greedy(src: SourceFile, items: list[tuple[Finding, list]], unfixable: dict[str, str]) -> FileFix | None:
    """Take the findings' edits one finding at a time, keeping each that still writes cleanly with the ones
    before it (two bundles sharing a file give the same edit twice: it is applied once)."""
    edits: list = []
    fixed: list[Finding] = []
    text, splices = src.text, []
    for f, mine in items:
        trial = edits + [e for e in mine if e not in edits]
        try:
            text, splices = apply(src.text, src.fmt, trial)
        except EditError as exc:
            unfixable[f.fingerprint()] = f"cannot be written in place: {exc}"
            continue
        edits = trial
        fixed.append(f)
    if not fixed or text == src.text:
        return None
    return FileFix(src, text, fixed, splices)


def write_all(fixes: list[FileFix]) -> None:
    """Write every fixed file, or raise InputError naming the first that cannot be written (checked for
    all before any is written; a failed write leaves that file as it was)."""
    for fx in fixes:
        problem = _unwritable(fx.source.path)
        if problem:
            raise InputError(fx.source.shown, f"cannot write: {problem}; no file was changed")
    for fx in fixes:
        data = ((_BOM if fx.source.bom else "") + fx.new_text).encode("utf-8")
        try:
            _replace(fx.source.path, data)
        except OSError as exc:
            raise InputError(fx.source.shown, f"cannot write: {exc.strerror or exc}; the file is unchanged") from None


def _unwritable(path: Path) -> str | None:
    try:
        st = path.stat()
    except OSError as exc:
        return exc.strerror or str(exc)
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return "its directory is not writable"
    return None


def _replace(path: Path, data: bytes) -> None:
    with replacing(path, binary=True) as fh:
        fh.write(data)


def fix_paths(paths: list[str], select=None, ignore=None, fail_on="error", config=None, baseline=None, iac=None,
              write: bool = True) -> FixOutcome:
    """Fix what can be fixed. ``write=False`` (``--diff``): one pass, nothing written, the outcome holds
    the changes and the report from before them."""
    fixed = 0
    unfixable: dict[str, str] = {}
    for _ in range(MAX_PASSES):
        report, secrets = check_paths(paths, select, ignore, fail_on, config, baseline, iac)
        fixes, why, ext_ids = plan(report, paths, select, ignore, iac)
        unfixable.update(why)
        if not write:
            done = {f.fingerprint() for fx in fixes for f in fx.fixed}
            rest = [f for f in report.findings if f.fingerprint() not in done]
            after = Report(report.command, rest, report.errors, report.files, report.fail_on, report.suppressed,
                           bundles=report.bundles, policies=report.policies)
            return FixOutcome(after, secrets, len(done), unfixable, fixes, ext_ids)
        if not fixes:
            return FixOutcome(report, secrets, fixed, unfixable)
        write_all(fixes)
        fixed += sum(len(fx.fixed) for fx in fixes)
    report, secrets = check_paths(paths, select, ignore, fail_on, config, baseline, iac)
    return FixOutcome(report, secrets, fixed, unfixable)
