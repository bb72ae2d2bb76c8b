"""``hubgate check --fix`` / ``--diff`` end to end: each fixable rule's failing examples are fixed (the rule
stops firing, a second run changes nothing, the file stays valid, nothing outside the fixed values moves);
what needs a human is left and named; unwritable files lose nothing; a shared file is fixed once."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from fix_support import assert_only_lines_changed, container_lines

from hubgate.fix.fixers import FIXERS
from hubgate.rules import all_rules

from conftest import EXAMPLES, FIXTURES

RULES = all_rules()
# failing examples a fixer must leave for a human: wildcards and NotAction (which read actions to keep?)
NEEDS_A_HUMAN = {("HG101", 0), ("HG101", 2), ("HG101", 3)}
EXAMPLES_OF = [(rid, i) for rid in sorted(FIXERS) for i in range(len(RULES[rid].fail_examples))]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _findings(hubgate, cwd: Path, *paths: str) -> list[dict]:
    run = hubgate("check", "--format", "json", *paths, cwd=cwd)
    assert run.code in (0, 1), run.output
    return run.json()["findings"]


def _write_bundle(tmp: Path, example: dict, fmt: str) -> str:
    name = "integration.json" if fmt == "json" else "integration.yaml"
    text = json.dumps(example, indent=2) + "\n" if fmt == "json" else yaml.safe_dump(example, sort_keys=False)
    (tmp / name).write_text(text)
    return name


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("rid,index", EXAMPLES_OF, ids=[f"{r}-{i}" for r, i in EXAMPLES_OF])
def test_rule_failing_examples_are_fixed(hubgate, tmp_path, rid, index, fmt):
    name = _write_bundle(tmp_path, RULES[rid].fail_examples[index], fmt)
    before_text = (tmp_path / name).read_text()
    before = [f for f in _findings(hubgate, tmp_path, name) if f["rule"] == rid]
    assert before, f"{rid} example {index} does not fail"
    run = hubgate("check", "--fix", name, cwd=tmp_path)
    after_text = (tmp_path / name).read_text()
    after = [f for f in _findings(hubgate, tmp_path, name) if f["rule"] == rid]
    if (rid, index) in NEEDS_A_HUMAN:  # the wildcard stays where it was (other rules' fixes may apply)
        assert [f["message"] for f in after] == [f["message"] for f in before]
        assert f"{rid} x{len(after)}" in run.stderr and "not fixable automatically" in run.stderr
        return
    assert not after, after
    assert "Fixed " in run.stderr
    (json.loads if fmt == "json" else yaml.safe_load)(after_text)  # still valid, JSON still JSON
    parents = sorted({f["pointer"].rsplit("/", 1)[0] if f["pointer"].rsplit("/", 1)[-1].isdigit() else f["pointer"]
                      for f in before})
    assert_only_lines_changed(before_text, after_text, container_lines(before_text, parents))
    again = hubgate("check", "--fix", name, cwd=tmp_path)
    assert (tmp_path / name).read_text() == after_text  # idempotent
    assert "Fixed 0 finding(s)" in again.stderr


def _copy(src: Path, tmp: Path) -> Path:
    dst = tmp / src.name
    shutil.copytree(src, dst)
    return dst


def test_fixture_bundles_hg101_to_hg103(hubgate, tmp_path):
    expect_left = {"HG101/fail-notaction.yaml", "HG101/fail-s3-star.yaml", "HG103/fail-docs-typo.yaml"}
    fixed_some = 0
    for rid in ("HG101", "HG102", "HG103"):
        d = _copy(FIXTURES / "rules" / rid, tmp_path)
        for bundle in sorted(d.glob("fail-*.yaml")):
            before = _snapshot(d)
            hubgate("check", "--fix", bundle.name, cwd=d)
            left = [f for f in _findings(hubgate, d, bundle.name) if f["rule"] == rid]
            key = f"{rid}/{bundle.name}"
            if key in expect_left:
                assert left and _snapshot(d) == before, key
                continue
            assert not left, (key, left)
            changed = [k for k in before if _snapshot(d)[k] != before[k]]
            assert changed and all(k.endswith(".policy.json") for k in changed), (key, changed)
            for k in changed:
                json.loads((d / k).read_text())
            fixed_some += 1
    assert fixed_some == 3  # put-object, no-location, object-only


def test_broken_example_fixed_and_what_is_left(hubgate, tmp_path):
    d = _copy(EXAMPLES / "broken", tmp_path)
    original = _snapshot(d)
    run = hubgate("check", "--fix", "broken", cwd=tmp_path)
    assert run.code == 0, run.output  # only HG304, a warning, remains
    assert "Fixed 5 finding(s); 1 remain (not fixable automatically): HG304 x1" in run.stderr
    assert [f["rule"] for f in _findings(hubgate, tmp_path, "broken")] == ["HG304"]
    policy = json.loads((d / "policy.json").read_text())
    assert policy["Statement"][0]["Action"] == ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    trust = json.loads((d / "trust.json").read_text())
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90"}}
    cors = json.loads((d / "cors" / "images.json").read_text())
    assert set(cors["CORSRules"][0]["AllowedOrigins"]) == {"https://hub.ango.io", "https://hub.ango.ai",
                                                           "https://api.ango.ai"}
    for name, ptrs in {"policy.json": ["/Statement/0/Action"], "trust.json": ["/Statement/0"],
                       "cors/images.json": ["/CORSRules/0/AllowedOrigins"]}.items():
        old = original[name].decode()
        assert_only_lines_changed(old, (d / name).read_text(), container_lines(old, ptrs))
    assert (d / "integration.yaml").read_bytes() == original["integration.yaml"]
    fixed = _snapshot(d)
    hubgate("check", "--fix", "broken", cwd=tmp_path)
    assert _snapshot(d) == fixed


def test_diff_writes_nothing_masks_the_external_id_and_exits_1(hubgate, tmp_path):
    d = _copy(EXAMPLES / "broken", tmp_path)
    original = _snapshot(d)
    run = hubgate("check", "--diff", "broken", cwd=tmp_path)
    assert run.code == 1
    assert _snapshot(d) == original
    assert "--- a/broken/policy.json" in run.stdout and '-                "s3:PutObject",' in run.stdout
    assert '+                    "sts:ExternalId": "****"' in run.stdout
    assert "0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90" not in run.output
    assert "Would fix 5 finding(s); 1 not fixable automatically: HG304 x1" in run.stderr
    hubgate("check", "--fix", "broken", cwd=tmp_path)
    clean = hubgate("check", "--diff", "broken", cwd=tmp_path)
    assert clean.code == 0 and clean.stdout == ""


def test_diff_masks_secrets_in_context_lines(hubgate, tmp_path):
    from hubgate.example import EXAMPLE_SECRET, iam_user_bundle, policy, statement

    bundle = iam_user_bundle(permission_policy=policy(statement(
        ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject"],
        ["arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket"])))
    bundle = {"secret_access_key": bundle.pop("secret_access_key"), **bundle}  # right above the policy's lines
    (tmp_path / "integration.yaml").write_text(yaml.safe_dump(bundle, sort_keys=False))
    run = hubgate("check", "--diff", "integration.yaml", cwd=tmp_path)
    assert run.code == 1 and "-    - s3:PutObject" in run.stdout
    assert EXAMPLE_SECRET not in run.output


def test_ango_docs_nothing_mechanical_everything_named(hubgate, tmp_path):
    d = _copy(EXAMPLES / "ango-docs", tmp_path)
    original = _snapshot(d)
    run = hubgate("check", "--fix", "-v", "ango-docs", cwd=tmp_path)
    assert run.code == 1
    assert _snapshot(d) == original  # the typo and the placeholders need a person
    assert "Fixed 0 finding(s); 12 remain (not fixable automatically): HG103 x2, HG109 x8, HG301 x2" in run.stderr
    assert "HG103 not fixed (/Statement/0/Resource/2): a bucket name looks misspelt" in run.stderr


def test_weak_or_environment_external_id_is_not_written(hubgate, tmp_path):
    from hubgate.example import good_bundle, trust_policy

    for ext, env in (("12345", {}), ("${env:HUB_EXT_ID}", {"HUB_EXT_ID": "9d0c3c8e-6b7a-4f0e-a1d2-52c3e4f5a6b7"})):
        (tmp_path / "integration.yaml").write_text(yaml.safe_dump(
            good_bundle(external_id=ext, trust_policy=trust_policy(condition={})), sort_keys=False))
        before = (tmp_path / "integration.yaml").read_text()
        run = hubgate("check", "--fix", "integration.yaml", cwd=tmp_path, env=env)
        assert run.code == 1 and "HG202 x1" in run.stderr
        assert (tmp_path / "integration.yaml").read_text() == before


def test_shared_policy_is_fixed_once(hubgate, tmp_path):
    shared = tmp_path / "common"
    shared.mkdir()
    pol = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketLocation"],
        "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}]}
    (shared / "policy.json").write_text(json.dumps(pol, indent=4))
    from hubgate.example import cors, good_bundle

    for team in ("a", "b"):
        (tmp_path / team).mkdir()
        data = good_bundle(name=f"team-{team}", permission_policy="../common/policy.json",
                           buckets=[{"name": "b", "cors": cors()}])
        (tmp_path / team / "integration.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    # the teams' bundles share a policy beside their directories: references outside a bundle's tree need
    # --allow-outside-refs
    assert [f["rule"] for f in _findings(hubgate, tmp_path, "--allow-outside-refs", "a", "b")] == ["HG101", "HG101"]
    run = hubgate("check", "--fix", "--allow-outside-refs", "a", "b", cwd=tmp_path)
    assert run.code == 0 and "Fixed 2 finding(s); none remain" in run.stderr, run.output
    pol["Statement"][0]["Action"] = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    assert (shared / "policy.json").read_text() == json.dumps(pol, indent=4)


def test_read_only_file_loses_nothing(hubgate, tmp_path):
    d = _copy(EXAMPLES / "broken", tmp_path)
    os.chmod(d / "trust.json", 0o444)
    original = _snapshot(d)
    run = hubgate("check", "--fix", "broken", cwd=tmp_path)
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "trust.json: cannot write: the file is read-only" in run.stderr
    assert _snapshot(d) == original  # no file written, not even the writable ones


def test_failed_replace_loses_nothing_and_leaves_no_temp_file(hubgate, tmp_path, monkeypatch):
    d = _copy(EXAMPLES / "broken", tmp_path)
    os.chmod(d / "policy.json", 0o640)
    original = _snapshot(d)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("hubgate.fix.run.os.replace", refuse)
    run = hubgate("check", "--fix", "broken", cwd=tmp_path)
    assert run.code == 2 and "cannot write: Permission denied; the file is unchanged" in run.stderr
    assert run.stderr.strip().count("\n") == 0
    assert _snapshot(d) == original
    monkeypatch.undo()
    hubgate("check", "--fix", "broken", cwd=tmp_path)
    assert stat.S_IMODE((d / "policy.json").stat().st_mode) == 0o640  # the mode is kept
    assert sorted(_snapshot(d)) == sorted(original)  # no temporary file left behind


def test_fix_and_write_baseline_together_is_a_usage_error(hubgate, tmp_path):
    run = hubgate("check", "--fix", "--write-baseline", "b.json", str(EXAMPLES / "broken"), cwd=tmp_path)
    assert run.code == 2 and "do not go together" in run.output


@pytest.mark.parametrize("name", ["plan.json", "template.yaml"])
def test_infrastructure_code_is_left_to_its_source(hubgate, tmp_path, name):
    d = _copy(FIXTURES / "iac" / "broken", tmp_path)
    original = _snapshot(d)
    run = hubgate("check", "--fix", "-v", name, cwd=d)
    assert run.code == 1 and _snapshot(d) == original
    assert "Fixed 0 finding(s)" in run.stderr and "HG101 x2" in run.stderr
    assert "fix its source" in run.stderr


def test_get_is_not_added_to_a_wildcard_origin_rule(hubgate, tmp_path):
    from hubgate.example import good_bundle

    rules = {"CORSRules": [{"AllowedOrigins": ["https://*.ango.ai"], "AllowedMethods": ["PUT"]}]}
    (tmp_path / "integration.yaml").write_text(yaml.safe_dump(
        good_bundle(buckets=[{"name": "my-bucket", "cors": rules}]), sort_keys=False))
    before = (tmp_path / "integration.yaml").read_text()
    run = hubgate("check", "--fix", "-v", "integration.yaml", cwd=tmp_path)
    assert "HG303 x1" in run.stderr and "allows origins by wildcard" in run.stderr
    assert (tmp_path / "integration.yaml").read_text() == before


COMMENTED_BUNDLE = """\
# hand-written bundle: comments, odd key order, quoting on purpose
provider: aws
name: commented            # the storage's name in Hub
external_id: "9d0c3c8e-6b7a-4f0e-a1d2-52c3e4f5a6b7"
access_type: iam-delegated
role_arn: arn:aws:iam::123456789012:role/AngoHubReadOnly
region: eu-central-1
trust_policy:
  Statement:
  - Action: sts:AssumeRole     # no condition yet
    Principal: {AWS: "arn:aws:iam::397578311638:user/angohub-delegate"}
    Effect: Allow
  Version: '2012-10-17'
