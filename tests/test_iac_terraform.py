"""Terraform plans (`terraform show -json`): discovery, assembly into bundles, findings at resource addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubgate.check import check_paths, exit_code
from hubgate.discover import discover
from hubgate.iac import IacOptions
from hubgate.iac.terraform import is_plan, load_plan
from hubgate.source import parse_text

from conftest import EXAMPLES, REPO
from iachelpers import IAC, gen, in_child_module, verdicts

GOOD = IAC / "good" / "plan.json"
BROKEN = IAC / "broken" / "plan.json"

@pytest.fixture(autouse=True)
def _env(iac_env):
    """Every test here runs in an environment without HUBGATE_IAC_* settings."""


def write(tmp_path: Path, plan: dict, name: str = "plan.json", indent: int | None = 2) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(plan, indent=indent), encoding="utf-8")
    return p


def findings(path, **kw):
    report, _ = check_paths([str(path)], fail_on="info", **kw)
    assert report.errors == [], [str(e) for e in report.errors]
    return report.findings


def test_fixtures_are_current():
    """The committed plans are what generate_plans.py writes."""
    assert json.loads(GOOD.read_text()) == gen.good()
    assert json.loads(BROKEN.read_text()) == gen.broken()


def test_detects_plans_only():
    assert is_plan(gen.good()) and is_plan({"format_version": "1.2", "resource_changes": []})
    assert not is_plan({"format_version": "1.0"})  # `terraform show -json` of a state has only values
    assert not is_plan({"Statement": []}) and not is_plan([])


def test_good_plan_is_clean():
    assert findings(GOOD) == []
    assert exit_code(check_paths([str(GOOD)])[0]) == 0


def test_good_plan_assembles_the_bundle_of_examples_good():
    doc = parse_text(GOOD.read_text(), str(GOOD))
    [b] = load_plan(doc, IacOptions())
    assert b.name == "AngoHubReadOnly"
    assert b.role_arn == "arn:aws:iam::123456789012:role/AngoHubReadOnly"  # account from aws_caller_identity
    assert b.external_id == "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"  # from the trust policy's condition
    assert b.region == "eu-central-1"  # provider region via var.region
    assert [x.name for x in b.buckets] == ["acme-labeling-images", "acme-labeling-video"]
    assert all(x.cors is not None and x.region == "eu-central-1" for x in b.buckets)
    # the trust policy came from the role's assume_role_policy string; the permission policy from the
    # aws_iam_policy reached through the attachment's configuration reference (its ARN is unknown)
    assert b.trust_policy.doc.base == "/planned_values/root_module/resources/2/values/assume_role_policy"
    assert b.permission_policy.doc.base == "/planned_values/root_module/resources/1/values/policy"
    assert b.file == str(GOOD)


def test_broken_plan_findings_point_at_resources():
    fs = findings(BROKEN)
    got = {(f.rule, f.pointer) for f in fs}
    assert got == {
        ("HG202", "/planned_values/root_module/resources/0/values/assume_role_policy/Statement/0"),
        ("HG101", "/planned_values/root_module/resources/1/values/policy/Statement/0/Action/3"),
        ("HG101", "/planned_values/root_module/resources/1/values/policy/Statement/0/Action/4"),
        ("HG302", "/planned_values/root_module/resources/2/CORSRules/0/AllowedOrigins"),
        ("HG304", "/planned_values/root_module/resources/2/CORSRules/0/AllowedOrigins/0"),
    }
    lines = BROKEN.read_text().splitlines()
    for f in fs:
        assert f.file == str(BROKEN.relative_to(REPO))
        text = lines[f.line - 1]
        if f.rule == "HG101":
            assert text.strip().startswith('"policy": "{\\"Statement') and "PutObject" in text
        if f.rule == "HG202":
            assert text.strip().startswith('"assume_role_policy"')
        if f.rule == "HG304":
            assert "https://hub.ango.io" in text  # the origin itself, in the bucket's inline cors_rule
    # the storage record's external ID is not in the plan: HG405 is suppressed with the reason, HG202 stands
    report, _ = check_paths([str(BROKEN)])
    assert [f.rule for f in report.suppressed] == ["HG405"]
    assert "not of the infrastructure code" in report.suppressed[0].suppressed


def test_minified_plan_positions_are_columns(tmp_path):
    """`terraform show -json` prints one line: positions are line 1 and the value's column."""
    p = write(tmp_path, gen.broken(), indent=None)
    text = p.read_text()
    fs = [f for f in findings(p) if f.rule == "HG101"]
    assert fs and all(f.line == 1 for f in fs)
    assert text[fs[0].column - 1:].startswith('"{\\"Statement')


