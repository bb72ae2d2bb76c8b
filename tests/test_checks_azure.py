"""HG7xx: Azure Blob bundles (SAS, Blob CORS, public access) and the examples."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hubgate.azure.sas import parse_sas
from hubgate.bundle import bundle_from_data
from hubgate.errors import InputError
from hubgate.example import (
    AZURE_ACCOUNT,
    AZURE_CONTAINER,
    EXAMPLE_SAS_SIG,
    azure_bundle,
    azure_cors,
    azure_sas,
    good_bundle,
)

from conftest import REPO, assert_clean_example, invoke
from rulehelpers import run_example as run

# --- examples ---------------------------------------------------------------------------------------------


def test_azure_good_example_exits_0(monkeypatch):
    assert_clean_example(monkeypatch, "azure-good")


def test_azure_broken_example_exits_1_with_typical_mistakes(monkeypatch):
    monkeypatch.chdir(REPO)
    for fmt in ("text", "json", "sarif"):
        code, out, err = invoke("check", "examples/azure-broken", "--format", fmt)
        assert code == 1, out + err
        assert "ZXhhbXBsZS1vbmx5LW5vdC1hLXJlYWwtc2lnbmF0dXJlMQ" not in out + err  # the sig, encoded or not
    code, out, _ = invoke("check", "examples/azure-broken", "--format", "json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert {"HG701", "HG703", "HG704", "HG705", "HG708", "HG709", "HG710"} <= rules
    assert not any(r.startswith(("HG1", "HG2", "HG3", "HG4", "HG6")) for r in rules), rules


def test_whole_examples_folder_is_one_organization_without_name_clashes(monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = invoke("check", "examples", "--format", "json")
    assert code == 1
    assert "HG404" not in {f["rule"] for f in json.loads(out)["findings"]}


# --- SAS parsing and secrets -------------------------------------------------------------------------------


def test_parse_sas_token_and_url():
    tok = parse_sas("?" + azure_sas())
    assert tok.get("sp") == "rl" and tok.get("sr") == "c" and not tok.url
    url = parse_sas(f"https://{AZURE_ACCOUNT}.blob.core.windows.net/{AZURE_CONTAINER}?{azure_sas()}")
    assert url.url and url.host == f"{AZURE_ACCOUNT}.blob.core.windows.net" and url.path == f"/{AZURE_CONTAINER}"
    assert parse_sas("not a sas").problem


def test_sas_signature_registered_as_secret_raw_and_decoded():
    b = bundle_from_data(azure_bundle())
    assert EXAMPLE_SAS_SIG in b.secrets and EXAMPLE_SAS_SIG.replace("%3D", "=") in b.secrets
    assert repr(b.sas) == "Secret(****)"


def test_sas_from_environment(monkeypatch):
    monkeypatch.setenv("HUB_AZURE_SAS", azure_sas(sp="rw"))
    found = run(azure_bundle(sas="${env:HUB_AZURE_SAS}"), "HG701")
    assert len(found) == 1 and "w (write)" in found[0].message


def test_no_message_quotes_the_signature():
    bad = azure_bundle(sas=azure_sas(sp="racwdl", spr=None, se="2001-01-01", ss="bfqt", srt="sco", sr="b"),
                       public_access="blob", cors=azure_cors("*", methods=("PUT",)))
    found = run(bad)
    assert {"HG701", "HG702", "HG703", "HG704", "HG705", "HG708", "HG709", "HG710"} <= {f.rule for f in found}
    for f in found:
        assert EXAMPLE_SAS_SIG not in f.message and EXAMPLE_SAS_SIG not in (f.fix or "")
        assert "sig=" not in f.message


# --- rules -------------------------------------------------------------------------------------------------


def test_hg701_lists_each_extra_letter():
    (f,) = run(azure_bundle(sas=azure_sas(sp="rwdl")), "HG701")
    assert f.message == "The SAS permissions sp=rwdl include w (write), d (delete), beyond read and list"
    assert f.pointer == "/sas" and "--permissions rl --https-only" in f.fix


def test_hg702_missing_list_and_blob_sas():
    msgs = [f.message for f in run(azure_bundle(sas=azure_sas(sp="r", sr="b")), "HG702")]
    assert any("cannot list the container" in m for m in msgs)
    assert any("sr=b" in m for m in msgs)


def test_hg704_lifetime_bound_is_a_warning_from_the_profile():
    far = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (f,) = run(azure_bundle(sas=azure_sas(se=far)), "HG704")
    assert f.severity == "warning" and "365 days" in f.message
    (f,) = run(azure_bundle(sas=azure_sas(se="tomorrow")), "HG704")
    assert f.severity == "error" and "not an ISO 8601" in f.message


def test_hg705_blob_only_account_sas_is_a_warning():
    (f,) = run(azure_bundle(sas=azure_sas(sr=None, ss="b", srt="co")), "HG705")
    assert f.severity == "warning" and "every container" in f.message
    (f,) = run(azure_bundle(sas=azure_sas(sr=None, ss="bf", srt="co")), "HG705")
    assert f.severity == "error" and "File" in f.message


def test_blob_cors_az_cli_form_with_comma_separated_strings():
    rules = [{"AllowedOrigins": "https://hub.ango.ai,https://api.ango.ai", "AllowedMethods": "GET,HEAD",
              "AllowedHeaders": "*", "ExposedHeaders": "", "MaxAgeInSeconds": 200, "Service": "blob"}]
    assert run(azure_bundle(cors=rules), "HG706", "HG707", "HG708", "HG709") == []


def test_blob_cors_wrapped_in_service_properties():
    assert run(azure_bundle(cors={"cors": azure_cors()}), "HG706", "HG707", "HG708", "HG709") == []


def test_blob_cors_schema_rejects_s3_form():
    with pytest.raises(InputError) as e:
        bundle_from_data(azure_bundle(cors={"CORSRules": []}))
    assert "Azure Blob CORS" in str(e.value)


def test_hg707_one_finding_per_origin():
    found = run(azure_bundle(cors=azure_cors("https://example.com")), "HG707")
    assert [f.message for f in found] == [
        f"No Blob CORS rule of account '{AZURE_ACCOUNT}' allows origin 'https://hub.ango.ai'",
        f"No Blob CORS rule of account '{AZURE_ACCOUNT}' allows origin 'https://api.ango.ai'",
    ]


@pytest.mark.parametrize("value,finding", [("private", False), ("off", False), ("None", False), ("Blob", True),
                                           ("container", True)])
def test_hg710_levels(value, finding):
    assert bool(run(azure_bundle(public_access=value), "HG710")) is finding


def test_public_access_unknown_value_is_input_error():
    with pytest.raises(InputError):
        bundle_from_data(azure_bundle(public_access="public"))


def test_hg711_url_container_mismatch():
    url = f"https://{AZURE_ACCOUNT}.blob.core.windows.net/videos?{azure_sas()}"
    (f,) = run(azure_bundle(sas=url), "HG711")
    assert f.message == f"The SAS URL is for container 'videos', but container is '{AZURE_CONTAINER}'"


def test_aws_and_gcp_rules_do_not_fire_on_azure_bundles():
    assert run(azure_bundle()) == []


def test_azure_rules_ignore_aws_bundles():
    assert [f for f in run(good_bundle()) if f.rule.startswith("HG7")] == []


def test_profile_bounds_are_read_from_the_profile(tmp_path):
    from importlib import resources

    import yaml

    prof = yaml.safe_load(resources.files("hubgate.profiles").joinpath("ango-hub.yaml").read_text())
    prof["azure"]["sas_permissions"] = "rlw"
    prof["azure"]["max_sas_lifetime_days"] = 30
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(prof))
    b = azure_bundle(sas=azure_sas(sp="rlw"), profile="p.yaml")
    (tmp_path / "integration.yaml").write_text(json.dumps(b))
    from hubgate.bundle import load_bundle
    from hubgate.rules import Target, run_rules as rr

    bundle = load_bundle(tmp_path / "integration.yaml")
    rules = {f.rule for f in rr([Target("bundle", bundle=bundle, organization=[bundle])])}
    assert "HG701" not in rules and "HG704" in rules  # 180 days > 30
