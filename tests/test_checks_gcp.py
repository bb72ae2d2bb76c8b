"""HG6xx: Google Cloud Storage bundles (service account, IAM policies, key file, GCS CORS) and the examples."""

from __future__ import annotations

import json

import pytest

from hubgate.bundle import bundle_from_data, load_bundle
from hubgate.errors import InputError
from hubgate.example import (
    BUCKET,
    EXAMPLE_PRIVATE_KEY,
    GCP_ROLE,
    GCP_SERVICE_ACCOUNT,
    cors,
    gcp_binding,
    gcp_bundle,
    gcp_iam_policy,
    gcp_key,
    gcs_cors,
    good_bundle,
)
from hubgate.gcp import cel, roles
from hubgate.validation import schema

from conftest import EXAMPLES, REPO, assert_clean_example, invoke
from rulehelpers import run_example as run

SA = f"serviceAccount:{GCP_SERVICE_ACCOUNT}"


def _key_lines() -> list[str]:
    return [ln for ln in EXAMPLE_PRIVATE_KEY.splitlines() if "-----" not in ln]


# --- examples ---------------------------------------------------------------------------------------------


def test_gcp_good_example_exits_0(monkeypatch):
    assert_clean_example(monkeypatch, "gcp-good")


def test_gcp_broken_example_exits_1_with_typical_mistakes(monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = invoke("check", "examples/gcp-broken", "--format", "json")
    assert code == 1, out + err
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert {"HG601", "HG603", "HG604", "HG605", "HG606", "HG607", "HG608", "HG611", "HG612"} <= rules
    assert not any(r.startswith(("HG1", "HG2", "HG3", "HG4")) for r in rules), rules
    # the user credential's secrets never appear
    assert "example-client-secret-not-real" not in out and "example-refresh-token-not-real" not in out


def test_gcp_good_example_is_clean_for_every_rule():
    b = load_bundle(EXAMPLES / "gcp-good" / "integration.yaml")
    assert b.provider == "gcp" and b.service_account == GCP_SERVICE_ACCOUNT
    assert b.bucket_iam_policy is not None and b.project_iam_policy is not None
    assert b.buckets[0].cors_form == "gcs"


# --- model and schemas ---------------------------------------------------------------------------------------


def test_new_schemas_are_draft_2020_12_with_id():
    from jsonschema import Draft202012Validator

    for name in ("gcp-iam-policy", "gcs-cors", "gcp-service-account-key", "azure-blob-cors", "bundle", "profile"):
        s = schema(name)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"].endswith(f"/{name}.schema.json")
        Draft202012Validator.check_schema(s)


def test_bucket_iam_policy_must_be_gcloud_shape():
    with pytest.raises(InputError) as e:
        bundle_from_data(gcp_bundle(bucket_iam_policy={"bindings": [{"role": GCP_ROLE}]}))
    assert "members" in str(e.value) and "GCP IAM policy" in str(e.value)


def test_per_bucket_iam_policy_overrides_bundle_policy():
    b = gcp_bundle(buckets=[
        {"name": BUCKET, "cors": gcs_cors()},
        {"name": "second", "cors": gcs_cors(), "iam_policy": gcp_iam_policy(gcp_binding("roles/storage.admin", SA))},
    ])
    found = run(b, "HG601")
    assert [f.pointer for f in found] == ["/buckets/1/iam_policy/bindings/0/role"]
    assert "'second'" in found[0].message


def test_gcs_cors_in_s3_form_loads_and_is_reported():
    found = run(gcp_bundle(buckets=[{"name": BUCKET, "cors": cors()}]))
    assert [f.rule for f in found] == ["HG608"] and "S3's form" in found[0].message


def test_gcs_cors_neither_form_is_input_error():
    with pytest.raises(InputError) as e:
        bundle_from_data(gcp_bundle(buckets=[{"name": BUCKET, "cors": [{"origins": ["x"]}]}]))
    assert "GCS CORS configuration" in str(e.value)


def test_private_key_registered_as_secret():
    b = bundle_from_data(gcp_bundle())
    assert EXAMPLE_PRIVATE_KEY in b.secrets
    assert all(line in b.secrets for line in _key_lines())


# --- role data -----------------------------------------------------------------------------------------------


def test_role_table_read_only_and_write_roles():
    assert roles.write_permissions(GCP_ROLE) == ()
    assert roles.grants(GCP_ROLE, "storage.objects.get") and roles.grants(GCP_ROLE, "storage.objects.list")
    for role in ("roles/storage.admin", "roles/storage.objectAdmin", "roles/storage.objectUser",
                 "roles/storage.objectCreator", "roles/storage.legacyBucketWriter", "roles/storage.legacyBucketOwner",
                 "roles/owner", "roles/editor"):
        assert roles.write_permissions(role), role
    assert "storage.buckets.setIamPolicy" in roles.write_permissions("roles/storage.admin")
    assert roles.grants("roles/editor", "storage.objects.get") is True
    assert roles.write_permissions("projects/p/roles/custom") is None


# --- HG601-HG605 -----------------------------------------------------------------------------------------------


def test_hg601_message_names_role_and_account():
    (f,) = run(gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.objectAdmin", SA))), "HG601")
    assert f.pointer == "/bucket_iam_policy/bindings/0/role" and f.severity == "error"
    assert "'roles/storage.objectAdmin'" in f.message and GCP_SERVICE_ACCOUNT in f.message
    assert GCP_ROLE in f.fix


def test_hg601_custom_role_is_a_warning_and_other_services_project_roles_are_not_judged():
    (f,) = run(gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                           gcp_binding("projects/p/roles/reader", SA))), "HG601")
    assert f.severity == "warning"
    assert run(gcp_bundle(project_iam_policy=gcp_iam_policy(gcp_binding("roles/logging.viewer", SA))), "HG601") == []