def test_same_findings_as_the_hand_written_bundle():
    assert verdicts([BROKEN]) == verdicts([EXAMPLES / "broken"])
    assert verdicts([GOOD]) == verdicts([EXAMPLES / "good"]) == set()


def test_cli_check_plan(hubgate):
    run = hubgate("check", str(BROKEN.relative_to(REPO)), "--format", "json")
    assert run.code == 1
    rules = sorted(f["rule"] for f in run.json()["findings"])
    assert rules == ["HG101", "HG101", "HG202", "HG302", "HG302", "HG304"]
    assert hubgate("check", str(GOOD.relative_to(REPO))).code == 0


def test_policy_document_data_source_and_unknown_values(tmp_path):
    """assume_role_policy unknown at plan time -> the aws_iam_policy_document's json via the reference."""
    plan = gen.good()
    role = plan["planned_values"]["root_module"]["resources"][2]
    del role["values"]["assume_role_policy"]
    fs = findings(write(tmp_path, plan))
    assert fs == []
    doc = parse_text((tmp_path / "plan.json").read_text(), "plan.json")
    [b] = load_plan(doc, IacOptions())
    assert b.trust_policy.doc.base == "/prior_state/values/root_module/resources/1/values/json"


def test_unknown_policy_is_reported_and_never_passes(tmp_path):
    plan = gen.good()
    pol = plan["planned_values"]["root_module"]["resources"][1]
    del pol["values"]["policy"]  # e.g. jsonencode() over a computed ARN
    fs = findings(write(tmp_path, plan))
    rules = {f.rule for f in fs}
    assert "HG801" in rules
    assert "HG102" in rules  # no permission document at all: Hub's required reads are not shown to be granted
    hg801 = [f for f in fs if f.rule == "HG801"]
    assert any("aws_iam_policy.ango_hub_read.policy is not known until apply" in f.message for f in hg801)
    assert all(f.severity == "info" for f in hg801)


def test_account_unknown_uses_placeholder_with_info(tmp_path):
    plan = gen.good()
    plan["prior_state"]["values"]["root_module"]["resources"].pop(0)  # no aws_caller_identity
    fs = findings(write(tmp_path, plan))
    assert [f.rule for f in fs] == ["HG801"]
    assert "000000000000" in fs[0].message
    doc = parse_text((tmp_path / "plan.json").read_text(), "plan.json")
    [b] = load_plan(doc, IacOptions(account_id="210987654321"))
    assert b.role_arn == "arn:aws:iam::210987654321:role/AngoHubReadOnly"


def test_inline_policy_blocks_and_managed_policy_arns(tmp_path):
    plan = gen.good()
    res = plan["planned_values"]["root_module"]["resources"]
    read = res[1]["values"]["policy"]
    res[2]["values"]["inline_policy"] = [{"name": "read", "policy": read}]
    res[2]["values"]["managed_policy_arns"] = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    del res[0]  # no attachment
    fs = findings(write(tmp_path, plan))
    assert {f.rule for f in fs} == {"HG801"}
    assert any("AmazonS3ReadOnlyAccess" in f.message and "not defined in the plan" in f.message for f in fs)


