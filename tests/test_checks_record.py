"""HG401-HG405: the storage record; secrets never leave hubgate."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from hubgate.example import (
    BUCKET,
    EXAMPLE_KEY_ID,
    EXAMPLE_SECRET,
    ROLE_ARN,
    cors,
    example_targets,
    good_bundle,
    iam_user_bundle,
    policy,
    read_policy,
    statement,
)
from hubgate.rules import run_rules

from rulehelpers import assert_own_examples, load_rules

load_rules()  # every rule module imported before one is imported by name below

from hubgate.checks.record import partitions, region_partitions  # noqa: E402

FAMILY = ("HG401", "HG402", "HG403", "HG404", "HG405")
READ = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]


def run(example, rule=None):
    return [f for f in run_rules(example_targets(example)) if rule is None or f.rule == rule]


@pytest.mark.parametrize("rule_id", FAMILY)
def test_rule_examples(rule_id):
    assert_own_examples(rule_id)


def test_good_bundles_are_clean():
    for b in (good_bundle(), iam_user_bundle()):
        assert [f for f in run(b) if f.rule in FAMILY] == []


# --- region data from botocore ------------------------------------------------------------------------


def test_regions_come_from_botocore():
    import botocore.session

    s = botocore.session.get_session()
    for p in s.get_available_partitions():
        assert p in partitions()
        for r in s.get_available_regions("s3", p):
            assert region_partitions()[r] == p
    assert region_partitions()["us-gov-west-1"] == "aws-us-gov"
    assert region_partitions()["cn-north-1"] == "aws-cn"


def test_every_botocore_s3_region_passes_hg402():
    import botocore.session

    regions = botocore.session.get_session().get_available_regions("s3")
    assert len(regions) > 20
    for r in regions:
        b = good_bundle(region=r)
        assert run(b, "HG402") == [], r


# --- HG401 --------------------------------------------------------------------------------------------

ROLE_FAIL = [
    ("user-arn", "arn:aws:iam::123456789012:user/AngoHubReadOnly", "names an IAM user, not a role"),
    ("hub-principal", "arn:aws:iam::397578311638:user/angohub-delegate", "is Hub's own principal"),
    ("s3-arn", "arn:aws:s3:::my-bucket", "is an s3 ARN, not an IAM role ARN"),
    ("not-arn", "AngoHubReadOnly", "is not an ARN"),
    ("five-parts", "arn:aws:iam::123456789012", "is not an ARN"),
    ("region", "arn:aws:iam:eu-central-1:123456789012:role/AngoHubReadOnly", "IAM ARNs have an empty region"),
    ("account", "arn:aws:iam::12345:role/AngoHubReadOnly", "not a 12-digit account id"),
    ("partition", "arn:aws-mars:iam::123456789012:role/AngoHubReadOnly", "unknown partition 'aws-mars'"),
    ("no-name", "arn:aws:iam::123456789012:role/", "invalid role name ''"),
    ("bad-name", "arn:aws:iam::123456789012:role/Ango Hub", "invalid role name 'Ango Hub'"),
    ("instance-profile", "arn:aws:iam::123456789012:instance-profile/x", "names an IAM instance-profile"),
    ("sts-assumed", "arn:aws:sts::123456789012:assumed-role/AngoHubReadOnly/s", "is an sts ARN"),
    ("other-partition", "arn:aws-cn:iam::123456789012:role/AngoHubReadOnly",
     "is in partition 'aws-cn' but bucket 'my-bucket' is in region 'eu-central-1' of partition 'aws'"),
]


@pytest.mark.parametrize("case,arn,fragment", ROLE_FAIL, ids=[c[0] for c in ROLE_FAIL])
def test_hg401_fail(case, arn, fragment):
    found = run(good_bundle(role_arn=arn), "HG401")
    assert [f.pointer for f in found] == ["/role_arn"]
    assert fragment in found[0].message and found[0].fix


def _partition_bundle(partition, region):
    pol = policy(statement(READ, [f"arn:{partition}:s3:::{BUCKET}", f"arn:{partition}:s3:::{BUCKET}/*"]))
    return good_bundle(role_arn=f"arn:{partition}:iam::123456789012:role/AngoHubReadOnly", region=region,
                       permission_policy=pol)


@pytest.mark.parametrize("bundle", [
    good_bundle(),
    good_bundle(role_arn="arn:aws:iam::123456789012:role/service-role/ango/AngoHubReadOnly"),
    good_bundle(role_arn="arn:aws:iam::123456789012:role/a+b=c,d.e@f-g_h"),
    _partition_bundle("aws-us-gov", "us-gov-west-1"),
    _partition_bundle("aws-cn", "cn-north-1"),
], ids=["plain", "path", "name-chars", "gov", "china"])
def test_hg401_pass(bundle):
    assert run(bundle, "HG401") == []


def test_hg401_bucket_region_decides_partition():
    b = good_bundle(buckets=[{"name": BUCKET, "region": "cn-north-1", "cors": cors()}])
    found = run(b, "HG401")
    assert len(found) == 1 and "region 'cn-north-1' of partition 'aws-cn'" in found[0].message
    assert "arn:aws-cn:iam::123456789012:role/AngoHubReadOnly" in found[0].fix


# --- HG402 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("overrides,pointer,severity,fragment,fix", [
    ({"region": "eu-central1"}, "/region", "error", "'eu-central1' is not an AWS region", "'eu-central-1'"),
    ({"region": "EU-CENTRAL-1"}, "/region", "error", "is not an AWS region", "lower-case"),
    ({"region": "europe"}, "/region", "error", "is not an AWS region", "get-bucket-location"),
    ({"buckets": [{"name": BUCKET, "region": "us-west-9", "cors": cors()}]}, "/buckets/0/region", "error",
     "Region 'us-west-9' of bucket 'my-bucket'", ""),
    ({"buckets": [{"name": BUCKET, "region": "us-west-2", "cors": cors()}]}, "/buckets/0/region", "warning",
     "is in region 'us-west-2' but the storage record's region is 'eu-central-1'", ""),
    ({"region": None, "buckets": [{"name": BUCKET, "region": "us-west-2", "cors": cors()},
                                  {"name": "b2", "region": "eu-west-1", "cors": cors()}],
      "permission_policy": read_policy(BUCKET, "b2")},
     "/buckets/1/region", "warning", "but bucket 'my-bucket''s region is 'us-west-2'", ""),
], ids=["typo", "upper-case", "not-a-region", "bucket-unknown", "bucket-disagrees", "buckets-disagree"])
def test_hg402_fail(overrides, pointer, severity, fragment, fix):
    found = run(good_bundle(**overrides), "HG402")
    assert [(f.pointer, f.severity) for f in found] == [(pointer, severity)]
    assert fragment in found[0].message and fix in (found[0].fix or "")


@pytest.mark.parametrize("bundle", [
    good_bundle(region=None),
    good_bundle(buckets=[{"name": BUCKET, "region": "eu-central-1", "cors": cors()}]),
    good_bundle(provider="s3-compatible", region="garage-local"),  # custom regions of S3-compatible stores
    good_bundle(region="il-central-1"),
], ids=["no-region", "same", "s3-compatible", "newer-region"])
def test_hg402_pass(bundle):
    assert run(bundle, "HG402") == []


# --- HG403 --------------------------------------------------------------------------------------------

KEY_FAIL = [
    ("kid-short", {"access_key_id": "AKIAIOSFODNN7EXAMPL"}, "/access_key_id", "has 19 characters, not 20"),
    ("kid-long", {"access_key_id": "AKIAIOSFODNN7EXAMPLEX"}, "/access_key_id", "has 21 characters, not 20"),
    ("kid-lower", {"access_key_id": "akiaiosfodnn7example"}, "/access_key_id", "other than upper-case"),
    ("kid-prefix", {"access_key_id": "AIDAIOSFODNN7EXAMPLE"}, "/access_key_id", "does not start with AKIA or ASIA"),
    ("kid-space", {"access_key_id": EXAMPLE_KEY_ID + " "}, "/access_key_id", "whitespace"),
    ("secret-short", {"secret_access_key": EXAMPLE_SECRET[:-1]}, "/secret_access_key", "has 39 characters, not 40"),
    ("secret-char", {"secret_access_key": EXAMPLE_SECRET[:-1] + "="}, "/secret_access_key", "outside A-Za-z0-9/+"),
    ("secret-newline", {"secret_access_key": EXAMPLE_SECRET + "\n"}, "/secret_access_key", "whitespace"),
    ("swapped", {"access_key_id": EXAMPLE_SECRET, "secret_access_key": EXAMPLE_KEY_ID}, "/access_key_id", "look swapped"),
]


@pytest.mark.parametrize("case,overrides,pointer,fragment", KEY_FAIL, ids=[c[0] for c in KEY_FAIL])
def test_hg403_fail(case, overrides, pointer, fragment):
    found = run(iam_user_bundle(**overrides), "HG403")
    assert [f.pointer for f in found] == [pointer]
    assert fragment in found[0].message
    _assert_no_secret(found, overrides.values())


@pytest.mark.parametrize("overrides", [{}, {"access_key_id": "ASIAIOSFODNN7EXAMPLE"},
                                       {"secret_access_key": "a/b+" * 10}],
                         ids=["example", "temporary", "slash-plus"])
def test_hg403_pass(overrides):
    assert run(iam_user_bundle(**overrides), "HG403") == []


def test_hg403_key_id_is_masked():
    found = run(iam_user_bundle(access_key_id="AKIAIOSFODNN7EXAMPLEX"), "HG403")
    assert "AKIA…PLEX" in found[0].message


def test_hg403_only_aws():
    assert run(iam_user_bundle(provider="s3-compatible", access_key_id="minioadmin",
                               secret_access_key="minioadmin"), "HG403") == []


def _assert_no_secret(findings, values):
    for f in findings:
        text = json.dumps(f.to_dict(), ensure_ascii=False)
        for v in values:
            if v and len(v.strip()) >= 8:
                assert v.strip() not in text


def test_rules_never_quote_secrets():
    """Every rule, on bundles with malformed keys, without the CLI's last-line masking."""
    cases = [
        ("AKIAIOSFODNN7EXAMPLEXY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYTOOLONG"),
        ("akiaiosfodnn7example", "wJalrXUtnFEMI K7MDENG bPxRfiCYEXAMPLEKEY"),
        (EXAMPLE_SECRET, EXAMPLE_KEY_ID),
        ("your-bucket-name-AKIA", "your-external-id-for-the-role-here-secret"),  # placeholders in secrets
    ]
    for kid, secret in cases:
        for b in (iam_user_bundle(access_key_id=kid, secret_access_key=secret),
                  good_bundle(access_key_id=kid, secret_access_key=secret)):
            found = run(b)
            assert any(f.rule in ("HG403", "HG405") for f in found)
            _assert_no_secret(found, [kid, secret])


