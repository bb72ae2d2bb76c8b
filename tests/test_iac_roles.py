"""Every role the vendor could assume is found in Terraform plans and CloudFormation templates: a role whose
trust takes in the vendor's user, its account (id or ``:root``), any principal, or that asks for an
``sts:ExternalId``. Such a role is judged like a bundle; a file without one is an input error."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from hubgate.check import check_paths, exit_code
from hubgate.iac import IacOptions
from hubgate.iac.assemble import vendor_could_assume
from hubgate.iac.cloudformation import load_template, parse_template
from hubgate.iac.terraform import load_plan
from hubgate.profile import builtin
from hubgate.source import parse_text

from conftest import EXAMPLES
from iachelpers import IAC, gen, in_child_module, verdicts

ROLES = IAC / "roles"
HUB = "arn:aws:iam::397578311638:user/angohub-delegate"
EXT = "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"

@pytest.fixture(autouse=True)
def _env(iac_env):
    """Every test here runs in an environment without HUBGATE_IAC_* settings."""


def trust(principal, condition: dict | None = None, action="sts:AssumeRole") -> dict:
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


EXT_COND = {"StringEquals": {"sts:ExternalId": EXT}}


@pytest.mark.parametrize("doc,could", [
    (trust({"AWS": HUB}), True),
    (trust({"AWS": [HUB]}), True),
    (trust("*"), True),
    (trust({"AWS": "*"}), True),
    (trust({"AWS": "397578311638"}), True),
    (trust({"AWS": "arn:aws:iam::397578311638:root"}), True),
    (trust({"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::397578311638:root"]}), True),
    (trust({"AWS": "arn:aws:iam::111122223333:role/partner"}, EXT_COND), True),  # asks for an external ID
    (trust({"AWS": "arn:aws:iam::111122223333:role/partner"}, {"stringequals": {"STS:EXTERNALID": EXT}}), True),
    ({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                     "Action": "sts:AssumeRole"}]}, True),
    (trust({"AWS": "arn:aws:iam::111122223333:root"}), False),
    (trust({"Service": "ec2.amazonaws.com"}), False),
    (trust({"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
           action="sts:AssumeRoleWithWebIdentity"), False),
    ({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}, False),
    ({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": HUB}, "Action": "sts:AssumeRole"}]}, False),
    # malformed: the vendor named anywhere makes it the integration's role, and assembling names the problem
    ({"Statement": [{"Effect": "Allow", "Principal": {"AWS": HUB}, "Action": "sts:AssumeRole", "Bogus": 1}]}, True),
    ({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Bogus": 1}]}, True),
    (trust({"AWS": 397578311638}), True),  # YAML's unquoted account id is a number
    (trust({"AWS": 111122223333}), False),
    ({"Statement": [{"Effect": "Allow", "Principal": {"AWS": 1}, "Action": "sts:AssumeRole",
                     "Condition": {"StringEquals": {"sts:ExternalId": EXT}}}]}, True),
    ({"Statement": "nonsense"}, False),
    ([], False),
])
def test_vendor_could_assume(doc, could):
    assert vendor_could_assume(doc, builtin()) is could


# ----------------------------------------------------------------------------------------------- Terraform


def plan_with_trust(doc: dict, child_module: bool = False) -> dict:
    """examples/good's plan with the role's trust replaced (its assume_role_policy and the policy document
    data source both), optionally with every resource in a child module ``module.hub``."""
    plan = gen.good()
    for r in plan["planned_values"]["root_module"]["resources"]:
        if r["type"] == "aws_iam_role":
            r["values"]["assume_role_policy"] = gen.pretty(doc)
    for r in plan["prior_state"]["values"]["root_module"]["resources"]:
        if r["type"] == "aws_iam_policy_document":
            r["values"]["json"] = gen.pretty(doc)
    return in_child_module(plan) if child_module else plan


def write(tmp_path: Path, data: dict, name: str = "plan.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return p


def found(path: Path, **kw) -> list[tuple[str, str]]:
    report, _ = check_paths([str(path)], fail_on="info", **kw)
    assert report.errors == [], [str(e) for e in report.errors]
    return sorted((f.rule, f.pointer) for f in report.findings)


ROLE = "/planned_values/root_module/resources/2/values/assume_role_policy"
CHILD_ROLE = "/planned_values/root_module/child_modules/0/resources/2/values/assume_role_policy"


@pytest.mark.parametrize("principal,where", [
    ("*", "/Statement/0/Principal"),
    ({"AWS": "*"}, "/Statement/0/Principal/AWS"),
    ({"AWS": "397578311638"}, "/Statement/0/Principal/AWS"),
    ({"AWS": "arn:aws:iam::397578311638:root"}, "/Statement/0/Principal/AWS"),
])
@pytest.mark.parametrize("child_module", [False, True], ids=["root", "child"])
def test_plan_role_trusting_more_than_hub_is_found(tmp_path, principal, where, child_module):
    p = write(tmp_path, plan_with_trust(trust(principal), child_module))
    base = CHILD_ROLE if child_module else ROLE
    assert found(p) == [("HG201", base + where), ("HG202", base + "/Statement/0")]
    report, _ = check_paths([str(p)])
    assert exit_code(report) == 1


def test_plan_role_asking_for_an_external_id_is_found(tmp_path):
    p = write(tmp_path, plan_with_trust(trust({"AWS": "arn:aws:iam::111122223333:role/partner"}, EXT_COND), True))
    assert found(p) == [("HG201", CHILD_ROLE + "/Statement/0/Principal/AWS")]


@pytest.mark.parametrize("principal", ["*", {"AWS": "397578311638"}])
def test_plan_is_judged_like_the_bundle(tmp_path, principal):
    """The plan gives the same verdicts as examples/good with the same trust policy."""
    doc = trust(principal, EXT_COND)
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "good", bundle)
    (bundle / "trust.json").write_text(json.dumps(doc, indent=2))
    p = write(tmp_path, plan_with_trust(doc))
    got = verdicts([p])
    assert got == verdicts([bundle])
    assert {r for r, _, _ in got} == {"HG201"}


def test_plan_without_a_role_the_vendor_could_assume_is_an_input_error(tmp_path):
    p = write(tmp_path, plan_with_trust(trust({"AWS": "arn:aws:iam::111122223333:root"}), True))
    report, _ = check_paths([str(p)])
    assert exit_code(report) == 2
    [e] = report.errors
    assert "has no IAM role whose trust policy allows " + HUB in str(e)
    assert "module.hub.aws_iam_role.ango_hub" in str(e)


def test_role_option_narrows_the_roles_found(tmp_path):
    plan = plan_with_trust(trust("*"))
    res = plan["planned_values"]["root_module"]["resources"]
    other = copy.deepcopy(next(r for r in res if r["type"] == "aws_iam_role"))
    other.update(address="aws_iam_role.partner", name="partner")
    other["values"].update(name="Partner", assume_role_policy=json.dumps(
        trust({"AWS": "arn:aws:iam::111122223333:role/partner"}, EXT_COND)))
    ec2 = copy.deepcopy(other)
    ec2.update(address="aws_iam_role.ec2", name="ec2")
    ec2["values"].update(name="Ec2", assume_role_policy=json.dumps(trust({"Service": "ec2.amazonaws.com"})))
    res += [other, ec2]
    doc = parse_text(write(tmp_path, plan).read_text(), "plan.json")
    assert [b.name for b in load_plan(doc, IacOptions())] == ["AngoHubReadOnly", "Partner"]
    assert [b.name for b in load_plan(doc, IacOptions(roles=("Partner",)))] == ["Partner"]
    assert [b.name for b in load_plan(doc, IacOptions(roles=("aws_iam_role.ec2",)))] == ["Ec2"]


# ------------------------------------------------------------------------------------------ CloudFormation

TRUST = "/Resources/HubRole/Properties/AssumeRolePolicyDocument"


@pytest.mark.parametrize("name,expected", [
    ("wildcard-short.yaml", [("HG201", TRUST + "/Statement/0/Principal")]),
    ("account-long.yaml", [("HG201", TRUST + "/Statement/0/Principal/AWS"), ("HG202", TRUST + "/Statement/0")]),
    ("account-id.json", [("HG201", TRUST + "/Statement/0/Principal/AWS"), ("HG202", TRUST + "/Statement/0")]),
])
def test_template_role_trusting_more_than_hub_is_found(name, expected):
    path = ROLES / name
    assert found(path, iac=IacOptions(account_id="123456789012")) == expected
    [b] = load_template(parse_template(path.read_text(), str(path)), IacOptions())
    assert b.buckets and all(x.cors is not None for x in b.buckets)  # intrinsics resolved: bucket and CORS
    assert [x.name for x in b.buckets] == [{"wildcard-short.yaml": "acme-aws-images",
                                            "account-long.yaml": "acme-long-images",
                                            "account-id.json": "acme-json-images"}[name]]


def test_template_external_id_literal_is_the_record_one():
    """A trust of "*" asking for a literal external ID: the record's external ID is that literal, so no
    HG405 is suppressed for want of one."""
    path = ROLES / "wildcard-short.yaml"
    [b] = load_template(parse_template(path.read_text(), str(path)), IacOptions())
    assert b.external_id == EXT
    report, _ = check_paths([str(path)])
    assert report.suppressed == []


def test_template_without_a_role_the_vendor_could_assume_is_an_input_error(tmp_path):
    text = (ROLES / "wildcard-short.yaml").read_text().replace('Principal: "*"', 'Principal: {AWS: "111122223333"}')
    text = text.replace("sts:ExternalId: !Ref ExternalId", "aws:SourceAccount: !Ref ExternalId")
    p = tmp_path / "template.yaml"
    p.write_text(text)
    report, _ = check_paths([str(p)])
    assert exit_code(report) == 2
    assert "roles: HubRole, BuildRole" in str(report.errors[0])
    report, _ = check_paths([str(p)], iac=IacOptions(roles=("HubRole",)))  # --role still finds it
    assert exit_code(report) == 1 and {f.rule for f in report.findings} == {"HG201", "HG801"}


def test_malformed_trust_of_the_vendor_is_reported_not_passed_over(tmp_path):
    """An unquoted account id in YAML is a number: the role is still the integration's, and the input error
    names what is wrong instead of claiming there is no such role."""
    text = (ROLES / "account-long.yaml").read_text()
    start = text.index("              AWS:\n")
    end = text.index("            Action: sts:AssumeRole")
    p = tmp_path / "template.yaml"
    p.write_text(text[:start] + "              AWS: 397578311638\n" + text[end:])
    report, _ = check_paths([str(p)])
    assert exit_code(report) == 2
    [e] = report.errors
    assert "Statement/0/Principal/AWS: Principal AWS must be a string or a list of strings" in str(e)


def test_plan_trust_from_a_policy_document_in_a_child_module(tmp_path):
    """assume_role_policy unknown at plan time: the child module's aws_iam_policy_document gives the trust."""
    plan = plan_with_trust(trust({"AWS": "*"}), child_module=True)
    del plan["planned_values"]["root_module"]["child_modules"][0]["resources"][2]["values"]["assume_role_policy"]
    p = write(tmp_path, plan)
    doc = "/prior_state/values/root_module/child_modules/0/resources/1/values/json"
    assert found(p) == [("HG201", doc + "/Statement/0/Principal/AWS"), ("HG202", doc + "/Statement/0")]


def test_existing_fixtures_keep_their_roles():
    for path, names in ((IAC / "good" / "template.yaml", ["AngoHubReadOnly"]),
                        (IAC / "broken" / "template.yaml", ["AngoHubBroken"]),
                        (IAC / "cfn" / "unresolved.yaml", ["HubRole"])):
        assert [b.name for b in load_template(parse_template(path.read_text(), str(path)), IacOptions())] == names
    for path, names in ((IAC / "good" / "plan.json", ["AngoHubReadOnly"]), (IAC / "broken" / "plan.json", ["AngoHubBroken"])):
        assert [b.name for b in load_plan(parse_text(path.read_text(), str(path)), IacOptions())] == names
