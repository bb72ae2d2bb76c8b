"""Bare policy files judged as what they are: a trust policy by the trust rules, a permission policy by every
HG1xx rule that does not need a bundle's bucket list (its buckets taken from its own ARNs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hubgate.check import check_paths, exit_code
from hubgate.discover import discover
from hubgate.example import EXTERNAL_ID, HUB_PRINCIPAL, read_policy
from hubgate.iam.policy import normalise
from hubgate.rules import Target, is_trust_policy, skipped_rules
from hubgate.source import parse_text

from conftest import EXAMPLES

READ = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]


def trust(principal=None, condition=None, action="sts:AssumeRole") -> dict:
    st = {"Effect": "Allow", "Principal": principal or {"AWS": HUB_PRINCIPAL}, "Action": action}
    if condition is None:
        condition = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def permission(actions, resources) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}


def reversed_keys(value):
    """The same document with every mapping's keys in the opposite order."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


FORMS = {
    "compact.json": lambda d: json.dumps(d, separators=(",", ":")),
    "pretty.json": lambda d: json.dumps(d, indent=4),
    "reordered.json": lambda d: json.dumps(reversed_keys(d), indent=2),
    "policy.yaml": lambda d: yaml.safe_dump(d, sort_keys=False),
    "reordered.yml": lambda d: yaml.safe_dump(reversed_keys(d), sort_keys=True),
}


def write(tmp_path: Path, name: str, data: dict) -> Path:
    p = tmp_path / name
    p.write_text(FORMS[name](data), encoding="utf-8")
    return p


def rules_of(path: Path, **kw) -> list[str]:
    report, _ = check_paths([str(path)], fail_on="info", **kw)
    assert report.errors == [], [str(e) for e in report.errors]
    return sorted(f.rule for f in report.findings)


# --------------------------------------------------------------------------------------------- trust


@pytest.mark.parametrize("form", FORMS)
def test_bare_trust_with_any_principal_is_hg201(tmp_path, form):
    got = rules_of(write(tmp_path, form, trust(principal="*")))
    assert got == ["HG201"]


@pytest.mark.parametrize("form", FORMS)
def test_bare_trust_with_aws_star_and_no_external_id(tmp_path, form):
    got = rules_of(write(tmp_path, form, trust(principal={"AWS": "*"}, condition={})))
    assert got == ["HG201", "HG202"]


@pytest.mark.parametrize("form", FORMS)
def test_bare_trust_without_external_id_is_hg202(tmp_path, form):
    p = write(tmp_path, form, trust(condition={}))
    report, _ = check_paths([str(p)])
    [f] = report.findings
    assert (f.rule, f.pointer) == ("HG202", "/Statement/0")
    assert f.message == (f"Statement 0 lets {HUB_PRINCIPAL} call sts:AssumeRole with no sts:ExternalId condition")
    assert exit_code(report) == 1


def test_bare_trust_account_root_weak_condition_and_extra_actions(tmp_path):
    doc = trust(principal={"AWS": "arn:aws:iam::397578311638:root"},
                condition={"StringLike": {"sts:ExternalId": "6f0b*"}}, action=["sts:AssumeRole", "sts:*"])
    assert rules_of(write(tmp_path, "pretty.json", doc)) == ["HG201", "HG203", "HG205"]


def test_the_docs_trust_policy_passes_the_trust_rules(tmp_path):
    assert rules_of(write(tmp_path, "pretty.json", trust())) == []
    assert rules_of(EXAMPLES / "good" / "trust.json") == []


def test_the_docs_placeholder_trust_is_hg109_only(tmp_path):
    assert rules_of(EXAMPLES / "ango-docs" / "trust.json") == ["HG109"]


