"""Suppressions (bundle x-hubgate-ignore, per-path config) and baselines, end to end through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgate.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def docs(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples" / "ango-docs", tmp_path / "ango-docs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    r = CliRunner().invoke(cli, ["check", *args])
    return r


def rules_of(output):
    return sorted(f["rule"] for f in json.loads(output)["findings"])


def test_baseline_fails_only_on_new_findings(docs):
    r = check("ango-docs", "--write-baseline", "base.json")
    assert r.exit_code == 0, r.output
    recorded = json.loads((docs / "base.json").read_text())["findings"]
    assert {e["rule"] for e in recorded} >= {"HG103", "HG109"}
    r = check("ango-docs", "--baseline", "base.json", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["findings"] == []
    # a new problem: write access added to the policy
    pol = json.loads((docs / "ango-docs" / "policy.json").read_text())
    pol["Statement"][0]["Action"].append("s3:PutObject")
    (docs / "ango-docs" / "policy.json").write_text(json.dumps(pol, indent=4))
    r = check("ango-docs", "--baseline", "base.json", "--format", "json")
    assert r.exit_code == 1
    assert rules_of(r.output) == ["HG101"]


def test_baseline_survives_reformatting(docs):
    assert check("ango-docs", "--write-baseline", "base.json").exit_code == 0
    pol = json.loads((docs / "ango-docs" / "policy.json").read_text())
    (docs / "ango-docs" / "policy.json").write_text(json.dumps(pol))  # one line: every line number changes
    r = check("ango-docs", "--baseline", "base.json")
    assert r.exit_code == 0, r.output


def test_bad_baseline_is_exit_2(docs):
    (docs / "base.json").write_text("[]")
    r = check("ango-docs", "--baseline", "base.json")
    assert r.exit_code == 2 and "not a hubgate baseline" in r.output


def test_per_path_ignore_needs_reason_and_suppresses(docs):
    (docs / "pyproject.toml").write_text(
        '[tool.hubgate]\n[[tool.hubgate.per-path-ignores]]\npath = "ango-docs/*"\nrules = ["HG109"]\n'
    )
    r = check("ango-docs")
    assert r.exit_code == 2 and "needs a reason" in r.output
    (docs / "pyproject.toml").write_text(
        '[tool.hubgate]\n[[tool.hubgate.per-path-ignores]]\npath = "ango-docs/*"\nrules = ["HG109"]\n'
        'reason = "docs pasted as printed"\n'
    )
    r = check("ango-docs", "--format", "json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert "HG109" not in rules_of(r.output) and "HG103" in rules_of(r.output)
    assert {f["rule"] for f in out["suppressed"]} >= {"HG109"}
    assert all(f["suppressed"] == "docs pasted as printed" for f in out["suppressed"] if f["rule"] == "HG109")


def test_dot_hubgate_toml_fail_on_and_ignore(docs):
    (docs / ".hubgate.toml").write_text('ignore = ["HG103", "HG109"]\nfail-on = "info"\n')
    r = check("ango-docs", "--format", "json")
    assert "HG103" not in rules_of(r.output) and "HG109" not in rules_of(r.output)
    (docs / ".hubgate.toml").write_text('colour = "yes"\n')
    r = check("ango-docs")
    assert r.exit_code == 2 and "unknown hubgate setting 'colour'" in r.output


def test_bundle_ignore_requires_reason(docs):
    bundle = docs / "ango-docs" / "integration.yaml"
    text = bundle.read_text()
    bundle.write_text(text + "x-hubgate-ignore:\n  - rule: HG109\n")
    r = check("ango-docs")
    assert r.exit_code == 2 and "reason" in r.output
    bundle.write_text(text + "x-hubgate-ignore:\n  - rule: HG109\n    reason: known placeholders\n  - rule: HG103\n    reason: typo in the docs\n    pointer: /Statement/0/Resource/3\n")
    r = check("ango-docs", "--format", "json")
    out = json.loads(r.output)
    hg103 = [f["pointer"] for f in out["findings"] if f["rule"] == "HG103"]
    assert hg103 == ["/Statement/0/Resource/2"]  # only the pointer-scoped one was suppressed
    assert "HG109" not in rules_of(r.output)
