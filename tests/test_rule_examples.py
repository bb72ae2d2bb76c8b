"""Every rule proves itself (cfn-guard style): its own failing/passing examples.

The examples each rule carries (``fail_examples``/``pass_examples``) are run through the engine: every
failing example must produce at least one finding of that rule, every passing example none. The file
fixtures (``tests/fixtures/rules/HGxxx/{pass,fail}-*.yaml``) and their snapshots are tested by
``test_rule_fixtures.py``.
"""

from __future__ import annotations

import json
import re

import pytest

from hubgate.findings import SEVERITIES
from hubgate.rules import _REGISTRY, Rule, register, rule_docs, run_rules

from rulehelpers import example_targets, load_rules

RULES = load_rules()

# Known core bugs, tracked here so the suite stays green until they are fixed. Strict: once fixed, the
# test XPASSes and fails, so the entry must be removed. (Empty: the last one, HG104 missing s3:ListBucket
# granted only on object ARNs, was fixed in hubgate.iam.actions.resource_type_regex.)
KNOWN_EXAMPLE_BUGS: dict[tuple[str, str, int], str] = {}

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
    findings = run_rules(example_targets(example))
    fired = sorted({f.rule for f in findings})
    assert rid in fired, f"{rid} failing example {index} did not fire {rid} (fired: {fired})"
    for f in findings:
        if f.rule == rid:
            assert f.severity in SEVERITIES
            assert f.message and f.pointer is not None and f.help == f"hubgate rules {rid}"


@pytest.mark.parametrize("rid,index", _example_params("pass"))
def test_pass_example_is_clean(rid, index):
    example = RULES[rid].pass_examples[index]
    findings = run_rules(example_targets(example))
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


def test_rule_docstring_sections_become_the_documentation():
    doc = """Title on
    two lines

    ## What it checks
    One thing,
    wrapped.

    ## Why it matters
    Because.

    ## Fix
    Do this.

    ## Needs
    The record.
    """
    assert rule_docs(doc) == {"title": "Title on two lines", "what": "One thing, wrapped.", "why": "Because.",
                              "fix": "Do this.", "needs": "The record."}
    assert rule_docs(None) == {}  # python -OO: no docstrings, nothing read


def test_rule_docstring_with_a_misspelt_section_is_refused():
    with pytest.raises(ValueError, match="Why it maters"):
        rule_docs("Title\n\n## Why it maters\nBecause.\n")


def test_attribute_written_in_the_class_wins_over_the_docstring():
    @register("HG999", "info", references=(("page", "https://example.invalid/"),))
    class Demo(Rule):
        """Demo rule

        ## What it checks
        From the docstring.

        ## Fix
        Also from the docstring.
        """

        what = "From the attribute."

    try:
        assert (Demo.id, Demo.severity, Demo.title, Demo.what, Demo.fix) == (
            "HG999", "info", "Demo rule", "From the attribute.", "Also from the docstring.")
        assert Demo.references == (("page", "https://example.invalid/"),)
    finally:
        _REGISTRY.pop("HG999", None)
