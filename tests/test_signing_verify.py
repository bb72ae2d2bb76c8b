"""``hubgate signing verify`` on the published vectors: per-case results, pass counts, exit codes."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from hubgate.cli.signing import signing_group
from hubgate.signing import default_vectors_dir, first_diff

AWS = default_vectors_dir() / "aws-sigv4-testsuite"  # the copy shipped in the package


def run(*args):
    result = CliRunner().invoke(signing_group, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def cases(result, **match):
    doc = json.loads(result.stdout)
    return [c for c in doc["cases"] if all(c.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def default_run():
    return run("verify", "--format", "json")


def test_aws_suite_botocore_passes_all_34_with_ordered_pairs(default_run):
    aws = cases(default_run, suite="aws-sigv4-testsuite", signer="botocore")
    assert len(aws) == 34
    assert all(c["mode"] == "header" for c in aws)
    assert [c["case"] for c in aws if c["result"] != "pass"] == []
    assert "normalize-path/get-space" in {c["case"] for c in aws}  # the case http.server cannot parse


def test_dict_explanation_is_attached_to_exactly_the_repeated_key_cases(default_run):
    aws = cases(default_run, suite="aws-sigv4-testsuite", signer="botocore")
    explained = {c["case"] for c in aws if "params_as_dict" in c}
    assert explained == {"get-vanilla-query-order-key", "get-vanilla-query-order-value"}
    notes = json.loads(default_run.stdout)["notes"]
    assert any("34/34 with query parameters as ordered pairs, 32/34 as a dict" in n for n in notes)


def test_query_params_as_dict_fails_exactly_two_and_exits_1():
    r = run("verify", "--signer", "botocore", "--query-params", "dict", "--format", "json")
    aws = cases(r, suite="aws-sigv4-testsuite")
    assert len(aws) == 34 and {c["signer"] for c in aws} == {"botocore[params=dict]"}
    failed = {c["case"]: c["diff"] for c in aws if c["result"] == "fail"}
    assert set(failed) == {"get-vanilla-query-order-key", "get-vanilla-query-order-value"}
    assert failed["get-vanilla-query-order-key"] == (
        "canonical request line 3: expected 'Param1=Value1&Param1=value2', got 'Param1=Value1'")
    assert r.exit_code == 1


def test_s3_documentation_examples_botocore_and_minio(default_run):
    pytest.importorskip("minio")
    docs = cases(default_run, suite="s3-docs")
    got = {(c["signer"], c["mode"]): c["result"] for c in docs}
    assert got == {("botocore", "query"): "pass", ("botocore", "header"): "pass",
                   ("minio", "query"): "pass", ("minio", "header"): "pass"}


def test_s3_doc_signatures_are_the_published_ones():
    from hubgate.signing.sigv4 import sign_botocore
    from hubgate.signing.suites import s3_doc_cases

    presign, header = s3_doc_cases()
    assert sign_botocore(presign.request, presign.context, "query").signature == (
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    assert sign_botocore(header.request, header.context, "header").signature == (
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


def test_missing_optional_library_is_reported_not_dropped(monkeypatch):
    import hubgate.signing.suites as suites

    real = suites.library_available
    monkeypatch.setattr(suites, "library_available", lambda s: s != "minio" and real(s))
    r = run("verify", "--signer", "botocore", "--signer", "minio", "--format", "json")
    minio = cases(r, suite="s3-docs", signer="minio")
    assert len(minio) == 2
    assert all(c["result"] == "error" and c["reason"] == "missing-library" for c in minio)
    assert "not installed" in minio[0]["diff"]
    assert r.exit_code == 0
    assert run("verify", "--signer", "botocore", "--signer", "minio", "--strict").exit_code == 1


def test_gcs_conformance(default_run):
    pytest.importorskip("google.cloud.storage")
    gcs = cases(default_run, suite="gcs-v4-signatures")
    assert len(gcs) == 29 + 11
    by_result = {}
    for c in gcs:
        by_result.setdefault(c["result"], []).append(c["case"][:11])
    # Case 28's expectedCanonicalRequest is wrong upstream (path style under a virtual-hosted URL).
    inconsistent = [c for c in gcs if c.get("reason") == "inconsistent-vector"]
    assert [c["case"] for c in inconsistent] == ["signing/28 Universe domain with virtual hosted style"]
    assert inconsistent[0]["result"] == "error"
    assert "matches expectedUrl and expectedStringToSign" in inconsistent[0]["diff"]
    # google-cloud-storage 3.x: host with port signed as sent (21, 23, 25), scheme-less client endpoint (22).
    assert sorted(by_result["fail"]) == ["signing/21 ", "signing/22 ", "signing/23 ", "signing/25 "]
    assert all(c.get("note") for c in gcs if c["result"] == "fail")
    assert len(by_result["pass"]) == 35
    assert all(c["result"] == "pass" for c in gcs if c["mode"] == "post-policy")
    assert default_run.exit_code == 1  # those four are real differences


def test_text_output_names_first_differing_line(tmp_path):
    suite = tmp_path / "s"
    shutil.copytree(AWS / "get-vanilla", suite / "get-vanilla")
    sts = suite / "get-vanilla" / "get-vanilla.sts"
    sts.write_text(sts.read_text().replace("us-east-1", "us-west-2"))
    r = run("verify", "--suite", str(suite))
    assert r.exit_code == 1
    assert "FAIL  s :: get-vanilla :: botocore (header)" in r.stdout
    assert ("string to sign line 3: expected '20150830/us-west-2/service/aws4_request', "
            "got '20150830/us-east-1/service/aws4_request'") in r.stdout
    assert "1 cases: 0 passed, 1 failed" in r.stdout


@pytest.mark.parametrize("setup, words", [
    ("missing", ["no such suite directory"]),
    ("empty", ["not a SigV4 suite"]),
    ("no-creq", ["get-vanilla.creq", "missing"]),
    ("bad-request-line", ["malformed request line"]),
])
def test_bad_input_exits_2_with_one_line(tmp_path, setup, words):
    suite = tmp_path / "s"
    if setup != "missing":
        suite.mkdir()
    if setup in ("no-creq", "bad-request-line"):
        shutil.copytree(AWS / "get-vanilla", suite / "get-vanilla")
    if setup == "no-creq":
        (suite / "get-vanilla" / "get-vanilla.creq").unlink()
    if setup == "bad-request-line":
        (suite / "get-vanilla" / "get-vanilla.req").write_text("GARBAGE\nHost:x\n")
    r = run("verify", "--suite", str(suite))
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output
    assert all(w in lines[0] for w in words)


def test_missing_vectors_dir_exits_2(tmp_path):
    r = run("verify", "--vectors", str(tmp_path / "nope"))
    assert r.exit_code == 2 and "no vectors directory" in r.stderr


def test_first_diff():
    assert first_diff("x", "a\nb", "a\nb") is None
    assert first_diff("x", "a\nb", "a\nc") == "x line 2: expected 'b', got 'c'"
    assert first_diff("x", "a", "a\nc") == "x line 2: expected (no line), got 'c'"


def test_missing_gcs_library_reports_every_case_as_error(monkeypatch):
    import hubgate.signing.gcs as gcs

    monkeypatch.setattr(gcs, "available", lambda: False)
    r = run("verify", "--signer", "google-cloud-storage", "--format", "json")
    got = cases(r, suite="gcs-v4-signatures")
    assert len(got) == 40 and {(c["result"], c["reason"]) for c in got} == {("error", "missing-library")}
    assert r.exit_code == 0
    assert run("verify", "--signer", "google-cloud-storage", "--strict").exit_code == 1
