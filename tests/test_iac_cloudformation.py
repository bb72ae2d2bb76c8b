"""CloudFormation templates: short-form tags, static resolution of intrinsics, findings at logical ids."""

from __future__ import annotations

import json

import pytest

from hubgate.check import check_paths, exit_code
from hubgate.iac import IacOptions
from hubgate.iac.cloudformation import is_template, load_template, parse_template

from conftest import EXAMPLES, REPO
from iachelpers import IAC, verdicts

GOOD = IAC / "good" / "template.yaml"
BROKEN = IAC / "broken" / "template.yaml"
UNRESOLVED = IAC / "cfn" / "unresolved.yaml"


@pytest.fixture(autouse=True)
def _env(iac_env):
    """Every test here runs in an environment without HUBGATE_IAC_* settings."""


def findings(path):
    report, _ = check_paths([str(path)], fail_on="info")
    assert report.errors == [], [str(e) for e in report.errors]
    return report.findings


def load(path, **opts):
    return load_template(parse_template(path.read_text(), str(path)), IacOptions(**opts))


def test_detection():
    assert is_template({"AWSTemplateFormatVersion": "2010-09-09"})
    assert is_template({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    assert not is_template({"Resources": {"B": {"Type": "Custom::Thing"}}})
    assert not is_template({"name": "x", "provider": "aws"})


def test_every_short_form_tag_loads_with_positions():
    text = (
        "Resources:\n"
        "  X:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      A: !Ref P\n"
        "      B: !Sub 'x-${P}'\n"
        "      C: !GetAtt Y.Arn\n"
        "      D: !Join ['-', [a, !Ref P]]\n"
        "      E: !If [Cond, a, !Ref AWS::NoValue]\n"
        "      F: !Select [0, !Split [',', 'a,b']]\n"
        "      G: !FindInMap [M, k, v]\n"
        "      H: !ImportValue other\n"
        "      I: !GetAZs ''\n"
        "      J: !Base64 abc\n"
        "      K: !Equals [a, b]\n"
        "      L: !Not [!Condition C]\n"
        "      M: !And [!Or [!Condition C, !Condition D], !Condition E]\n"
        "      N: !Cidr [10.0.0.0/16, 2, 8]\n"
        "      O: !Transform {Name: m}\n"
        "      Q: !GetAtt [Y, Arn]\n"
    )
    doc = parse_template(text, "t.yaml")
    props = doc.data["Resources"]["X"]["Properties"]
    assert props["A"] == {"Ref": "P"}
    assert props["B"] == {"Fn::Sub": "x-${P}"}
    assert props["C"] == {"Fn::GetAtt": ["Y", "Arn"]} == props["Q"]
    assert props["D"] == {"Fn::Join": ["-", ["a", {"Ref": "P"}]]}
    assert props["L"] == {"Fn::Not": [{"Condition": "C"}]}
    assert props["H"] == {"Fn::ImportValue": "other"}
    assert doc.positions["/Resources/X/Properties/D/Fn::Join/1/1"] == (8, 26)
    assert doc.positions["/Resources/X/Properties/A"] == (5, 10)


def test_good_template_matches_examples_good():
    [b] = load(GOOD, account_id="123456789012")
    assert b.name == "AngoHubReadOnly" and b.role_arn == "arn:aws:iam::123456789012:role/AngoHubReadOnly"
    assert b.external_id == "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"
    assert [x.name for x in b.buckets] == ["acme-labeling-images", "acme-labeling-video"]
    res = [i.value for s in b.permission_policy.statements for i in s.resources]
    assert res == ["arn:aws:s3:::acme-labeling-images/*", "arn:aws:s3:::acme-labeling-images",
                   "arn:aws:s3:::acme-labeling-video/*", "arn:aws:s3:::acme-labeling-video"]
    assert b.buckets[0].cors.data["CORSRules"][0]["MaxAgeSeconds"] == 3000


def test_good_template_is_clean_but_for_the_unknown_account(monkeypatch):
    fs = findings(GOOD)
    assert [(f.rule, f.pointer, f.line) for f in fs] == [("HG801", "/Resources/AngoHubRole", 44)]
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    assert findings(GOOD) == []


def test_broken_template_points_at_logical_ids_and_lines():
    fs = findings(BROKEN)
    lines = BROKEN.read_text().splitlines()
    got = {(f.rule, f.pointer) for f in fs if f.rule != "HG801"}
    assert got == {
        ("HG202", "/Resources/HubRole/Properties/AssumeRolePolicyDocument/Statement/0"),
        ("HG101", "/Resources/HubRole/Properties/Policies/0/PolicyDocument/Statement/0/Action/3"),
        ("HG101", "/Resources/HubRole/Properties/Policies/0/PolicyDocument/Statement/0/Action/4"),
        ("HG302", "/Resources/BrokenImages/Properties/CorsConfiguration/CORSRules/0/AllowedOrigins"),
        ("HG304", "/Resources/BrokenImages/Properties/CorsConfiguration/CORSRules/0/AllowedOrigins/0"),
    }
    for f in fs:
        if f.rule == "HG101":
            assert lines[f.line - 1].strip() in ("- s3:PutObject", "- s3:DeleteObject")
        if f.rule == "HG304":
            assert "https://hub.ango.io" in lines[f.line - 1]


def test_same_findings_as_the_hand_written_bundles(monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    assert verdicts([BROKEN]) == verdicts([EXAMPLES / "broken"])
    assert verdicts([GOOD]) == verdicts([EXAMPLES / "good"]) == set()


def test_json_template_gives_the_same_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    data = parse_template(BROKEN.read_text(), "t").data  # long forms: valid JSON template
    p = tmp_path / "broken.template.json"
    p.write_text(json.dumps(data, indent=2))
    assert verdicts([p]) == verdicts([BROKEN])


def test_unresolvable_values_are_reported_and_never_pass(monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    fs = findings(UNRESOLVED)
    info = {f.pointer: f.message for f in fs if f.rule == "HG801"}
    assert all(f.severity == "info" for f in fs if f.rule == "HG801")
    assert "/Resources/HubRole/Properties/Policies/0/PolicyDocument/Statement/0/Resource/0" in info
    assert "ImportValue" in info["/Resources/HubRole/Properties/Policies/0/PolicyDocument/Statement/0/Resource/0"]
    assert any("!If IsProd" in m for m in info.values())
    assert any("parameter ExternalId has no Default" in m for m in info.values())
    assert any("AmazonS3ReadOnlyAccess" in m for m in info.values())
    errors = {f.rule for f in fs if f.severity == "error"}
    # the unresolved resources and origins are not taken as correct
    assert {"HG104", "HG108", "HG302"} <= errors
    assert exit_code(check_paths([str(UNRESOLVED)])[0]) == 1


def test_conditions_and_parameters_resolve_when_the_template_decides(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    text = GOOD.read_text().replace(
        "Resources:\n",
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition IsProd]\n\nResources:\n",
    ).replace("Parameters:\n", "Parameters:\n  Env:\n    Type: String\n    Default: prod\n")
    text = text.replace("AllowedOrigins: [https://hub.ango.ai, https://api.ango.ai]",
                        "AllowedOrigins: !If [NotProd, ['*'], [https://hub.ango.ai, https://api.ango.ai]]")
    p = tmp_path / "t.yaml"
    p.write_text(text)
    assert verdicts([p]) == set()


def test_managed_policy_attached_through_its_roles_property(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")
    text = GOOD.read_text().replace("      ManagedPolicyArns:\n        - !Ref AngoHubReadPolicy\n", "")
    text = text.replace("      ManagedPolicyName: AngoHubReadOnly\n",
                        "      ManagedPolicyName: AngoHubReadOnly\n      Roles: [!Ref AngoHubRole]\n")
    p = tmp_path / "t.yaml"
    p.write_text(text)
    assert verdicts([p]) == set()
    [b] = load(p, account_id="1")
    assert b.permission_policy.doc.base == "/Resources/AngoHubReadPolicy/Properties/PolicyDocument"


def test_template_without_hub_role_is_an_input_error(tmp_path, hubgate):
    p = tmp_path / "t.yaml"
    p.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n")
    run = hubgate("check", str(p))
    assert run.code == 2
    assert "no IAM role whose trust policy allows" in run.output and "Traceback" not in run.output


def test_role_option(monkeypatch):
    monkeypatch.setenv("HUBGATE_IAC_ROLE", "AngoHubBroken")
    assert {f.rule for f in findings(BROKEN)} >= {"HG101", "HG202"}
    monkeypatch.setenv("HUBGATE_IAC_ROLE", "Nope")
    report, _ = check_paths([str(BROKEN)])
    assert exit_code(report) == 2 and "no IAM role named Nope" in str(report.errors[0])


def test_cli_check_template(hubgate):
    run = hubgate("check", str(BROKEN.relative_to(REPO)), "--format", "json")
    assert run.code == 1
    assert all(f["file"] == str(BROKEN.relative_to(REPO)) for f in run.json()["findings"])
