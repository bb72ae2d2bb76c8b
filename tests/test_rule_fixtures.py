"""Per-rule file fixtures for every rule family, in the cfn-lint/checkov manner.

``tests/fixtures/rules/HGxxx/{pass,fail}-*.yaml`` are real bundles on disk (documents referenced as JSON
files, some pretty-printed, some inline YAML; for HG801 also CloudFormation templates and Terraform plans,
``*.plan.json``). Each carries, in ``x-*`` keys the bundle schema lets through:

- ``x-expect``: the exact findings of the fixture's own rule *family* (the ids sharing the directory's
  ``HGn`` prefix: HG1 permission, HG2 trust, HG3 CORS, HG4 record, HG5 manifest, HG6 GCP, HG7 Azure, HG8
  IaC), each ``{rule, file, pointer}`` with ``line``/``column`` where given. ``file`` is relative to the
  fixture's directory.
- ``x-expect-exit`` (optional): the exit code of ``hubgate check FIXTURE`` (2 for input the loader refuses).
- ``x-organization`` (optional): sibling bundle files (``*.bundle.json``) checked together with the fixture,
  as files given together on one command line are: one organization (HG404 needs two bundles).

Every fixture is checked with the *whole* rule set, not only its own rule, so that "one problem, one
finding" shows: a fixture for one rule that also trips a sibling of the same family must say so in its
table. The exact-set assertion stops at the family boundary on purpose: a trust fixture without a CORS
document is not a CORS fixture, and requiring every fixture to be clean in all eight families would make
each table restate the same unrelated findings. Those other families are still pinned, finding by
finding, by the snapshot.

The snapshot, ``tests/snapshots/rules/HGxxx/<fixture>.json``, holds the full output for the fixture (exit
code, input errors, every finding of every rule with severity, pointer, line, column, message and fix), so
a change to any message or fix is a reviewable diff. To rewrite the snapshots after an intended change:
``HUBGATE_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_rule_fixtures.py`` (then review ``git diff``).
The snapshot pins today's output, known bugs included (``KNOWN_FIXTURE_BUGS``: there the table states the
intended findings and the table test is a strict xfail), so a fix shows up as a diff to review.

Rows named ``pass-malformed-*`` are the cfn-lint "malformed input" row: input broken in a way another rule
(or the loader, exit 2) owns; the directory's rule must stay silent.
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from hubgate.check import check_paths, exit_code
from hubgate.findings import SEVERITIES

from conftest import FIXTURES, REPO, TESTS
from rulehelpers import load_rules

RULES = load_rules()
RULE_FIXTURES = FIXTURES / "rules"
SNAPSHOTS = TESTS / "snapshots" / "rules"
UPDATE = os.environ.get("HUBGATE_UPDATE_SNAPSHOTS") == "1"

# Fixtures that show a rule bug: strict xfail, so a fix makes the test XPASS and fail until the entry goes.
KNOWN_FIXTURE_BUGS: dict[str, str] = {}


def _fixture_files() -> list[Path]:
    """Bundles and CloudFormation templates (``*.yaml``) and Terraform plans (``*.plan.json``, whose top level
    carries ``x-expect`` like a bundle's); other files are documents the fixtures reference."""
    return sorted([*RULE_FIXTURES.glob("HG*/*.yaml"), *RULE_FIXTURES.glob("HG*/*.plan.json")])


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _params(with_bugs: bool = True):
    out = []
    for path in _fixture_files():
        key = _key(path)
        marks = ()
        if with_bugs and key in KNOWN_FIXTURE_BUGS:
            marks = (pytest.mark.xfail(strict=True, reason=KNOWN_FIXTURE_BUGS[key]),)
        out.append(pytest.param(path, id=key, marks=marks))
    return out


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads CloudFormation's short tags (``!Ref``, ``!Sub``...) as their plain values: the tests
    only need the ``x-*`` keys."""


def _untagged(loader, _suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _untagged)


def _data(path: Path) -> dict:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    assert isinstance(data, dict), f"{path} is not a mapping"
    assert "x-expect" in data, f"{path} has no x-expect block"
    return data


def _expectations(path: Path) -> list[dict]:
    return _data(path)["x-expect"] or []


def _family(path: Path) -> str:
    return path.parent.name[:3]  # HG101 -> HG1


def _paths(path: Path) -> list[str]:
    siblings = _data(path).get("x-organization") or []
    assert all(s.endswith(".bundle.json") for s in siblings), siblings
    return [str(p.relative_to(REPO)) for p in [path, *(path.parent / s for s in siblings)]]


IAC_ENV = ("HUBGATE_IAC_ROLE", "HUBGATE_IAC_ACCOUNT_ID", "HUBGATE_IAC_EXTERNAL_ID", "HUBGATE_IAC_REGION",
           "HUBGATE_IAC_PROFILE")


@pytest.fixture(autouse=True)
def _no_iac_environment(monkeypatch):
    """Templates are read as they are, whatever the developer's shell sets for hubgate's IaC options."""
    for k in IAC_ENV:
        monkeypatch.delenv(k, raising=False)


def _check(path: Path, monkeypatch):
    """The report and secrets of ``hubgate check`` over the fixture, from the repository root. Computed once per
    fixture and shared by the tests below (they only read it)."""
    monkeypatch.chdir(REPO)
    return _checked(path)


@functools.cache
def _checked(path: Path):
    return check_paths(_paths(path), fail_on="error")


# ----------------------------------------------------------------------------------------- coverage


def test_every_rule_has_pass_and_fail_fixtures():
    missing = []
    for rid in RULES:
        names = [p.name for p in _fixture_files() if p.parent.name == rid]
        if not any(n.startswith("fail-") for n in names):
            missing.append(f"{rid}: no fail-*.yaml")
        if not any(n.startswith("pass-") for n in names):
            missing.append(f"{rid}: no pass-*.yaml")
    assert missing == []


def test_every_fixture_directory_is_a_registered_rule():
    dirs = {p.name for p in RULE_FIXTURES.iterdir() if p.is_dir()}
    assert dirs - set(RULES) == set(), "fixture directories for rules that do not exist"


def test_every_family_has_a_malformed_input_row():
    families = {rid[:3] for rid in RULES}
    with_row = {_family(p) for p in _fixture_files() if p.name.startswith("pass-malformed-")}
    assert families - with_row == set()


def test_every_known_bug_names_a_fixture():
    keys = {_key(p) for p in _fixture_files()}
    assert set(KNOWN_FIXTURE_BUGS) - keys == set(), "KNOWN_FIXTURE_BUGS names fixtures that do not exist"


def test_every_snapshot_belongs_to_a_fixture():
    fixtures = {f"{p.parent.name}/{p.stem}.json" for p in _fixture_files()}  # stem: a.plan.json -> a.plan
    snaps = {f"{p.parent.name}/{p.name}" for p in SNAPSHOTS.glob("HG*/*.json")}
    assert snaps - fixtures == set(), "stale snapshots (fixture renamed or removed?)"


@pytest.mark.parametrize("path", _params(with_bugs=False))
def test_fixture_table_is_consistent(path):
    """The expectation table itself: a fail fixture expects its rule, a pass fixture never does; every
    expected rule is registered and of the fixture's family; every expected file exists."""
    rid = path.parent.name
    assert path.name.startswith(("pass-", "fail-")), f"{path.name}: name must start with pass- or fail-"
    expected = _expectations(path)
    rules = {e["rule"] for e in expected}
    if path.name.startswith("fail-"):
        assert rid in rules, f"{path.name} is a failing fixture but does not expect {rid}"
    else:
        assert rid not in rules, f"{path.name} is a passing fixture but expects {rid}"
    assert rules <= set(RULES), f"unknown rule ids {sorted(rules - set(RULES))}"
    assert {r[:3] for r in rules} <= {_family(path)}, "x-expect lists only the fixture's own family"
    for e in expected:
        assert set(e) <= {"rule", "file", "pointer", "line", "column"}, e
        assert (path.parent / e["file"]).is_file(), f"x-expect names a missing file {e['file']}"
        assert e["pointer"] == "" or e["pointer"].startswith("/"), e
        assert ("line" in e) == ("column" in e), f"give line and column together: {e}"
    exit_ = _data(path).get("x-expect-exit")
    assert exit_ in (None, 0, 1, 2)
    if exit_ == 2:
        assert path.name.startswith("pass-malformed-"), "only malformed-input rows expect exit 2"


# ---------------------------------------------------------------------------------------- findings


@pytest.mark.parametrize("path", _params())
def test_rule_fixture(path, monkeypatch):
    """The family's findings are exactly the table (rule, file, pointer; line/column where given)."""
    data = _data(path)
    report, _ = _check(path, monkeypatch)
    if data.get("x-expect-exit") == 2:
        assert report.errors, "expected the loader to refuse this input"
    else:
        assert report.errors == [], [str(e) for e in report.errors]
    family = _family(path)
    expected = _expectations(path)

    def key(rule: str, file: Path, pointer: str):
        return (rule, file.resolve(), pointer)

    # a multiset: one rule may report two things at one place (e.g. an error and an info)
    actual = Counter(key(f.rule, REPO / f.file, f.pointer) for f in report.findings if f.rule.startswith(family))
    want = Counter(key(e["rule"], path.parent / e["file"], e["pointer"]) for e in expected)
    assert actual == want, (
        f"unexpected findings: {sorted((k[0], k[2]) for k in (actual - want).elements())}; "
        f"missing: {sorted((k[0], k[2]) for k in (want - actual).elements())}"
    )
    own = [f for f in report.findings if f.rule == path.parent.name]
    if path.name.startswith("pass-"):
        assert own == []
    for f in report.findings:
        if not f.rule.startswith(family):
            continue
        assert f.severity in SEVERITIES
        assert f.help == f"hubgate rules {f.rule}"
        assert f.message.strip() and f.fix and f.fix.strip(), f"{f.rule} {f.pointer}: empty message or fix"
    for e in expected:
        if "line" in e:
            k = key(e["rule"], path.parent / e["file"], e["pointer"])
            places = {(f.line, f.column) for f in report.findings if key(f.rule, REPO / f.file, f.pointer) == k}
            assert places == {(e["line"], e["column"])}, f"{e['rule']} {e['pointer']}"
    if "x-expect-exit" in data:
        assert exit_code(report) == data["x-expect-exit"]


@pytest.mark.parametrize(
    "path", [p for p in _params(with_bugs=False) if "x-expect-exit" in _data(p.values[0])]
)
def test_rule_fixture_exit_code_through_cli(path, hubgate):
    """The rows that state an exit code, through the real command line."""
    data = _data(path)
    run = hubgate("check", *_paths(path), "--format", "json")
    assert run.code == data["x-expect-exit"], run.output
    assert "Traceback" not in run.output
    if run.code != 2:
        assert path.parent.name not in {f["rule"] for f in run.json()["findings"]}


# --------------------------------------------------------------------------------------- snapshots


def _snapshot_doc(path: Path, monkeypatch) -> dict:
    report, _ = _check(path, monkeypatch)
    return {
        "fixture": _paths(path),
        "exit": exit_code(report),
        "input_errors": [str(e) for e in report.errors],
        "findings": [
            {
                "rule": f.rule, "severity": f.severity, "file": f.file, "pointer": f.pointer,
                "line": f.line, "column": f.column, "message": f.message, "fix": f.fix,
            }
            for f in report.findings
        ],
    }


@pytest.mark.parametrize("path", _params(with_bugs=False))
def test_rule_fixture_snapshot(path, monkeypatch):
    """Every rule over the fixture, compared with the stored snapshot, finding by finding."""
    doc = _snapshot_doc(path, monkeypatch)
    assert str(REPO) not in json.dumps(doc), "snapshots hold repository-relative paths only"
    snap = SNAPSHOTS / path.parent.name / f"{path.stem}.json"
    if UPDATE:
        snap.parent.mkdir(parents=True, exist_ok=True)
        snap.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert snap.exists(), f"no snapshot {snap}; run with HUBGATE_UPDATE_SNAPSHOTS=1 to create it"
    stored = json.loads(snap.read_text(encoding="utf-8"))
    assert doc["exit"] == stored["exit"] and doc["input_errors"] == stored["input_errors"]
    assert doc["findings"] == stored["findings"], f"findings for {doc['fixture']} differ from {snap}"
    own = [f for f in doc["findings"] if f["rule"] == path.parent.name]
    assert bool(own) == path.name.startswith("fail-"), "snapshot disagrees with the fixture's name"


# ------------------------------------------------------------------------------------------ depth


@pytest.mark.parametrize("path", _params(with_bugs=False))
def test_no_secret_in_any_finding(path, monkeypatch):
    """Keys, SAS signatures and private keys in a fixture never reach a message or a fix, even before the
    CLI's last-line masking (HG403, HG612, HG711 say "value not shown")."""
    report, secrets = _check(path, monkeypatch)
    secrets = [s for s in secrets if len(s) >= 8]
    for f in report.findings:
        for s in secrets:
            assert s not in f.message and s not in (f.fix or ""), f"{f.rule} {f.pointer} shows a secret"


def test_fixtures_with_secrets_exist_and_are_recognised(monkeypatch):
    """The secrets test above is not vacuous: the key, SAS and key-file fixtures hand their secrets over."""
    for name in ("HG403/fail-swapped.yaml", "HG711/fail-url-other-account.yaml", "HG612/pass-key-file.yaml"):
        _, secrets = _check(RULE_FIXTURES / name, monkeypatch)
        assert secrets, f"{name}: no secret recognised"


def _messages(key: str, rule: str, monkeypatch) -> list[str]:
    report, _ = _check(RULE_FIXTURES / key, monkeypatch)
    found = [f.message for f in report.findings if f.rule == rule]
    assert found, f"{key} gives no {rule} finding"
    return found


def test_hg501_message_for_text_names_what_the_file_is(monkeypatch):
    for message in _messages("HG501/fail-not-json-text.yaml", "HG501", monkeypatch):
        assert "is not an array, not a JSON array" not in message
        assert message == "The manifest's top level is plain text, not a JSON array of assets"


def test_hg712_message_uses_the_right_article(monkeypatch):
    for message in _messages("HG712/fail-aws-fields.yaml", "HG712", monkeypatch):
        assert "a azure bundle" not in message
        assert "an azure bundle does not use it" in message


@pytest.mark.parametrize("text, kind", [("42\n", "a number"), ("-1.5", "a number"),
                                        ("cats/cat.jpg\n", "plain text")])
def test_hg501_message_for_a_scalar_manifest(text, kind, tmp_path, hubgate):
    path = tmp_path / "assets.json"
    path.write_text(text, encoding="utf-8")
    run = hubgate("manifest", str(path), "--format", "json")
    assert run.code == 1, run.output
    messages = [f["message"] for f in run.json()["findings"] if f["rule"] == "HG501"]
    assert messages == [f"The manifest's top level is {kind}, not a JSON array of assets"]