def test_hg602_role_granted_to_someone_else():
    (f,) = run(gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, "user:alice@example.com"))), "HG602")
    assert "storage.objects.get, storage.objects.list" in f.message
    assert "user:alice@example.com" in f.message
    assert f.fix.startswith(f"gcloud storage buckets add-iam-policy-binding gs://{BUCKET} --member={SA} --role={GCP_ROLE}")


def test_hg602_project_grant_counts_and_expired_condition_does_not():
    only_project = gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.legacyBucketReader", "projectViewer:p")),
                              project_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA)))
    assert run(only_project, "HG602") == []
    expired = gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(
        GCP_ROLE, SA, condition='request.time < timestamp("2000-01-01T00:00:00Z")'), version=3))
    assert len(run(expired, "HG602")) == 1


def test_hg603_public_members_anywhere():
    found = run(gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                            gcp_binding("roles/storage.legacyObjectReader", "allUsers"))), "HG603")
    assert [f.pointer for f in found] == ["/bucket_iam_policy/bindings/1/members/0"]
    assert "anyone on the internet" in found[0].message


def test_hg604_convenience_members_are_not_findings():
    b = gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, "projectViewer:acme-labeling")))
    assert run(b, "HG604") == []


def test_hg605_only_storage_roles_on_the_project():
    b = gcp_bundle(project_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.objectViewer", SA)))
    (f,) = run(b, "HG605")
    assert f.pointer == "/project_iam_policy/bindings/0/role" and f.severity == "warning"


# --- HG606: the CEL subset ---------------------------------------------------------------------------------


@pytest.mark.parametrize("expr,value", [
    ("true", True), ("false", False), ("!false", True), ("1 == 1", True), ("'a' != 'a'", False),
    ('request.time < timestamp("2001-01-01T00:00:00Z")', False),
    ('request.time > timestamp("2001-01-01T00:00:00Z")', True),
    ('timestamp("2001-01-01T00:00:00Z") < request.time', True),
    ('request.time < timestamp("2999-01-01T00:00:00Z")', None),
    ('resource.name.startsWith("projects/_/buckets/my-bucket")', True),
    ('resource.name.startsWith("projects/_/buckets/my-bucket/objects/")', None),
    ('resource.name.startsWith("projects/_/buckets/other")', False),
    ('resource.name.startsWith("projects/_/buckets/my-bucket-2")', False),
    ('resource.type == "storage.googleapis.com/Object"', None),
    ('resource.service == "storage.googleapis.com"', True),
    ('request.time < timestamp("2001-01-01T00:00:00Z") || resource.name.startsWith("projects/_/buckets/my-bucket")', True),
    ('request.time < timestamp("2001-01-01T00:00:00Z") && resource.name.startsWith("projects/_/buckets/my-bucket")', False),
    ("(true && false) || false", False),
    ("api.getAttribute('x', '') == 'y'", None),
    ("this is not CEL ((", None),
])
def test_condition_value(expr, value):
    assert cel.condition_value(expr, [BUCKET]) is value


def test_condition_on_project_policy_restricting_to_the_bucket_is_not_always_true():
    assert cel.condition_value('resource.name.startsWith("projects/_/buckets/my-bucket")', [BUCKET], project=True) is None


def test_hg606_severity_by_kind():
    never = gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, condition="false"), version=3))
    always = gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, condition="true"), version=3))
    assert [(f.severity, f.pointer) for f in run(never, "HG606")] == [("error", "/bucket_iam_policy/bindings/0/condition/expression")]
    assert [f.severity for f in run(always, "HG606")] == ["warning"]


