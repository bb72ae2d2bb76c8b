"""`hubgate explain`: decisions and the statement that decided them, on the bundled examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgate.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOOD = str(ROOT / "examples" / "good")
EXT = "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"


def run(*args):
    return CliRunner().invoke(cli, ["explain", *args])


@pytest.mark.parametrize(
    "action,resource,code,decision",
    [
        ("s3:GetObject", "arn:aws:s3:::acme-labeling-images/a/b.jpg", 0, "allow"),
        ("S3:GETOBJECT", "arn:aws:s3:::acme-labeling-images/a/b.jpg", 0, "allow"),
        ("s3:ListBucket", "arn:aws:s3:::acme-labeling-video", 0, "allow"),
        ("s3:PutObject", "arn:aws:s3:::acme-labeling-images/a", 1, "implicit-deny"),
        ("s3:GetObject", "arn:aws:s3:::some-other-bucket/a", 1, "implicit-deny"),
    ],
)
def test_permission_side(action, resource, code, decision):
    r = run(GOOD, "--action", action, "--resource", resource, "--format", "json")
    assert r.exit_code == code, r.output
    out = json.loads(r.output)
    assert out["decision"] == decision
    if decision == "allow":
        assert out["statement"]["pointer"] == "/Statement/0"
        assert out["statement"]["sid"] == "AngoHubReadOnly"
        assert out["statement"]["line"] == 4


def test_trust_side_right_wrong_missing_external_id():
    ok = run(GOOD, "--external-id", EXT, "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)["decision"] == "allow"
    wrong = run(GOOD, "--external-id", "nope")
    assert wrong.exit_code == 1
    assert "DENIED" in wrong.output and "request value: 'nope'" in wrong.output
    missing = run(GOOD, "--principal", "arn:aws:iam::397578311638:user/angohub-delegate")
    assert missing.exit_code == 1 and "request value: absent" in missing.output
    other = run(GOOD, "--principal", "arn:aws:iam::111122223333:user/mallory", "--external-id", EXT)
    assert other.exit_code == 1


def test_explicit_deny_named(tmp_path):
    (tmp_path / "integration.yaml").write_text(
        """
name: s
provider: aws
access_type: iam-user
region: us-east-1
permission_policy:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: "s3:*"
      Resource: "*"
    - Sid: NoSecrets
      Effect: Deny
      Action: s3:GetObject
      Resource: arn:aws:s3:::b/secret/*
"""
    )
    r = run(str(tmp_path), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/secret/x")
    assert r.exit_code == 1
    assert "explicitly denied by statement 1 (NoSecrets)" in r.output
    r = run(str(tmp_path), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/public/x")
    assert r.exit_code == 0 and "statement 0" in r.output


def test_context_condition(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                       "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}],
    }))
    inside = run(str(tmp_path / "p.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
                 "--context", "aws:SourceIp=10.1.2.3")
    outside = run(str(tmp_path / "p.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k",
                  "--context", "aws:SourceIp=192.0.2.1")
    assert inside.exit_code == 0, inside.output
    assert outside.exit_code == 1, outside.output


def test_bad_input_is_exit_2(tmp_path):
    r = run(str(tmp_path / "missing.yaml"), "--action", "s3:GetObject")
    assert r.exit_code == 2
    assert "Traceback" not in r.output