permission_policy:
  Version: '2012-10-17'
  Statement:
    - Resource:
        - arn:aws:s3:::my-bucket   # the object ARN is missing
      Effect: Allow
      Action: [s3:GetObject, s3:PutObject, s3:ListBucket, s3:GetBucketLocation]
buckets:
  - name: my-bucket
    cors:
      CORSRules:
        - AllowedMethods: [GET]
          AllowedOrigins:
            - https://hub.ango.ai
# end of bundle
"""


def test_yaml_bundle_with_comments_is_fixed_in_place(hubgate, tmp_path):
    (tmp_path / "integration.yaml").write_text(COMMENTED_BUNDLE)
    run = hubgate("check", "--fix", "integration.yaml", cwd=tmp_path)
    assert run.code == 0, run.output
    assert "Fixed 4 finding(s); none remain" in run.stderr
    want = COMMENTED_BUNDLE.replace(
        "    Effect: Allow\n  Version", "    Effect: Allow\n    Condition:\n      StringEquals:\n"
        "        sts:ExternalId: 9d0c3c8e-6b7a-4f0e-a1d2-52c3e4f5a6b7\n  Version").replace(
        "missing\n", "missing\n        - arn:aws:s3:::my-bucket/*\n").replace(
        "s3:PutObject, ", "").replace(
        "            - https://hub.ango.ai\n", "            - https://hub.ango.ai\n            - https://api.ango.ai\n")
    assert (tmp_path / "integration.yaml").read_text() == want


def test_bare_tab_indented_policy(hubgate, tmp_path):
    pol = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
        "s3:GetObject", "s3:ListBucket", "s3:PutObjectAcl"], "Resource": ["arn:aws:s3:::b/*"]}]}
    (tmp_path / "policy.json").write_text(json.dumps(pol, indent="\t") + "\n")
    run = hubgate("check", "--fix", "policy.json", cwd=tmp_path)
    pol["Statement"][0]["Action"] = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    pol["Statement"][0]["Resource"].append("arn:aws:s3:::b")
    assert (tmp_path / "policy.json").read_text() == json.dumps(pol, indent="\t") + "\n"
    assert run.code == 0, run.output
