"""Fuzz/property suite (issue #20): random bytes, random YAML/JSON trees, deep nesting and random secrets
through ``hubgate check`` (and ``hubgate manifest``) in every format.

Whatever the input: the exit code is 0, 1 or 2, no traceback is printed, and no planted secret appears in
stdout, stderr or a written report. In-process (click's runner) for speed, plus a few real processes.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from hubgate.example import good_bundle

FORMATS = ("text", "json", "sarif", "junit", "github")
FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# long enough that a chance match in hubgate's own text is impossible; the characters keys and SAS use
secrets_ = st.text(alphabet=string.ascii_letters + string.digits + "/+=%-", min_size=24, max_size=48).filter(
    lambda s: len(set(s)) > 8)
keys = st.text(alphabet=string.ascii_letters + string.digits + "_:-~/ \t\u00e9\u0007", min_size=0, max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                    st.text(max_size=30))
trees = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(keys, kids, max_size=4),
                     max_leaves=25)
BUNDLE_FIELDS = ("name", "provider", "region", "access_type", "role_arn", "external_id", "permission_policy",
                 "trust_policy", "buckets", "cors", "sas", "account", "container", "credentials", "profile")


def _check_all_formats(hubgate, path: Path, env: dict | None = None, planted: tuple[str, ...] = (),
                       command: tuple[str, ...] = ("check",)) -> None:
    for fmt in FORMATS:
        out = path.parent / f"report.{fmt}"
        run = hubgate(*command, str(path), "--format", fmt, env=env)
        written = hubgate(*command, str(path), "--format", fmt, "-o", str(out), env=env)
        report = out.read_text("utf-8") if out.exists() else ""
        for r in (run, written):
            assert r.code in (0, 1, 2), (fmt, r.code, r.output[-2000:])
            assert "Traceback" not in r.output
        for secret in planted:
            for text in (run.stdout, run.stderr, written.stderr, report):
                assert secret not in text, (fmt, secret)


@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["p.json", "p.yaml", "integration.yaml", "x.hubgate.json"]))
def test_random_bytes(hubgate, data, name):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(data)
        _check_all_formats(hubgate, path)


@FUZZ
@given(tree=trees, as_yaml=st.booleans())
def test_random_trees_as_policy_and_bundle(hubgate, tree, as_yaml):
    with tempfile.TemporaryDirectory() as d:
        text = yaml.safe_dump(tree) if as_yaml else json.dumps(tree)
        _check_all_formats(hubgate, _write(Path(d) / ("p.yaml" if as_yaml else "p.json"), text))
        policy = {"Version": "2012-10-17", "Statement": [tree, {"Effect": "Allow", "Action": tree, "Resource": "*"}]}
        _check_all_formats(hubgate, _write(Path(d) / "pol.json", json.dumps(policy)))


RAW_TOKENS = ["9" * 5000, "-" + "1" * 4301, "0123", '"\\ud800"', '"\\ud83d\\ude00"', "NaN", "1e999", '"\\u0000"',
              '"\\u001b[2J"', '{"a": 1, "a": 2}', "\t[1]", '"' + "k" * 1100 + '"']


@FUZZ
@given(tree=trees, tokens=st.lists(st.sampled_from(RAW_TOKENS), min_size=1, max_size=3), wrap=st.booleans())
def test_json_with_awkward_tokens(hubgate, tree, tokens, wrap):
    """Tokens json.dumps never writes: long numbers, leading zeros, surrogates, duplicate keys, tabs, long keys."""
    text = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "@0", "Resource": tree},
                                                              {"Sid": "@1", "Condition": "@2"}]})
    for i in range(3):
        text = text.replace(f'"@{i}"', tokens[i % len(tokens)])
    if wrap:
        text = "\t" + text
    with tempfile.TemporaryDirectory() as d:
        _check_all_formats(hubgate, _write(Path(d) / "p.json", text))


@FUZZ
@given(field=st.sampled_from(BUNDLE_FIELDS), tree=trees)
def test_random_values_in_bundle_fields(hubgate, field, tree):
    with tempfile.TemporaryDirectory() as d:
        _check_all_formats(hubgate, _write(Path(d) / "integration.json", json.dumps(good_bundle(**{field: tree}))))


@FUZZ
@given(depth=st.integers(200, 3000), kind=st.sampled_from(["[", '{"a":', "yaml-block", "yaml-flow"]))
def test_deep_nesting(hubgate, depth, kind):
    if kind == "yaml-block":
        text = "".join("  " * i + "a:\n" for i in range(depth)) + "  " * depth + "b\n"
    elif kind == "yaml-flow":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = kind * depth + "1" + ("]" if kind == "[" else "}") * depth
    with tempfile.TemporaryDirectory() as d:
        _check_all_formats(hubgate, _write(Path(d) / ("p.yaml" if kind.startswith("yaml") else "p.json"), text),
                           command=("check",))


@FUZZ
@given(secret=secrets_, where=st.sampled_from(["secret_access_key", "secret-as-list", "secret-in-key-id", "env-external-id",
                                               "sas", "sas-as-mapping"]))
def test_random_secrets_never_printed(hubgate, secret, where):
    env = None
    if where == "secret_access_key":
        b = good_bundle(access_type="access-key", access_key_id="AKIAABCDEFGHIJKLWXYZ", secret_access_key=secret)
    elif where == "secret-as-list":
        b = good_bundle(secret_access_key=[secret, {"k": secret}])
    elif where == "secret-in-key-id":
        b = good_bundle(access_type="access-key", access_key_id=secret, secret_access_key=secret[::-1])
    elif where == "env-external-id":
        b, env = good_bundle(external_id="${env:HG_FUZZ_SECRET}"), {"HG_FUZZ_SECRET": secret}
    elif where == "sas":
        b = good_bundle(provider="azure", sas=f"sv=2022-11-02&ss=b&srt=co&sp=rl&se=2020-01-01&sig={secret}")
    else:
        b = good_bundle(provider="azure", sas={"sv": "2022-11-02", "sig": secret})
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d) / "integration.json", json.dumps(b))
        _check_all_formats(hubgate, path, env=env, planted=(secret,))
        baseline = Path(d) / "baseline.json"
        run = hubgate("check", str(path), "--write-baseline", str(baseline), env=env)
        assert run.code in (0, 2) and secret not in run.output
        assert not baseline.exists() or secret not in baseline.read_text("utf-8")


@FUZZ
@given(tree=trees)
def test_random_manifests(hubgate, tree):
    with tempfile.TemporaryDirectory() as d:
        path = _write(Path(d) / "assets.json", json.dumps([tree, {"externalId": "a", "data": tree}]))
        for fmt in FORMATS:
            run = hubgate("manifest", "validate", str(path), "--format", fmt)
            assert run.code in (0, 1, 2) and "Traceback" not in run.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_real_processes(process, tmp_path, fmt):
    """The same promises with a real interpreter, real stdout/stderr and the real environment."""
    secret = "Zq8/rT2+vW9xY4pL7mN3bC6dF1gH5jK0"
    b = good_bundle(external_id="${env:HG_FUZZ_SECRET}")
    bundle = _write(tmp_path / "b" / "integration.json", json.dumps(b))
    junk = tmp_path / "junk.json"
    junk.write_bytes(b'{"a": [\xff\x00' + b"[" * 5000)
    run = process("check", str(bundle), str(junk), "--format", fmt, env={"HG_FUZZ_SECRET": secret})
    assert run.code == 2 and "Traceback" not in run.output and secret not in run.output
    assert "junk.json" in run.output


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return path