# --- HG607-HG611 -----------------------------------------------------------------------------------------------


def test_hg607_bucket_level_value_wins():
    b = gcp_bundle(uniform_bucket_level_access=False,
                   buckets=[{"name": BUCKET, "cors": gcs_cors(), "uniform_bucket_level_access": True}])
    assert run(b, "HG607") == []


def test_hg609_one_finding_per_missing_origin_and_star_counts():
    found = run(gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://hub.ango.ai")}]), "HG609")
    assert [f.message for f in found] == [f"No CORS entry of GCS bucket '{BUCKET}' allows origin 'https://api.ango.ai'"]
    assert run(gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("*")}]), "HG609") == []


def test_hg610_points_at_method():
    (f,) = run(gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(methods=("PUT",))}]), "HG610")
    assert f.pointer == "/buckets/0/cors/0/method" and "not GET" in f.message


def test_gcs_cors_bucket_resource_forms():
    for doc in ({"cors": gcs_cors()}, {"cors_config": gcs_cors()}):
        assert run(gcp_bundle(buckets=[{"name": BUCKET, "cors": doc}]), "HG608", "HG609", "HG610", "HG611") == []


# --- HG612-HG614 -----------------------------------------------------------------------------------------------


def test_hg612_user_credential():
    b = gcp_bundle(credentials={"type": "authorized_user", "client_id": "x", "client_secret": "s3cr3t-value",
                                "refresh_token": "r3fresh-value"})
    (f,) = run(b, "HG612")
    assert "user credential" in f.message and f.pointer == "/credentials/type"
    assert "s3cr3t-value" in bundle_from_data(b).secrets and "r3fresh-value" in bundle_from_data(b).secrets


def test_hg612_malformed_fields_named_never_valued():
    b = gcp_bundle(credentials=gcp_key(private_key="-----BEGIN PRIVATE KEY-----\nAAAAsecretbody\n", client_id=None))
    found = run(b, "HG612")
    msgs = [f.message for f in found]
    assert "The service account key lacks client_id" in msgs
    assert "Field private_key of the service account key is malformed (value not shown)" in msgs
    assert not any("AAAAsecretbody" in m or "AAAAsecretbody" in (f.fix or "") for m, f in zip(msgs, found, strict=False))


def test_private_key_never_in_output(tmp_path, monkeypatch):
    key = gcp_key(private_key=EXAMPLE_PRIVATE_KEY.replace("-----END PRIVATE KEY-----\n", ""))  # truncated
    (tmp_path / "key.json").write_text(json.dumps(key))
    bundle = gcp_bundle(credentials="key.json")
    (tmp_path / "integration.yaml").write_text(json.dumps(bundle))
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json", "sarif", "junit", "github"):
        code, out, err = invoke("check", ".", "--format", fmt)
        assert code == 1, out + err
        for line in _key_lines():
            assert line not in out and line not in err, fmt


def test_hg613_forms():
    assert "names no service account" in run(gcp_bundle(service_account=None, credentials=None), "HG613")[0].message
    assert "IAM member string" in run(gcp_bundle(service_account=SA), "HG613")[0].message
    assert "not a service account" in run(gcp_bundle(service_account="alice@gmail.com"), "HG613")[0].message
    assert run(gcp_bundle(service_account="123-compute@developer.gserviceaccount.com"), "HG613") == []


def test_hg614_aws_fields_on_gcp_bundle():
    found = run(gcp_bundle(role_arn="arn:aws:iam::123456789012:role/R", sas="sv=1&sig=x"), "HG614")
    assert [f.pointer for f in found] == ["/role_arn", "/sas"]


def test_aws_rules_do_not_fire_on_gcp_bundles():
    found = run(gcp_bundle())
    assert found == []
    broken = gcp_bundle(buckets=[{"name": BUCKET}], uniform_bucket_level_access=False)
    assert {f.rule for f in run(broken)} == {"HG607", "HG608"}


def test_aws_bundles_untouched_by_gcp_rules():
    assert [f for f in run(good_bundle()) if f.rule.startswith("HG6")] == []