FORMATS = ["text", "json", "sarif", "junit", "github"]
CLI_KEY_ID = "AKIAZZZZSECRETKEYID77X"  # 22 characters: malformed, so HG403 reports it (masked)
CLI_SECRET = "Zq9/Secret+Value/That/Must/Never/Be/Shown1"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", ["inline", "env"])
def test_cli_never_prints_secrets(tmp_path, monkeypatch, fmt, source):
    from hubgate.cli import cli

    bundle = iam_user_bundle()
    if source == "env":
        monkeypatch.setenv("HG_TEST_KEY_ID", CLI_KEY_ID)
        monkeypatch.setenv("HG_TEST_SECRET", CLI_SECRET)
        bundle["access_key_id"] = "${env:HG_TEST_KEY_ID}"
        bundle["secret_access_key"] = "${env:HG_TEST_SECRET}"
    else:
        bundle["access_key_id"] = CLI_KEY_ID
        bundle["secret_access_key"] = CLI_SECRET
    path = tmp_path / "integration.yaml"
    path.write_text(yaml.safe_dump(bundle), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--format", fmt])
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 1, out
    assert "HG403" in out  # the keys were judged (and the test is not vacuous)
    assert CLI_SECRET not in out and CLI_KEY_ID not in out
    for fragment in (CLI_SECRET[4:20], CLI_KEY_ID[4:18]):
        assert fragment not in out


# --- HG404 --------------------------------------------------------------------------------------------


def test_hg404_reported_on_each_file(tmp_path):
    from hubgate.check import check_paths

    for sub, ext in (("a", "yaml"), ("b", "json")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / f"integration.{ext}").write_text(json.dumps(good_bundle()), encoding="utf-8")
    (tmp_path / "video.hubgate.yaml").write_text(yaml.safe_dump(good_bundle(name="prod-video")), encoding="utf-8")
    report, _ = check_paths([str(tmp_path)])
    dup = [f for f in report.findings if f.rule == "HG404"]
    assert sorted(f.file.rsplit("/", 2)[-2] for f in dup) == ["a", "b"]
    assert all(f.pointer == "/name" and "'prod-images' is also used by" in f.message for f in dup)


def test_hg404_separate_organizations(tmp_path):
    from hubgate.check import check_paths

    for sub in ("org1", "org2"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "integration.yaml").write_text(yaml.safe_dump(good_bundle()), encoding="utf-8")
    report, _ = check_paths([str(tmp_path / "org1"), str(tmp_path / "org2")])
    assert [f for f in report.findings if f.rule == "HG404"] == []


@pytest.mark.parametrize("names,expected", [
    (["prod-images", "prod-images"], 2),
    (["prod-images", " prod-images "], 2),
    (["prod-images", "prod-images", "prod-images"], 3),
    (["prod-images", "prod-video"], 0),
    (["prod-images", "Prod-Images"], 0),
])
def test_hg404_names(names, expected):
    assert len(run([good_bundle(name=n) for n in names], "HG404")) == expected


# --- HG405 --------------------------------------------------------------------------------------------

ACCESS_FAIL = [
    ("delegated-no-role", good_bundle(role_arn=None), "/access_type", "role_arn is missing"),
    ("delegated-no-external-id", good_bundle(external_id=None), "/access_type", "external_id is missing"),
    ("delegated-no-trust", good_bundle(trust_policy=None), "/access_type", "trust_policy is missing"),
    ("delegated-none", good_bundle(role_arn=None, external_id=None, trust_policy=None), "/access_type",
     "role_arn, external_id and trust_policy are missing"),
    ("delegated-with-keys", good_bundle(access_key_id=EXAMPLE_KEY_ID, secret_access_key=EXAMPLE_SECRET),
     "/access_key_id", "access_key_id and secret_access_key are given"),
    ("delegated-with-secret", good_bundle(secret_access_key=EXAMPLE_SECRET), "/secret_access_key",
     "secret_access_key is given"),
    ("user-with-role", iam_user_bundle(role_arn=ROLE_ARN), "/role_arn", "role_arn of IAM delegation is given"),
    ("user-with-trust", iam_user_bundle(trust_policy=good_bundle()["trust_policy"]), "/trust_policy",
     "trust_policy of IAM delegation"),
    ("user-with-all", iam_user_bundle(role_arn=ROLE_ARN, external_id="x" * 20, trust_policy=good_bundle()["trust_policy"]),
     "/role_arn", "role_arn, external_id and trust_policy"),
    ("user-no-keys", iam_user_bundle(access_key_id=None, secret_access_key=None), "/access_type",
     "access_key_id and secret_access_key are missing"),
    ("user-no-key-id", iam_user_bundle(access_key_id=None), "/access_type", "access_key_id is missing"),
    ("unset-both-kinds", good_bundle(access_type=None, access_key_id=EXAMPLE_KEY_ID, secret_access_key=EXAMPLE_SECRET),
     "", "access_type is not set"),
]


@pytest.mark.parametrize("case,bundle,pointer,fragment", ACCESS_FAIL, ids=[c[0] for c in ACCESS_FAIL])
def test_hg405_fail(case, bundle, pointer, fragment):
    found = run(bundle, "HG405")
    assert [f.pointer for f in found] == [pointer]
    assert fragment in found[0].message
    _assert_no_secret(found, [EXAMPLE_KEY_ID, EXAMPLE_SECRET])


@pytest.mark.parametrize("bundle", [
    good_bundle(), iam_user_bundle(), good_bundle(access_type=None),
    good_bundle(provider="gcp", access_type=None, role_arn=None, external_id=None, trust_policy=None),
], ids=["delegated", "user", "unset-delegation-only", "gcp"])
def test_hg405_pass(bundle):
    assert run(bundle, "HG405") == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_manifest_reports_never_print_the_bundles_secrets(tmp_path, fmt):
    """The manifest command streams its report; the bundle's secrets are masked in every format, including
    a secret that an asset's externalId repeats (so a duplicate-id finding would quote it)."""
    from hubgate.cli.manifest import manifest_command

    bundle = iam_user_bundle()
    bundle["access_key_id"], bundle["secret_access_key"] = CLI_KEY_ID, CLI_SECRET
    path = tmp_path / "integration.yaml"
    path.write_text(yaml.safe_dump(bundle), encoding="utf-8")
    url = "https://bucket-name.s3.eu-central-1.amazonaws.com/"
    man = tmp_path / "m.json"
    man.write_text(json.dumps([{"data": url + f"k{i}.jpg", "externalId": CLI_SECRET} for i in range(3)]))
    result = CliRunner().invoke(manifest_command, [str(man), "--bundle", str(path), "--format", fmt])
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 1, out
    assert "HG512" in out and "****" in out  # the duplicate was reported, its id masked
    assert CLI_SECRET not in out and CLI_SECRET[4:20] not in out