def test_record_rules_are_skipped_with_reasons():
    """HG204 and HG206 judge the storage record's external ID: a bare trust policy has none."""
    doc = parse_text(json.dumps(trust(condition={"StringEquals": {"sts:ExternalId": "abc"}})), "trust.json")
    target = Target("policy", policy=normalise(doc))
    assert target.policy_kind == "trust"
    skipped = skipped_rules(target)
    assert [s.rule for s in skipped] == ["HG204", "HG206"]
    assert all(s.file == "trust.json" and "storage record" in s.reason for s in skipped)
    assert str(skipped[0]).startswith("trust.json: HG204 skipped: it compares the trust policy with")
    assert skipped_rules(target, select={"HG201", "HG206"}) == skipped[1:]
    assert skipped_rules(target, ignore={"HG204", "HG206"}) == []


def test_skipped_rules_through_check_paths(tmp_path):
    p = write(tmp_path, "pretty.json", trust())
    q = write(tmp_path, "policy.yaml", read_policy("b"))
    skipped: list = []
    check_paths([str(p), str(q)], skipped=skipped)
    assert [(s.file, s.rule) for s in skipped] == [(str(p), "HG204"), (str(p), "HG206"), (str(q), "HG108")]
    skipped = []
    check_paths([str(EXAMPLES / "good")], skipped=skipped)
    assert skipped == []  # a bundle runs every rule


def test_verbose_names_skipped_rules_on_stderr(tmp_path, hubgate):
    """`hubgate check -v` says on stderr which rules did not run on a bare policy; without -v it says nothing."""
    p = write(tmp_path, "pretty.json", trust())
    quiet = hubgate("check", str(p), "--format", "json")
    loud = hubgate("check", str(p), "--format", "json", "--verbose")
    assert quiet.code == loud.code == 0
    assert "skipped" not in quiet.stderr
    assert "HG204 skipped: it compares the trust policy with" in loud.stderr
    assert "HG206 skipped" in loud.stderr
    assert quiet.stdout == loud.stdout


# ---------------------------------------------------------------------------------------- permission


@pytest.mark.parametrize("form", FORMS)
def test_bare_bucket_arn_without_objects_is_hg103(tmp_path, form):
    p = write(tmp_path, form, permission(READ, ["arn:aws:s3:::b"]))
    report, _ = check_paths([str(p)], fail_on="info")
    got = {(f.rule, f.pointer) for f in report.findings}
    assert ("HG103", "/Statement/0/Resource/0") in got
    assert ("HG104", "/Statement/0/Action/0") in got  # s3:GetObject only on the bucket ARN
    hg104 = next(f for f in report.findings if f.rule == "HG104")
    assert hg104.fix == "Grant 's3:GetObject' on \"arn:aws:s3:::b/*\""  # the policy's own bucket


@pytest.mark.parametrize("form", FORMS)
def test_bare_put_object_is_hg101(tmp_path, form):
    p = write(tmp_path, form, permission(READ + ["s3:PutObject"], ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]))
    report, _ = check_paths([str(p)])
    [f] = report.findings
    assert (f.rule, f.pointer) == ("HG101", "/Statement/0/Action/3")
    assert f.message == "Action 's3:PutObject' is not read-only (access level Write)"


def test_bare_missing_action_placeholder_deny_and_wide_resources(tmp_path):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::your-bucket-name", "arn:aws:s3:::your-bucket-name/*"]},
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::your-bucket-name/private/*"},
    ]}
    report, _ = check_paths([str(write(tmp_path, "pretty.json", doc))], fail_on="info")
    got = sorted((f.rule, f.pointer) for f in report.findings)
    assert got == [
        ("HG102", "/Statement/0/Action"),  # s3:GetBucketLocation
        ("HG105", "/Statement/1/Resource"),  # "*"
        ("HG109", "/Statement/0/Resource/0"),
        ("HG109", "/Statement/0/Resource/1"),
        ("HG109", "/Statement/2/Resource"),
        ("HG110", "/Statement/2/Action"),
    ]


def test_wildcard_bucket_names_are_wide_but_own_buckets_are_not(tmp_path):
    doc = permission(READ, ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::logs-*", "arn:aws:s3:::logs-*/*"])
    report, _ = check_paths([str(write(tmp_path, "pretty.json", doc))], fail_on="info")
    assert sorted((f.rule, f.pointer) for f in report.findings) == [
        ("HG105", "/Statement/0/Resource/2"), ("HG105", "/Statement/0/Resource/3")]
    assert report.findings[0].fix == 'Use only "arn:aws:s3:::b", "arn:aws:s3:::b/*"'


