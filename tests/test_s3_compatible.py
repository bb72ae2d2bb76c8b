"""provider: s3-compatible (MinIO, SeaweedFS, Ceph...): `endpoint`, path-style URLs, the AWS policy and CORS rules."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hubgate.bundle import bundle_from_data, load_bundle
from hubgate.cli import cli
from hubgate.errors import InputError
from hubgate.example import BUCKET, cors, example_targets, iam_user_bundle, policy, read_policy, statement
from hubgate.rules import run_rules

from conftest import EXAMPLES, REPO

ENDPOINT = "https://minio.acme.example:9000"


def minio(**overrides):
    base = {"provider": "s3-compatible", "endpoint": ENDPOINT, "access_key_id": "hubgate-example-reader",
            "secret_access_key": "example-secret-not-real-0123456789abcdef", "region": "us-east-1"}
    base.update(overrides)
    return iam_user_bundle(**base)


def rules_of(example) -> set[str]:
    return {f.rule for f in run_rules(example_targets(example))}


def test_example_exits_0(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["check", "examples/s3-compatible", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_example_loads_endpoint_and_keeps_secrets_masked(monkeypatch):
    b = load_bundle(EXAMPLES / "s3-compatible" / "integration.yaml")
    assert b.provider == "s3-compatible" and b.endpoint == ENDPOINT
    assert "example-secret-not-real-0123456789abcdef" in b.secrets


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9000", "https://minio.acme.example", "https://s3.acme.example/minio",
                                      "HTTPS://CEPH.EXAMPLE:7480"])
def test_endpoint_urls_accepted(endpoint):
    assert bundle_from_data(minio(endpoint=endpoint)).endpoint == endpoint


@pytest.mark.parametrize("endpoint", ["minio.acme.example:9000", "ftp://minio", "https://", "https://a b"])
def test_endpoint_must_be_http_url(endpoint):
    with pytest.raises(InputError) as e:
        bundle_from_data(minio(endpoint=endpoint))
    assert "/endpoint" in str(e.value)


def test_clean_bundle_has_no_findings():
    assert rules_of(minio()) == set()


def test_aws_policy_rules_keep_applying():
    wide = minio(permission_policy=policy(statement(["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject"],
                                                    [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"])))
    assert "HG101" in rules_of(wide)
    assert "HG108" in rules_of(minio(permission_policy=read_policy("other-bucket")))


def test_cors_rules_keep_applying():
    assert "HG301" in rules_of(minio(buckets=[{"name": BUCKET}]))
    assert "HG302" in rules_of(minio(buckets=[{"name": BUCKET, "cors": cors("https://hub.ango.ai")}]))
    assert "HG304" in rules_of(minio(buckets=[{"name": BUCKET, "cors": cors("*")}]))


def test_aws_only_record_rules_do_not_apply():
    # custom regions and non-AWS key formats are normal on S3-compatible servers
    assert rules_of(minio(region="garage-local", access_key_id="minioadmin", secret_access_key="minioadmin")) == set()


def test_gcp_and_azure_rules_do_not_apply():
    assert not {r for r in rules_of(minio(buckets=[{"name": BUCKET}])) if r.startswith(("HG6", "HG7"))}


def test_path_style_manifest_urls_accepted(tmp_path, monkeypatch):
    assets = [{"data": f"{ENDPOINT}/{BUCKET}/a%20b.jpg", "externalId": "1"},
              {"data": f"http://127.0.0.1:9000/{BUCKET}/c.png", "externalId": "2"}]
    b = minio(manifest=assets, buckets=[{"name": BUCKET, "cors": cors()}])
    found = [(f.rule, f.pointer) for f in run_rules(example_targets(b)) if f.rule.startswith("HG5")]
    assert found == [("HG504", "/manifest/1/data")]  # the path-style form is accepted; http:// is still not https