def test_several_policies_are_merged_with_their_own_pointers(tmp_path):
    plan = gen.good()
    res = plan["planned_values"]["root_module"]["resources"]
    write_pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-labeling-images/*"}]}
    res.append(gen.resource("aws_iam_role_policy.extra", "aws_iam_role_policy", "extra", {
        "name": "extra", "policy": json.dumps(write_pol), "role": "AngoHubReadOnly"}))
    fs = findings(write(tmp_path, plan))
    [f] = fs
    assert f.rule == "HG101"
    assert f.pointer == "/planned_values/root_module/resources/7/values/policy/Statement/0/Action"


def test_child_modules_and_module_references(tmp_path):
    plan = in_child_module(gen.good())
    p = write(tmp_path, plan)
    assert findings(p) == []
    [b] = load_plan(parse_text(p.read_text(), str(p)), IacOptions())
    assert b.permission_policy.doc.base.startswith("/planned_values/root_module/child_modules/0/resources/")


def test_role_option_selects_and_unknown_role_is_an_input_error(tmp_path, monkeypatch):
    doc = parse_text(BROKEN.read_text(), str(BROKEN))
    assert [b.name for b in load_plan(doc, IacOptions(roles=("aws_iam_role.hub",)))] == ["AngoHubBroken"]
    monkeypatch.setenv("HUBGATE_IAC_ROLE", "NoSuchRole")
    report, _ = check_paths([str(BROKEN)])
    assert exit_code(report) == 2
    assert "no IAM role named NoSuchRole" in str(report.errors[0])


def test_plan_without_a_hub_role_is_an_input_error(tmp_path):
    plan = gen.good()
    for r in plan["planned_values"]["root_module"]["resources"]:
        if r["type"] == "aws_iam_role":
            r["values"]["assume_role_policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    p = write(tmp_path, plan)
    report, _ = check_paths([str(p)])
    assert exit_code(report) == 2
    msg = str(report.errors[0])
    assert "no IAM role whose trust policy allows arn:aws:iam::397578311638:user/angohub-delegate" in msg
    assert "aws_iam_role.ango_hub" in msg


def test_malformed_policy_json_is_an_input_error(tmp_path):
    plan = gen.good()
    plan["planned_values"]["root_module"]["resources"][1]["values"]["policy"] = "{not json"
    report, _ = check_paths([str(write(tmp_path, plan))])
    assert exit_code(report) == 2
    assert "/planned_values/root_module/resources/1/values/policy: policy is not valid JSON" in str(report.errors[0])


def test_directory_of_plans_without_bundles(tmp_path):
    write(tmp_path, gen.broken(), "broken.json")
    write(tmp_path, gen.good(), "good.json")
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    found = discover([str(tmp_path)], IacOptions())
    assert found.errors == [] and found.files == 2
    assert sorted(t.bundle.name for t in found.targets) == ["AngoHubBroken", "AngoHubReadOnly"]


def test_wildcard_bucket_resources_pick_the_plan_buckets(tmp_path):
    plan = gen.good()
    res = plan["planned_values"]["root_module"]["resources"]
    res[1]["values"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
        "Resource": ["arn:aws:s3:::acme-labeling-*", "arn:aws:s3:::acme-labeling-*/*"]}]})
    [b] = load_plan(parse_text(write(tmp_path, plan).read_text(), "plan.json"), IacOptions())
    assert [x.name for x in b.buckets] == ["acme-labeling-images", "acme-labeling-video"]
    assert "HG105" in {f.rule for f in findings(tmp_path / "plan.json")}


def test_bucket_outside_the_plan_is_reported_not_passed(tmp_path):
    plan = gen.good()
    res = plan["planned_values"]["root_module"]["resources"]
    res[1]["values"]["policy"] = res[1]["values"]["policy"].replace("acme-labeling-video", "legacy-bucket")
    fs = findings(write(tmp_path, plan))
    assert {f.rule for f in fs} >= {"HG801", "HG301"}
    assert any("'legacy-bucket' is granted by the policy but not defined" in f.message for f in fs)