def test_the_docs_read_policy_passes(tmp_path):
    assert rules_of(write(tmp_path, "policy.yaml", read_policy("b", "c"))) == []
    assert rules_of(EXAMPLES / "good" / "policy.json") == []


def test_permission_rules_do_not_run_on_a_trust_policy_nor_trust_rules_on_a_permission_policy(tmp_path):
    """A correct trust policy has no s3 actions (no HG102) and sts:AssumeRole is not HG101's; a read policy
    names no principal (no HG201)."""
    trust_target = Target("policy", policy=normalise(parse_text(json.dumps(trust()), "t.json")))
    assert (trust_target.trust_policy, trust_target.permission_policy) == (trust_target.policy, None)
    perm_target = Target("policy", policy=normalise(parse_text(json.dumps(read_policy()), "p.json")))
    assert (perm_target.trust_policy, perm_target.permission_policy) == (None, perm_target.policy)
    assert perm_target.bucket_names == ["my-bucket"]
    assert [s.rule for s in skipped_rules(perm_target)] == ["HG108"]


@pytest.mark.parametrize("doc,trust_policy", [
    (trust(), True),
    (trust(principal={"Service": "ec2.amazonaws.com"}, condition={}), True),
    (trust(action="sts:*"), True),
    (trust(action="sts:AssumeRoleWithWebIdentity"), False),
    ({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"}]}, True),
    # a bucket policy names principals and resources
    ({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}, False),
    # an identity policy that lets its user assume a role
    (permission("sts:AssumeRole", "arn:aws:iam::123456789012:role/r"), False),
    (read_policy(), False),
])
def test_trust_policy_classification(doc, trust_policy):
    assert is_trust_policy(normalise(parse_text(json.dumps(doc), "p.json")), "sts:AssumeRole") is trust_policy


def test_directory_without_bundle_judges_each_file_as_what_it_is(tmp_path):
    write(tmp_path, "pretty.json", trust(principal="*"))
    write(tmp_path, "policy.yaml", permission(READ, ["arn:aws:s3:::b"]))
    (tmp_path / "notes.yaml").write_text("hello: world\n")
    found = discover([str(tmp_path)])
    assert found.errors == [] and found.files == 2
    assert sorted(t.policy_kind for t in found.targets) == ["permission", "trust"]
    report, _ = check_paths([str(tmp_path)])
    got = {(Path(f.file).name, f.rule) for f in report.findings}
    assert ("pretty.json", "HG201") in got and ("policy.yaml", "HG103") in got
    assert not any(name == "pretty.json" and rule.startswith("HG1") for name, rule in got)


def test_cli_check_bare_trust(hubgate, tmp_path):
    p = write(tmp_path, "pretty.json", trust(principal="*"))
    run = hubgate("check", str(p), "--format", "json")
    assert run.code == 1
    assert [f["rule"] for f in run.json()["findings"]] == ["HG201"]


def test_explain_decides_the_trust_side_of_a_bare_trust_policy(hubgate):
    run = hubgate("explain", str(EXAMPLES / "good" / "trust.json"), "--external-id", EXTERNAL_ID)
    assert run.code == 0 and run.stdout.startswith(f"ALLOWED: {HUB_PRINCIPAL} calls sts:AssumeRole")
    run = hubgate("explain", str(EXAMPLES / "good" / "trust.json"), "--external-id", "someone-else")
    assert run.code == 1 and run.stdout.startswith("DENIED")
