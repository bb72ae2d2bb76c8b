"""Every rule proves itself (cfn-guard style): its own failing/passing examples, and file fixtures.

1. The examples each rule carries (``fail_examples``/``pass_examples``) are run through the engine: every
   failing example must produce at least one finding of that rule, every passing example none.
2. ``tests/fixtures/rules/HGxxx/{pass,fail}-*.yaml`` are real bundles on disk (policies referenced as JSON
   files or inline YAML). Each carries its expected findings in ``x-expect`` (the bundle schema forbids
   unknown keys other than ``x-*``): the exact set of (rule, file, pointer) of the HG1 findings, with line
   and column where given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from hubgate.bundle import bundle_from_data
from hubgate.check import check_paths
from hubgate.findings import SEVERITIES
from hubgate.iam.policy import normalise
from hubgate.rules import Target, all_rules, run_rules
from hubgate.source import parse_text

from conftest import FIXTURES, REPO, hg1_ids

RULES = all_rules()
RULE_FIXTURES = FIXTURES / "rules"

# Known core bugs, tracked here so the suite stays green until they are fixed. Strict: once fixed, the
# test XPASSes and fails, so the entry must be removed. (Empty: the last one, HG104 missing s3:ListBucket
# granted only on object ARNs, was fixed in hubgate.iam.actions.resource_type_regex.)
KNOWN_EXAMPLE_BUGS: dict[tuple[str, str, int], str] = {}
KNOWN_FIXTURE_BUGS: dict[str, str] = {}

def _targets(example) -> list[Target]:
    """A mapping is one bundle; a mapping with ``Statement`` a bare policy; a list of mappings an organization."""
    try:
        from hubgate.example import example_targets
    except ImportError:  # older core: no organization examples
        example_targets = None
    if example_targets is not None:
        return example_targets(example)
    if isinstance(example, dict) and "Statement" in example:
        return [Target("policy", policy=normalise(parse_text(json.dumps(example, indent=2), "<inline>")))]
    bundle = bundle_from_data(example)
    return [Target("bundle", bundle=bundle, organization=[bundle])]


def _example_params(kind: str):
    out = []
    for rid, rule in RULES.items():
        for i, _ in enumerate(getattr(rule, f"{kind}_examples")):
            marks = ()
            if (rid, kind, i) in KNOWN_EXAMPLE_BUGS:
                marks = (pytest.mark.xfail(strict=True, reason=KNOWN_EXAMPLE_BUGS[(rid, kind, i)]),)
            out.append(pytest.param(rid, i, id=f"{rid}-{kind}-{i}", marks=marks))
    return out


@pytest.mark.parametrize("rid,index", _example_params("fail"))
def test_fail_example_fires(rid, index):
    example = RULES[rid].fail_examples[index]
    findings = run_rules(_targets(example))
    fired = sorted({f.rule for f in findings})
    assert rid in fired, f"{rid} failing example {index} did not fire {rid} (fired: {fired})"
    for f in findings:
        if f.rule == rid:
            assert f.severity in SEVERITIES
            assert f.message and f.pointer is not None and f.help == f"hubgate rules {rid}"


@pytest.mark.parametrize("rid,index", _example_params("pass"))
def test_pass_example_is_clean(rid, index):
    example = RULES[rid].pass_examples[index]
    findings = run_rules(_targets(example))
    own = [f"{f.pointer}: {f.message}" for f in findings if f.rule == rid]
    assert own == [], f"{rid} passing example {index} fired {rid}: {own}"


@pytest.mark.parametrize("rid", list(RULES))
def test_rule_is_documented(rid):
    rule = RULES[rid]
    assert re.fullmatch(r"HG\d{3}", rule.id) and rule.id == rid
    assert rule.severity in SEVERITIES
    for attr in ("title", "what", "why", "fix"):
        assert getattr(rule, attr).strip(), f"{rid} has an empty {attr}"
    assert len(rule.fail_examples) >= 1, f"{rid} has no failing example"
    assert len(rule.pass_examples) >= 1, f"{rid} has no passing example"


@pytest.mark.parametrize("rid", list(RULES))
def test_rules_command_prints_documentation(rid, hubgate):
    rule = RULES[rid]
    run = hubgate("rules", rid.lower())
    assert run.code == 0, run.output
    text = run.stdout
    headings = ["What it checks", "Why it matters", "Failing example", "Passing example", "Fix"]
    positions = [text.find(f"\n{h}\n") for h in headings]
    assert all(p >= 0 for p in positions), f"missing headings in `hubgate rules {rid}`:\n{text}"
    assert positions == sorted(positions), "sections out of order"
    assert text.startswith(f"{rid} {rule.title} ({rule.severity})")
    assert " ".join(rule.what.split()) in " ".join(text.split())
    assert " ".join(rule.why.split()) in " ".join(text.split())
    assert rule.fix in text
    # the examples are printed as JSON documents
    fail_block = text[positions[2] + len("\nFailing example\n"):positions[3]]
    pass_block = text[positions[3] + len("\nPassing example\n"):positions[4]]
    assert isinstance(json.loads(fail_block), (dict, list))
    assert isinstance(json.loads(pass_block), (dict, list))
    assert json.loads(fail_block) != json.loads(pass_block)


def test_rules_catalogue_lists_every_rule(hubgate):
    run = hubgate("rules")
    assert run.code == 0
    listed = re.findall(r"^(HG\d{3})\s", run.stdout, flags=re.M)
    assert listed == list(RULES)


def test_rules_json_catalogue_matches_registry(hubgate):
    run = hubgate("rules", "--format", "json")
    assert [r["id"] for r in run.json()] == list(RULES)


def test_unknown_rule_id_is_exit_2(hubgate):
    run = hubgate("rules", "HG999")
    assert run.code == 2
    assert "HG999" in run.stderr and "Traceback" not in run.output


# ---------------------------------------------------------------------------------------------- fixtures

def _fixture_files() -> list[Path]:
    return sorted(RULE_FIXTURES.glob("HG*/*.yaml"))


def _fixture_params():
    out = []
    for path in _fixture_files():
        key = f"{path.parent.name}/{path.name}"
        marks = (pytest.mark.xfail(strict=True, reason=KNOWN_FIXTURE_BUGS[key]),) if key in KNOWN_FIXTURE_BUGS else ()
        out.append(pytest.param(path, id=key, marks=marks))
    return out


def _expectations(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "x-expect" in data, f"{path} has no x-expect block"
    return data["x-expect"] or []


def test_every_hg1_rule_has_pass_and_fail_fixtures():
    from hubgate.rules import all_rules

    wanted = {f"HG1{n:02d}" for n in range(1, 12)}
    assert wanted <= set(all_rules()), "HG101-HG111 must all be registered"
    for rid in sorted(wanted):
        files = [p.name for p in (RULE_FIXTURES / rid).glob("*.yaml")]
        assert any(n.startswith("fail-") for n in files), f"no failing fixture for {rid}"
        assert any(n.startswith("pass-") for n in files), f"no passing fixture for {rid}"


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in _fixture_files()])
def test_fixture_table_is_consistent(path):
    """The expectation table itself: a fail fixture expects its rule, a pass fixture never does."""
    rid = path.parent.name
    expected_rules = {e["rule"] for e in _expectations(path)}
    if path.name.startswith("fail-"):
        assert rid in expected_rules
    else:
        assert path.name.startswith("pass-")
        assert rid not in expected_rules


@pytest.mark.parametrize("path", _fixture_params())
def test_rule_fixture(path, monkeypatch):
    monkeypatch.chdir(REPO)
    shown = path.relative_to(REPO)
    report, _ = check_paths([str(shown)], select=hg1_ids())
    assert report.errors == [], [str(e) for e in report.errors]
    expected = _expectations(path)

    def key(file: str, rule: str, pointer: str):
        return (rule, (REPO / file).resolve(), pointer)

    actual = {key(f.file, f.rule, f.pointer): f for f in report.findings}
    want = {(e["rule"], (path.parent / e["file"]).resolve(), e["pointer"]): e for e in expected}
    assert set(actual) == set(want), (
        f"unexpected findings: {sorted((k[0], k[2]) for k in set(actual) - set(want))}; "
        f"missing: {sorted((k[0], k[2]) for k in set(want) - set(actual))}"
    )
    for k, e in want.items():
        f = actual[k]
        if "line" in e:
            assert (f.line, f.column) == (e["line"], e["column"]), f"{k[0]} {k[2]}"
        assert f.severity == RULES[f.rule].severity
        assert f.help == f"hubgate rules {f.rule}"
