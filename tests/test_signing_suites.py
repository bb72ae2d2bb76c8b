"""``hubgate signing verify --suite DIR`` on the aws-c-auth layout, with a suite written from the spec."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pytest
from click.testing import CliRunner

from hubgate.cli.signing import signing_group

from conftest import FIXTURES

C_LAYOUT = FIXTURES / "sigv4-c-layout"


def run(*args):
    result = CliRunner().invoke(signing_group, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _generator():
    spec = importlib.util.spec_from_file_location("c_layout_generate", C_LAYOUT / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fixture_suite_is_what_the_spec_generator_writes_and_anchored_to_the_aws_suite():
    gen = _generator()
    files = gen.build()
    # The independent reference reproduces the published AWS suite's get-vanilla signature.
    assert files["suite/get-vanilla/header-signature.txt"] == gen.AWS_SUITE_GET_VANILLA
    on_disk = {p.relative_to(C_LAYOUT).as_posix(): p.read_text(encoding="utf-8")
               for p in C_LAYOUT.rglob("*") if p.is_file() and p.name not in ("generate.py", "README.md")}
    assert on_disk == files


def test_c_layout_suite_all_pass_header_and_query():
    r = run("verify", "--suite", str(C_LAYOUT / "suite"), "--format", "json")
    doc = json.loads(r.stdout)
    bot = [c for c in doc["cases"] if c["signer"] == "botocore"]
    assert len(bot) == 14
    assert {c["mode"] for c in bot} == {"header", "query"}
    assert [c for c in doc["cases"] if c["result"] != "pass"] == []
    assert any("aws-c-auth layout, 8 cases" in n for n in doc["notes"])
    if importlib.util.find_spec("minio"):
        mn = [c for c in doc["cases"] if c["signer"] == "minio"]
        assert len(mn) == 4 and {c["case"] for c in mn} == {"s3-get-awkward-key", "s3-presign-session-token"}
    assert r.exit_code == 0


def test_repeated_query_keys_botocore_presign_keeps_one_value():
    r = run("verify", "--suite", str(C_LAYOUT / "repeated-query-keys"), "--format", "json")
    got = {c["mode"]: c for c in json.loads(r.stdout)["cases"]}
    assert got["header"]["result"] == "pass"
    assert got["query"]["result"] == "fail"
    assert got["query"]["diff"].startswith("canonical request line 3")
    assert got["query"]["diff"].endswith("got '...es=3600&X-Amz-SignedHeaders=host&j=0&k=1'")
    assert "one value" in got["query"]["note"]
    assert r.exit_code == 1


def test_tampered_query_signature_fails(tmp_path):
    suite = tmp_path / "mine"
    shutil.copytree(C_LAYOUT / "suite" / "get-vanilla", suite / "get-vanilla")
    sig = suite / "get-vanilla" / "query-signature.txt"
    sig.write_text("0" * 64)
    (suite / "get-vanilla" / "query-signed-request.txt").unlink()
    r = run("verify", "--suite", str(suite), "--format", "json")
    res = {c["mode"]: c for c in json.loads(r.stdout)["cases"]}
    assert res["header"]["result"] == "pass"
    assert res["query"]["result"] == "fail" and res["query"]["diff"].startswith("signature line 1: expected '0000")
    assert r.exit_code == 1


@pytest.mark.parametrize("mutate, words", [
    (lambda d: (d / "context.json").write_text("{"), ["context.json", "not valid JSON"]),
    (lambda d: (d / "context.json").write_text('{"region": "us-east-1"}'), ["missing credentials", "service"]),
    (lambda d: (d / "request.txt").unlink(), ["request.txt", "missing"]),
    (lambda d: (d / "query-string-to-sign.txt").unlink(), ["query signing is incomplete",
                                                            "query-string-to-sign.txt"]),
    (lambda d: (d / "header-signed-request.txt").write_text("GET / HTTP/1.1\n"), ["does not carry the signature"]),
])
def test_malformed_case_exits_2(tmp_path, mutate, words):
    d = tmp_path / "s" / "get-vanilla"
    shutil.copytree(C_LAYOUT / "suite" / "get-vanilla", d)
    mutate(d)
    r = run("verify", "--suite", str(tmp_path / "s"))
    assert r.exit_code == 2
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in r.output
    assert all(w in line for w in words), line


def test_unsupported_combination_is_an_error_not_a_failure(tmp_path):
    d = tmp_path / "s" / "s3-get-awkward-key"
    shutil.copytree(C_LAYOUT / "suite" / "s3-get-awkward-key", d)
    ctx = json.loads((d / "context.json").read_text())
    ctx["normalize"] = True  # neither botocore nor minio-py ever normalises an S3 path
    (d / "context.json").write_text(json.dumps(ctx))
    r = run("verify", "--suite", str(tmp_path / "s"), "--format", "json")
    res = json.loads(r.stdout)["cases"]
    assert {c["result"] for c in res} == {"error"} and {c["reason"] for c in res} == {"unsupported"}
    assert "normalize=true for s3" in [c for c in res if c["signer"] == "botocore"][0]["diff"]
    assert r.exit_code == 0
    assert run("verify", "--suite", str(tmp_path / "s"), "--strict").exit_code == 1


def test_unnormalized_cases_are_signed_as_s3_signs_and_pass():
    """aws-c-auth's ``"normalize": false`` cases for a non-S3 service: the path as sent (no dot-segment or
    empty-segment removal), still encoded once more; 7 cases, header and query."""
    r = run("verify", "--suite", str(C_LAYOUT / "unnormalized"), "--format", "json")
    doc = json.loads(r.stdout)
    got = {(c["case"], c["mode"]): c for c in doc["cases"]}
    assert len(got) == 14 and {c["signer"] for c in doc["cases"]} == {"botocore"}
    assert [k for k, c in got.items() if c["result"] != "pass"] == []
    assert all("normalisation step left out" in c["note"] for c in got.values())
    assert r.exit_code == 0


def test_unnormalized_path_reaches_the_canonical_request_as_sent():
    from hubgate.signing.sigv4 import sign_botocore
    from hubgate.signing.suites import load_c_suite

    cases = {c.name: c for c in load_c_suite(C_LAYOUT / "unnormalized")}
    for name, path in [("get-slashes-unnormalized", "//example//"), ("get-space-unnormalized", "/example%20space/"),
                       ("get-relative-relative-unnormalized", "/example1/example2/../..")]:
        case = cases[name]
        for mode in ("header", "query"):
            out = sign_botocore(case.request, case.context, mode)
            assert out.canonical_request.split("\n")[1] == path
            assert out.signature == case.expected[mode].signature


def test_form_urlencoded_body_is_read_as_a_form_in_both_modes():
    """Header mode signs the body's hash and passes; botocore's presigner takes a form body as parameters and
    moves it into the query string: a named difference, not a JSON decoding crash."""
    r = run("verify", "--suite", str(C_LAYOUT / "form-urlencoded"), "--format", "json")
    doc = json.loads(r.stdout)
    got = {(c["case"], c["mode"]): c for c in doc["cases"]}
    assert len(got) == 4
    for case in ("post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"):
        assert got[(case, "header")]["result"] == "pass"
        query = got[(case, "query")]
        assert query["result"] == "fail"
        assert "JSONDecodeError" not in query["diff"] and "raised" not in query["diff"]
        assert query["diff"].startswith("canonical request line 3, column 1: expected 'X-Amz-Algorithm=")
        assert "got 'Param1=value1&X-Amz-Algorithm=" in query["diff"]
        assert "moves a form-urlencoded body into the query string" in query["note"]
    assert r.exit_code == 1
    as_dict = run("verify", "--suite", str(C_LAYOUT / "form-urlencoded"), "--query-params", "dict",
                  "--format", "json")
    assert all("raised" not in (c["diff"] or "") for c in json.loads(as_dict.stdout)["cases"])
