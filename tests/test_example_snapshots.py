"""The two shipped examples, end to end through the real CLI process, against stored JSON snapshots.

Only HG1 rules are selected, so rules added in other families do not churn the snapshots. To rewrite the
snapshots after an intended change: ``HUBGATE_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_example_snapshots.py``
(then review the diff).
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from conftest import REPO, TESTS, run_process

SNAPSHOTS = TESTS / "snapshots"
UPDATE = os.environ.get("HUBGATE_UPDATE_SNAPSHOTS") == "1"

CASES = {
    "ango-docs": ("examples/ango-docs", 1),
    "good": ("examples/good", 0),
}


def _check(example: str):
    path, _ = CASES[example]
    return run_process("check", path, "--format", "json", "--select", "HG1", cwd=REPO)


@pytest.fixture(scope="module")
def results():
    return {name: _check(name) for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
def test_snapshot(name, results):
    run = results[name]
    assert "Traceback" not in run.output
    assert run.code == CASES[name][1], run.output
    doc = run.json()
    snap = SNAPSHOTS / f"{name}.hg1.json"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        snap.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert snap.exists(), f"no snapshot {snap}; run with HUBGATE_UPDATE_SNAPSHOTS=1 to create it"
    stored = json.loads(snap.read_text(encoding="utf-8"))
    assert doc == stored, f"output of `hubgate check {CASES[name][0]} --format json --select HG1` differs from {snap}"


def test_docs_example_breaks_pairing_both_ways(results):
    findings = results["ango-docs"].json()["findings"]
    hg103 = [f for f in findings if f["rule"] == "HG103"]
    assert len(hg103) == 2
    assert {(f["file"], f["pointer"]) for f in hg103} == {
        ("examples/ango-docs/policy.json", "/Statement/0/Resource/2"),  # ...-optional-bucket-name/* has no bucket ARN
        ("examples/ango-docs/policy.json", "/Statement/0/Resource/3"),  # ...-optinal-bucket-name has no /*
    }
    by_ptr = {f["pointer"]: f for f in hg103}
    assert "your-second-optional-bucket-name" in by_ptr["/Statement/0/Resource/2"]["message"]
    assert "your-second-optinal-bucket-name" in by_ptr["/Statement/0/Resource/3"]["message"]
    # the fix names the misspelling
    assert "your-second-optinal-bucket-name" in by_ptr["/Statement/0/Resource/2"]["fix"]
    assert (by_ptr["/Statement/0/Resource/2"]["line"], by_ptr["/Statement/0/Resource/3"]["line"]) == (14, 15)


def test_docs_example_reports_placeholders(results):
    findings = results["ango-docs"].json()["findings"]
    hg109 = [f for f in findings if f["rule"] == "HG109"]
    per_file = Counter(f["file"] for f in hg109)
    assert per_file["examples/ango-docs/integration.yaml"] >= 3  # external_id and both bucket names
    assert per_file["examples/ango-docs/policy.json"] == 4  # every Resource ARN
    assert per_file["examples/ango-docs/trust.json"] == 1  # the external ID condition
    pointers = {(f["file"], f["pointer"]) for f in hg109}
    assert ("examples/ango-docs/integration.yaml", "/external_id") in pointers
    assert ("examples/ango-docs/trust.json", "/Statement/0/Condition/StringEquals/sts:ExternalId") in pointers
    summary = results["ango-docs"].json()["summary"]
    assert summary["findings"] == len(findings) and summary["error"] == len(findings)


def test_good_example_is_clean(results):
    doc = results["good"].json()
    assert results["good"].code == 0
    assert doc["findings"] == []
    assert doc["summary"]["files"] == 1 and doc["summary"]["input_errors"] == 0


def test_good_example_is_clean_with_every_rule():
    run = run_process("check", "examples/good", cwd=REPO)
    assert run.code == 0, run.output
    assert "0 error(s)" in run.stdout
