"""The ``hubgate check`` pipeline: discover, run rules, apply suppressions, decide the exit code."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import partial
from itertools import starmap
from operator import attrgetter

from .config import Config
from .discover import Discovery, discover, load_policy_files
from .errors import InputError
from .findings import Finding, at_or_above
from .iac import IacOptions
from .masking import register, registered
from .output import on_terminal
from .reporters import Report
from .rules import Skipped, Target, all_rules, run_rules, skipped_rules
from .workers import in_turns


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
    fmt: str | None = None,
) -> tuple[Report, list[str]]:
    """Run every selected rule over the paths. Returns the report and the secret values to mask.

    ``skipped``: a list to extend with the rules of a bare policy's family that did not run on it, and why
    (``--verbose``).

    ``fmt``: the report's format, when it is known here: the text of a JSON report's findings is made in the
    processes that check them (``Report.findings_text``).

    Suppressed findings (a bundle's ``x-hubgate-ignore`` or the config's ``per-path-ignores``, each with
    its reason) and findings already in the baseline are kept aside and do not count for the exit code.

    The policy files of a directory without bundles are independent of each other: a long list of them is
    read and checked in chunks shared with a forked child on another CPU (``hubgate.workers.in_turns``); the
    chunks' results are joined in the files' order before anything is matched against the baseline, sorted or
    reported, so the report is the same either way.
    """
    config = config or Config()
    iac = iac or IacOptions.from_env()
    found = discover(paths, iac, defer=True)
    all_rules()
    judge = _Judge(select, ignore, config, skipped is not None, finish=baseline is None, text=_text_maker(fmt))
    parts = [judge.targets(found.targets, True)]
    pending = found.pending
    if pending:
        with _progress(len(pending)) as done:
            parts += in_turns(pending, partial(judge.files, iac=iac), done)
    secrets = [s for p in parts for s in p.secrets]
    register(*(s for p in parts for s in p.registered))  # before any fingerprint: every secret of the run masked
    if skipped is not None:
        skipped += [s for p in parts for s in p.skipped]
    errors = found.errors + [e for p in parts for e in p.errors]
    text = None
    if all(p.finished for p in parts[1:]):  # (no baseline) the chunks' findings came deduplicated and sorted
        first = parts[0]
        first.findings, suppressed = _set_aside(first.findings, baseline)
        first.finish(judge.text)
        findings, joined = _join([p.findings for p in parts])
        texts = [p.text for p in parts if p.findings]
        if judge.text is not None and joined and None not in texts:
            text = texts
    else:
        findings, suppressed = _set_aside([f for p in parts for f in p.findings], baseline)
        findings = _finished(findings)
    report = Report("check", findings, errors, found.files + sum(p.files for p in parts), fail_on, suppressed,
                    bundles=sum(p.bundles for p in parts), policies=sum(p.policies for p in parts),
                    findings_text=text)
    return report, secrets


def _text_maker(fmt: str | None):
    """What makes the text of some findings in the report's format where they are checked, if anything."""
    if fmt != "json":
        return None
    from .reporters.json_out import findings_text  # deferred: orjson, for a JSON report only

    return findings_text


_FIELDS = attrgetter(*(f.name for f in fields(Finding)))  # a finding as a tuple of its fields, in order


@dataclass
class _Part:
    """What checking some targets gave: their findings in order (``suppressed`` set on those a bundle or the
    config suppresses), secrets to mask (the targets' and the registry's, which a child process sends back),
    skipped rules, input errors, and counts."""

    findings: list[Finding] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    registered: tuple[str, ...] = ()
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    bundles: int = 0
    policies: int = 0
    finished: bool = False  # findings deduplicated and sorted already (nothing in them suppressed)
    text: bytes | None = None  # their UTF-8 text in the report's format (``_Judge.text``), when finished and made

    def finish(self, text) -> None:
        """Its findings deduplicated and sorted (:func:`_finished`), and their text made by ``text`` if given."""
        self.findings, self.finished = _finished(self.findings), True
        if text is not None:
            self.text = text(self.findings)

    def __reduce__(self):  # plain values through the pipe: findings as columns (a list per field: half the
        # pickling of a tuple per finding), errors as their two texts
        errors = [(e._file, e._problem) for e in self.errors]
        columns = list(zip(*map(_FIELDS, self.findings), strict=True))
        return (_rebuild, (columns, self.secrets, self.registered, self.skipped, errors, self.files, self.bundles,
                           self.policies, self.finished, self.text))


def _rebuild(columns, secrets, registered, skipped, errors, files, bundles, policies, finished, text) -> _Part:
    return _Part(list(starmap(Finding, zip(*columns, strict=True))), secrets, registered, skipped,
                 [InputError(*e) for e in errors], files, bundles, policies, finished, text)


