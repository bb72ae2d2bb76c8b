"""hubgate prove: the pure parts (policy rewriting, verdicts, URL tampering, endpoint checks, reporters)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlparse

import pytest

from hubgate.scenarios.backends import check_endpoint, is_loopback_url
from hubgate.scenarios.catalog import SCENARIOS
from hubgate.scenarios.probes import tamper
from hubgate.scenarios.provision import remove_action, rewrite_buckets, rewrite_principal, unique_bucket
from hubgate.scenarios.report import render
from hubgate.scenarios.runner import Result, Verdict, key_from_manifest_url, manifest_url


def test_rewrite_buckets_exact_and_prefix_safe():
    pol = {"Statement": [{"Resource": ["arn:aws:s3:::img", "arn:aws:s3:::img/*", "arn:aws:s3:::img2/*",
                                       "arn:aws:s3:::*", "arn:aws:s3:::im*"]}]}
    out = rewrite_buckets(pol, {"img": "img-hgabc123"})
    assert out["Statement"][0]["Resource"] == ["arn:aws:s3:::img-hgabc123", "arn:aws:s3:::img-hgabc123/*",
                                               "arn:aws:s3:::img2/*", "arn:aws:s3:::*", "arn:aws:s3:::im*"]
    assert pol["Statement"][0]["Resource"][0] == "arn:aws:s3:::img"  # the bundle's document is not changed


def test_unique_bucket_keeps_wildcards_matching_and_fits():
    assert unique_bucket("acme-images", "0a1b2c") == "acme-images-hg0a1b2c"
    assert len(unique_bucket("x" * 63, "0a1b2c")) == 63


def test_rewrite_principal_only_the_profiles_principal():
    trust = {"Statement": [{"Principal": {"AWS": ["arn:aws:iam::397578311638:user/angohub-delegate", "*"]}}]}
    out = rewrite_principal(trust, "arn:aws:iam::397578311638:user/angohub-delegate", "arn:aws:iam::1:user/d")
    assert out["Statement"][0]["Principal"]["AWS"] == ["arn:aws:iam::1:user/d", "*"]


def test_remove_action_as_a_user_would_and_reports_wildcards():
    pol = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "*"}]}
    out, still = remove_action(pol, "s3:GetObject")
    assert [s["Action"] for s in out["Statement"]] == [["s3:ListBucket"], ["s3:Get*"]]
    assert still == ["s3:Get*"]
    only, _ = remove_action({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
                            "s3:GetObject")
    assert only["Statement"] and "s3:GetObject" not in json.dumps(only)


def test_verdict_never_passes_on_a_control_the_backend_ignored():
    v = Verdict()
    v.control("c", False, "tampered URL -> 200")
    v.check("x", True, "...")
    assert v.result() == "not-enforced"
    v = Verdict()
    v.control("c", False, "...")
    v.check("x", False, "...")  # wrong, but the control did not hold: cannot be judged
    assert v.result() == "not-enforced"
    assert "not judged" in v.evidence[-1]


def test_verdict_fail_and_pass_and_scoped_controls():
    v = Verdict()
    v.control("a", True, "...")
    v.control("b", False, "...")
    v.check("needs-a", False, "...", ("a",))
    assert v.result() == "fail"
    v = Verdict()
    v.control("a", True, "...")
    v.control("b", False, "...")
    v.check("needs-a", True, "...", ("a",))
    assert v.result() == "pass"  # the check depends only on control a
    v = Verdict()
    v.control("a", True, "...")
    assert v.result() == "not-enforced"  # no check at all is never a pass


def test_tamper_changes_only_what_it_says():
    url = ("http://127.0.0.1:1/b/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F2026"
           "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc0")
    q = dict(parse_qsl(urlparse(tamper(url, "signature")).query))
    assert q["X-Amz-Signature"] == "abc1" and q["X-Amz-Credential"] == "AK/2026"
    assert dict(parse_qsl(urlparse(tamper(url, "expiry")).query))["X-Amz-Expires"] == "604800"
    assert urlparse(tamper(url, "key", "/b/other.txt")).path == "/b/other.txt"


def test_manifest_url_form_round_trips_spaces_plus_unicode():
    for key in ("file 2.jpg", "a+b c.jpg", "ünï/猫 1.jpg"):
        url = manifest_url("bucket-name", "eu-central-1", key)
        assert url.startswith("https://bucket-name.s3.eu-central-1.amazonaws.com/")
        assert " " not in url and "+" not in url.split(".com/")[1]
        assert key_from_manifest_url(url) == ("bucket-name", key)
    assert key_from_manifest_url("https://b.s3.us-east-1.amazonaws.com/file+2.jpg")[1] == "file+2.jpg"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000", "http://localhost:1", "http://[::1]:8333"])
def test_loopback_endpoints_accepted(url):
    assert is_loopback_url(url)
    check_endpoint(url, allow_remote=False)


@pytest.mark.parametrize("url", ["http://10.0.0.1:9000", "https://s3.amazonaws.com", "http://localhost.evil.com"])
def test_remote_endpoints_need_allow_remote(url):
    with pytest.raises(ValueError, match="--allow-remote"):
        check_endpoint(url, allow_remote=False)
    check_endpoint(url, allow_remote=True)


RESULTS = [Result("read-only-enforced", "moto", "fail", ["check put b: PutObject allowed -> WRONG"], "acme"),
           Result("presign-tamper", "moto", "not-enforced", ["control t: 200 -> NOT enforced by this backend"], "acme"),
           Result("key-encoding", "moto", "pass", ["check k -> ok"], "acme"),
           Result("presign-expiry", "minio", "skipped", ["skipped: no Docker engine"], "acme")]


def test_json_shape_is_design_section_4():
    doc = json.loads(render(RESULTS, "json"))
    assert [set(s) >= {"scenario", "backend", "result", "evidence"} for s in doc["scenarios"]] == [True] * 4
    assert {s["result"] for s in doc["scenarios"]} <= {"pass", "fail", "not-enforced", "skipped"}
    assert set(SCENARIOS) >= {s["scenario"] for s in doc["scenarios"]}


def test_junit_sarif_github_text():
    root = ET.fromstring(render(RESULTS, "junit").split("\n", 1)[1])
    assert root.get("tests") == "4" and root.get("failures") == "1" and root.get("skipped") == "2"
    sarif = json.loads(render(RESULTS, "sarif"))
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels == {"read-only-enforced": "error", "presign-tamper": "note", "presign-expiry": "none"}
    gh = render(RESULTS, "github")
    assert gh.startswith("::error title=read-only-enforced (moto)::fail") and "::notice" in gh
    text = render(RESULTS, "text")
    assert "FAIL          read-only-enforced" in text and "1 pass, 1 fail, 1 not-enforced, 1 skipped" in text
