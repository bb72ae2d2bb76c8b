"""`hubgate snapshot` against moto, and the four-way equivalence: the same integration as a hand-written
bundle, a Terraform plan, a CloudFormation template and a snapshot of the provisioned account gives the
same findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
from click.testing import CliRunner  # noqa: E402
from moto import mock_aws  # noqa: E402

from hubgate.check import check_paths  # noqa: E402
from hubgate.cli.snapshot import snapshot_command  # noqa: E402
from hubgate.iam.policy import normalise  # noqa: E402
from hubgate.snapshot import SNAPSHOT_POLICY  # noqa: E402
from hubgate.source import parse_text  # noqa: E402

from conftest import EXAMPLES, REPO  # noqa: E402
from iachelpers import IAC, verdicts  # noqa: E402


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for k in ("HUBGATE_IAC_ROLE", "HUBGATE_IAC_ACCOUNT_ID", "HUBGATE_IAC_EXTERNAL_ID", "HUBGATE_IAC_REGION",
              "HUBGATE_IAC_PROFILE", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.chdir(REPO)


@pytest.fixture
def aws(monkeypatch):
    """moto without IAM enforcement, whatever an earlier test (e.g. `prove`'s moto server, which switches
    moto's process-wide auth setting) left behind."""
    from moto import settings
    from moto.core.responses import ActionAuthenticatorMixin

    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", float("inf"))
    monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
    with mock_aws():
        yield


def provision(example: Path, managed: bool = True) -> dict:
    """Create in moto what a hand-written bundle describes: role + trust, policy, buckets + CORS."""
    bundle = yaml.safe_load((example / "integration.yaml").read_text())
    role_name = bundle["role_arn"].rsplit("/", 1)[1]
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=(example / bundle["trust_policy"]).read_text())
    doc = (example / bundle["permission_policy"]).read_text()
    if managed:
        arn = iam.create_policy(PolicyName=f"{role_name}Read", PolicyDocument=doc)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    else:
        iam.put_role_policy(RoleName=role_name, PolicyName="read", PolicyDocument=doc)
    for b in bundle["buckets"]:
        region = b.get("region") or bundle["region"]
        s3 = boto3.client("s3", region_name=region)
        s3.create_bucket(Bucket=b["name"], CreateBucketConfiguration={"LocationConstraint": region})
        if "cors" in b:
            s3.put_bucket_cors(Bucket=b["name"], CORSConfiguration=json.loads((example / b["cors"]).read_text()))
    return bundle


def snap(out: Path, role: str, buckets: list[str], *extra: str):
    args = ["--role-name", role, "--out", str(out)]
    for b in buckets:
        args += ["--bucket", b]
    result = CliRunner().invoke(snapshot_command, args + list(extra))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _role(bundle):
    return bundle["role_arn"].rsplit("/", 1)[1]


@pytest.mark.parametrize("example,managed", [("good", True), ("broken", False)])
def test_snapshot_verdicts_equal_the_hand_written_bundle(aws, tmp_path, example, managed):
    bundle = provision(EXAMPLES / example, managed)
    out = tmp_path / "snap"
    r = snap(out, _role(bundle), [b["name"] for b in bundle["buckets"]], "--external-id", bundle["external_id"],
             "--name", bundle["name"])
    assert r.exit_code == 0, r.output
    written = yaml.safe_load((out / "integration.yaml").read_text())
    assert written["role_arn"] == f"arn:aws:iam::123456789012:role/{_role(bundle)}"
    assert written["region"] == "eu-central-1"
    assert all(b["region"] == "eu-central-1" for b in written["buckets"])
    assert verdicts([out]) == verdicts([EXAMPLES / example])


@pytest.mark.parametrize("example", ["good", "broken"])
def test_four_forms_give_the_same_findings(aws, tmp_path, monkeypatch, example):
    """bundle == Terraform plan == CloudFormation template == moto snapshot, as (rule, severity, message)."""
    bundle = provision(EXAMPLES / example, managed=example == "good")
    out = tmp_path / "snap"
    # the snapshot infers the storage name and external ID as the plan and template do
    assert snap(out, _role(bundle), [b["name"] for b in bundle["buckets"]]).exit_code == 0
    hand = verdicts([EXAMPLES / example])
    monkeypatch.setenv("HUBGATE_IAC_ACCOUNT_ID", "123456789012")  # a template cannot know its account
    assert verdicts([IAC / example / "plan.json"]) == hand
    assert verdicts([IAC / example / "template.yaml"]) == hand
    assert verdicts([out]) == hand
    if example == "broken":
        assert {r for r, _, _ in hand} == {"HG101", "HG202", "HG302", "HG304"}


