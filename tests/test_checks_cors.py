"""HG301-HG304: S3 CORS rules, evaluated as S3 evaluates them; and the shipped examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from hubgate.example import cors, example_targets, good_bundle
from hubgate.rules import run_rules

from rulehelpers import assert_own_examples, load_rules

load_rules()  # every rule module imported before one is imported by name below

from hubgate.cors import S3, matching_rule  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HUB, API = "https://hub.ango.ai", "https://api.ango.ai"
FAMILY = ("HG301", "HG302", "HG303", "HG304")
C0 = "/buckets/0/cors/CORSRules/0"


def run(bundle, rule=None):
    return [f for f in run_rules(example_targets(bundle)) if rule is None or f.rule == rule]


def with_cors(doc, **kw):
    return good_bundle(buckets=[{"name": "my-bucket", "cors": doc}], **kw)


def rule(origins, methods=("GET",), headers=None):
    r = {"AllowedOrigins": list(origins), "AllowedMethods": list(methods)}
    if headers is not None:
        r["AllowedHeaders"] = list(headers)
    return r


@pytest.mark.parametrize("rule_id", FAMILY)
def test_rule_examples(rule_id):
    assert_own_examples(rule_id)


# --- S3 matching semantics ----------------------------------------------------------------------------


@pytest.mark.parametrize("entry,origin,expected", [
    (HUB, HUB, True),
    ("*", HUB, True),
    ("https://*.ango.ai", HUB, True),
    ("https://*.ango.ai", "https://evil.com/.ango.ai", True),  # S3's '*' is any run of characters
    ("https://*", HUB, True),
    ("https://*.ango.ai", "https://ango.ai", False),
    ("https://hub.ango.ai/", HUB, False),  # trailing slash: not the same origin string
    ("http://hub.ango.ai", HUB, False),
    ("HTTPS://HUB.ANGO.AI", HUB, False),  # S3 compares origins case-sensitively
    ("https://*.*.ai", HUB, False),  # more than one wildcard: S3 refuses it, it matches nothing
])
def test_origin_matching(entry, origin, expected):
    assert S3.rule({"AllowedOrigins": [entry]}).allows_origin(origin) is expected


def test_first_matching_rule_for_origin_and_method_wins():
    rules = [S3.rule(rule([HUB], ["PUT"]), "/0"), S3.rule(rule(["*"], ["GET"]), "/1"), S3.rule(rule([HUB], ["GET"]), "/2")]
    assert matching_rule(rules, HUB, "GET").pointer == "/1"
    assert matching_rule(rules, HUB, "PUT").pointer == "/0"
    assert matching_rule(rules, "https://x.example", "PUT") is None


def test_preflight_headers_select_the_rule():
    rules = [S3.rule(rule([HUB], ["GET"], ["Authorization"]), "/0"), S3.rule(rule([HUB], ["GET"], ["*"]), "/1")]
    assert matching_rule(rules, HUB, "GET").pointer == "/0"
    assert matching_rule(rules, HUB, "GET", ["range"]).pointer == "/1"
    assert matching_rule(rules, HUB, "GET", ["authorization"]).pointer == "/0"  # header names: any case
    assert matching_rule(rules[:1], HUB, "GET", ["Range"]) is None


# --- HG301 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bucket,pointer", [
    ({"name": "my-bucket"}, "/buckets/0"),
    ({"name": "my-bucket", "cors": []}, "/buckets/0/cors"),
    ({"name": "my-bucket", "cors": {"CORSRules": []}}, "/buckets/0/cors"),
], ids=["absent", "empty-list", "empty-CORSRules"])
def test_hg301_no_cors(bucket, pointer):
    found = run(good_bundle(buckets=[bucket]))
    assert [(f.rule, f.pointer) for f in found if f.rule in FAMILY] == [("HG301", pointer)]
    assert "'my-bucket'" in found[0].message
    assert '"AllowedOrigins": ["https://hub.ango.ai", "https://api.ango.ai"]' in found[0].fix


def test_hg301_each_bucket():
    b = good_bundle(buckets=[{"name": "my-bucket", "cors": cors()}, {"name": "b2"}, {"name": "b3"}])
    assert [f.pointer for f in run(b, "HG301")] == ["/buckets/1", "/buckets/2"]


@pytest.mark.parametrize("provider,expected", [("aws", 1), ("s3-compatible", 1), ("gcp", 0), ("azure", 0)])
def test_hg301_only_for_s3_providers(provider, expected):
    assert len(run(good_bundle(provider=provider, buckets=[{"name": "my-bucket"}]), "HG301")) == expected


# --- HG302 --------------------------------------------------------------------------------------------


def test_hg302_one_finding_per_missing_origin():
    found = run(with_cors(cors(HUB)), "HG302")
    assert [(f.pointer, f.message) for f in found] == [
        (f"{C0}/AllowedOrigins", "No CORS rule of bucket 'my-bucket' allows origin 'https://api.ango.ai'")]
    assert found[0].fix == 'Add "https://api.ango.ai" to AllowedOrigins of CORS rule 0'


def test_hg302_both_missing():
    found = run(with_cors(cors("https://example.com")), "HG302")
    assert [f.message.rsplit(" ", 1)[1] for f in found] == [f"'{HUB}'", f"'{API}'"]


@pytest.mark.parametrize("doc", [
    cors(),
    [rule([HUB]), rule([API])],  # bare list, one rule per origin
    cors("https://*.ango.ai"),  # wildcard matches (HG304 warns about its width)
    {"CORSRules": [rule([HUB, API], ["PUT"])]},  # origin matched: the method is HG303's
], ids=["both", "bare-list", "wildcard", "wrong-method"])
def test_hg302_pass(doc):
    assert run(with_cors(doc), "HG302") == []


@pytest.mark.parametrize("entry", ["https://hub.ango.ai/", "HTTPS://HUB.ANGO.AI", "https://*.*.ai", "http://hub.ango.ai"])
def test_hg302_near_misses_do_not_match(entry):
    found = run(with_cors(cors(entry, API)), "HG302")
    assert [f.message for f in found] == ["No CORS rule of bucket 'my-bucket' allows origin 'https://hub.ango.ai'"]


# --- HG303 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc,pointer", [
    (cors(methods=("PUT",)), f"{C0}/AllowedMethods"),
    (cors(methods=("HEAD",)), f"{C0}/AllowedMethods"),
    ([rule([HUB, API], ["POST", "DELETE"])], "/buckets/0/cors/0/AllowedMethods"),
], ids=["put", "head", "bare-list"])
def test_hg303_matching_rule_without_get(doc, pointer):
    found = run(with_cors(doc), "HG303")
    assert [f.pointer for f in found] == [pointer]
    assert "not GET" in found[0].message and "'https://hub.ango.ai', 'https://api.ango.ai'" in found[0].message
    assert found[0].fix.startswith('Add "GET" to AllowedMethods of CORS rule 0')


def test_hg303_points_at_the_first_rule_matching_the_origin():
    doc = {"CORSRules": [rule(["https://other.example"], ["GET"]), rule([HUB, API], ["PUT"])]}
    assert [f.pointer for f in run(with_cors(doc), "HG303")] == ["/buckets/0/cors/CORSRules/1/AllowedMethods"]


@pytest.mark.parametrize("doc", [
    {"CORSRules": [rule([HUB, API], ["PUT"]), rule([HUB, API], ["GET"])]},  # a later rule allows GET
    {"CORSRules": [rule([HUB, API], ["GET", "HEAD"])]},
    {"CORSRules": [rule([HUB], ["PUT"]), rule([HUB, API], ["GET"])]},
], ids=["later-rule", "get-head", "mixed"])
def test_hg303_pass(doc):
    assert run(with_cors(doc), "HG303") == []


@pytest.fixture
def header_profile(tmp_path):
    from hubgate.profile import builtin

    data = dict(builtin().data)
    data["cors"] = {**data["cors"], "headers": ["Range"]}
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_hg303_preflight_headers_refused(header_profile):
    doc = {"CORSRules": [rule([HUB, API], ["GET"], ["Authorization"])]}
    found = run(with_cors(doc, profile=header_profile), "HG303")
    assert [f.pointer for f in found] == [f"{C0}/AllowedHeaders"]
    assert "Range" in found[0].message


@pytest.mark.parametrize("doc", [
    {"CORSRules": [rule([HUB, API], ["GET"], ["*"])]},
    {"CORSRules": [rule([HUB, API], ["GET"], ["range"])]},
    {"CORSRules": [rule([HUB, API], ["GET"]), rule([HUB, API], ["GET"], ["Range"])]},  # preflight uses rule 1
], ids=["star", "case-insensitive", "second-rule"])
def test_hg303_preflight_headers_pass(doc, header_profile):
    assert run(with_cors(doc, profile=header_profile), "HG303") == []


# --- HG304 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra,fragment,fix", [
    ("*", "allows any origin ('*')", "Replace '*' with the Hub origins"),
    ("https://*.ango.ai", "every origin matching 'https://*.ango.ai'", "Replace"),
    ("https://example.com", "origin 'https://example.com', which is not a Hub origin", "Remove 'https://example.com'"),
    ("http://hub.ango.ai", "origin 'http://hub.ango.ai'", "Remove"),
])
def test_hg304_wide_origins(extra, fragment, fix):
    found = run(with_cors(cors(HUB, API, extra)), "HG304")
    assert [(f.pointer, f.severity) for f in found] == [(f"{C0}/AllowedOrigins/2", "warning")]
    assert fragment in found[0].message and found[0].fix.startswith(fix)


def test_hg304_star_alone_replaces():
    found = run(with_cors(cors("*")))
    assert [(f.rule, f.pointer) for f in found if f.rule in FAMILY] == [("HG304", f"{C0}/AllowedOrigins/0")]


def test_hg304_pass():
    assert run(with_cors(cors()), "HG304") == []
    assert run(with_cors([rule([HUB]), rule([API], ["GET", "HEAD"])]), "HG304") == []


# --- the shipped examples -----------------------------------------------------------------------------


def _check(path):
    from hubgate.check import check_paths

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        report, _ = check_paths([path])
    finally:
        os.chdir(cwd)
    return report


def test_examples_good_has_no_finding():
    report = _check("examples/good")
    assert report.findings == [] and not report.errors


def test_examples_ango_docs_findings_of_these_families():
    """The docs' bundle lists its buckets without CORS (the docs' "Mandatory step"): HG301 for each. Its
    external ID is the docs' placeholder, which is HG109's alone: no HG204/HG206, and the trust policy
    otherwise follows the docs exactly (no other HG2xx); the record is well-formed (no HG4xx)."""
    report = _check("examples/ango-docs")
    mine = sorted((f.rule, f.pointer) for f in report.findings if f.rule[:3] in ("HG2", "HG3", "HG4"))
    assert mine == [("HG301", "/buckets/0"), ("HG301", "/buckets/1")]
    assert any(f.rule == "HG109" and f.pointer == "/external_id" for f in report.findings)