def _set_aside(findings: list[Finding], baseline: set[str] | None) -> tuple[list[Finding], list[Finding]]:
    """(findings that count, suppressed ones), each in order: a finding is suppressed when a bundle or the config
    said so, or when its fingerprint is in the baseline (computed once the whole run's secrets are known, so the
    mask is the same whichever process checked the file)."""
    if baseline is None and set(map(attrgetter("suppressed"), findings)) <= {None}:
        return findings, []  # the usual run: nothing suppressed
    kept, aside = [], []
    for f in findings:
        if f.suppressed is None and baseline is not None and f.fingerprint() in baseline:
            f.suppressed = "in baseline"
        (kept if f.suppressed is None else aside).append(f)
    return kept, aside


class _Judge:
    """The rules and suppressions of one ``check``, applied to targets or to policy files."""

    def __init__(self, select, ignore, config: Config, want_skipped: bool, finish: bool = False,
                 text=None) -> None:
        self.select, self.ignore, self.config, self.want_skipped = select, ignore, config, want_skipped
        self.finish, self.text = finish, text

    def files(self, paths: list[str], here: bool, iac) -> _Part:
        """The part of some policy files. With ``finish`` (no baseline to match once every secret is known), a
        part with nothing suppressed comes deduplicated and sorted, in whichever process checked it."""
        found = Discovery()
        load_policy_files(found, paths, iac)
        part = self.targets(found.targets, False)  # the progress is drawn by the caller
        part.errors, part.files = found.errors, found.files
        if self.finish and set(map(attrgetter("suppressed"), part.findings)) <= {None}:
            part.finish(self.text)
        if not here:  # a child's part: the secrets it registered go back with it
            part.registered = tuple(registered())
        return part

    def targets(self, targets: list[Target], here: bool) -> _Part:
        part = _Part(bundles=sum(t.kind == "bundle" for t in targets),
                     policies=sum(t.kind == "policy" for t in targets))
        select, ignore, config = self.select, self.ignore, self.config
        findings = part.findings
        for target in _with_progress(targets) if here else targets:
            part.secrets += target.secrets
            if self.want_skipped:
                part.skipped += skipped_rules(target, select, ignore)
            found_here = run_rules([target], select, ignore)
            if target.bundle is not None or config.per_path_ignores:  # else nothing here could suppress them
                for f in found_here:
                    f.suppressed = _suppression(target, f) or config.path_suppression(f.rule, f.file)
            findings += found_here
        return part


def _watched(total: int) -> bool:
    """Is a progress bar worth drawing: a long run (200 items or more) a person is watching (a terminal)?"""
    return total >= 200 and on_terminal(sys.stderr)


@contextmanager
def _progress(total: int):
    """A progress bar on stderr over ``total`` items when :func:`_watched`; yields the function to tell it how
    many are done (None when nothing is drawn)."""
    if not _watched(total):
        yield None
        return
    # deferred: rich's progress bar (~20 ms) only for a long run on a terminal
    from rich.console import Console
    from rich.progress import Progress

    # drawn when told, not by rich's refresh thread: a process with a second thread forks no helper
    with Progress(console=Console(stderr=True), transient=True, auto_refresh=False) as bar:
        task = bar.add_task("checking", total=total)
        yield lambda n: bar.update(task, completed=n, refresh=True)


def _with_progress(targets: list[Target]):
    """The targets, under a progress bar (:func:`_progress`) advanced as each is taken, when :func:`_watched`."""
    if not _watched(len(targets)):
        return targets
    return _tracked(targets)


def _tracked(targets: list[Target]):
    step = -(-len(targets) // 100)  # redrawn at most once a percent, not for every target
    with _progress(len(targets)) as done:
        for n, target in enumerate(targets, 1):
            yield target
            if n % step == 0 or n == len(targets):
                done(n)


_IDENTITY = attrgetter("rule", "file", "pointer", "message")
_PLACE = attrgetter("file", "line", "column", "rule", "pointer", "message")


def _finished(findings: list[Finding]) -> list[Finding]:
    """The findings deduplicated (:func:`_dedupe`) and sorted (:func:`_sort`), as the report lists them."""
    findings = _dedupe(findings)
    _sort(findings)
    return findings


def _join(runs: list[list[Finding]]) -> tuple[list[Finding], bool]:
    """Finished runs of findings (each deduplicated and sorted) as one finished list, and whether they were
    joined as they are: their concatenation when each run's files come after the previous run's (chunks of a
    sorted file list, as a rule), which is what finishing the whole would give -- no finding of one run equals one
    of another, and every sort key of a run is below the next run's; else the whole, finished again. (Two runs can
    share a file only when it was given twice: its findings are the same both times, so which one is kept does
    not matter.)"""
    runs = [r for r in runs if r]
    if all(a[-1].file < b[0].file for a, b in zip(runs, runs[1:], strict=False)):
        return [f for r in runs for f in r], True
    return _finished([f for r in runs for f in r]), False


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