def test_missing_cors_is_a_finding_not_an_exception(aws, tmp_path):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=(EXAMPLES / "good/trust.json").read_text())
    iam.put_role_policy(RoleName="R", PolicyName="p", PolicyDocument=(EXAMPLES / "good/policy.json").read_text())
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-labeling-images")  # us-east-1: LocationConstraint is None
    r = snap(tmp_path, "R", ["acme-labeling-images"])
    assert r.exit_code == 0
    assert "acme-labeling-images has no CORS configuration" in r.output
    written = yaml.safe_load((tmp_path / "integration.yaml").read_text())
    assert written["buckets"] == [{"name": "acme-labeling-images", "region": "us-east-1"}]
    report, _ = check_paths([str(tmp_path)])
    assert "HG301" in {f.rule for f in report.findings}


def test_pagination_collects_every_policy(aws, tmp_path):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=(EXAMPLES / "good/trust.json").read_text())
    read = json.loads((EXAMPLES / "good/policy.json").read_text())
    for i in range(105):  # more than one page (IAM pages hold 100)
        st = dict(read["Statement"][0], Sid=f"S{i}")
        iam.put_role_policy(RoleName="R", PolicyName=f"p{i:03d}",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [st]}))
    for i in range(3):
        arn = iam.create_policy(PolicyName=f"m{i}", PolicyDocument=json.dumps(read))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="R", PolicyArn=arn)
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="acme-labeling-images")
    assert snap(tmp_path, "R", ["acme-labeling-images"]).exit_code == 0
    policy = json.loads((tmp_path / "policy.json").read_text())
    assert len(policy["Statement"]) == 108 and policy["Version"] == "2012-10-17"
    meta = yaml.safe_load((tmp_path / "integration.yaml").read_text())["x-hubgate-snapshot"]
    assert len(meta["policies"]) == 108


def test_bucket_policy_is_kept(aws, tmp_path):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=(EXAMPLES / "good/trust.json").read_text())
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bp-bucket")
    bp = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                  "Resource": "arn:aws:s3:::bp-bucket/*",
                                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    s3.put_bucket_policy(Bucket="bp-bucket", Policy=json.dumps(bp))
    assert snap(tmp_path, "R", ["bp-bucket"]).exit_code == 0
    written = yaml.safe_load((tmp_path / "integration.yaml").read_text())
    assert written["buckets"][0]["x-bucket-policy"] == "bucket-policies/bp-bucket.json"
    assert json.loads((tmp_path / "bucket-policies/bp-bucket.json").read_text()) == bp
    # no permission policy at all: the bundle still loads, HG102 reports the missing reads
    report, _ = check_paths([str(tmp_path)])
    assert report.errors == [] and "HG102" in {f.rule for f in report.findings}


def test_missing_role_or_bucket_is_exit_2(aws, tmp_path):
    r = snap(tmp_path / "a", "NoSuchRole", ["b"])
    assert r.exit_code == 2 and "iam:GetRole NoSuchRole" in r.output and "NoSuchEntity" in r.output
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=(EXAMPLES / "good/trust.json").read_text())
    r = snap(tmp_path / "b", "R", ["no-such-bucket"])
    assert r.exit_code == 2 and "no-such-bucket" in r.output and "NoSuchBucket" in r.output


def test_help_documents_the_snapshot_policy():
    result = CliRunner().invoke(snapshot_command, ["--help"])
    assert result.exit_code == 0
    for action in ("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:GetPolicyVersion", "s3:GetBucketCORS"):
        assert action in result.output
    # the documented policy is itself a valid, read-only IAM policy
    policy = normalise(parse_text(json.dumps(SNAPSHOT_POLICY), "snapshot-policy.json"))
    actions = {a.value for s in policy.statements for a in s.actions}
    assert all(a.split(":")[1].startswith(("Get", "List")) for a in actions)
