"""``hubgate check`` end to end: bad input (exit 2, one clear line, never a traceback), positions, env
variables, bare policies, --select/--ignore/--fail-on, --output, --quiet."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, FIXTURES, REPO, run_process

READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                   "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}],
}
BUNDLE_HEAD = "name: {name}\nprovider: aws\naccess_type: iam-delegated\nregion: eu-central-1\n"


def _bundle(name: str, policy_ref: str = "policy.json") -> str:
    return BUNDLE_HEAD.format(name=name) + f"permission_policy: {policy_ref}\nbuckets:\n  - name: b\n"


# Each case: files to write, then (file named in the message, words the message must contain).
BAD_INPUTS = {
    "invalid-yaml": ({"bad.hubgate.yaml": "name: [oops\nprovider: aws\n"}, "bad.hubgate.yaml", ["not valid YAML/JSON", "line"]),
    "invalid-json": ({"bad.hubgate.json": '{"name": "x",\n "provider": \n'}, "bad.hubgate.json", ["not valid YAML/JSON"]),
    "missing-reference": ({"bad.hubgate.yaml": _bundle("m", "nope.json")}, "nope.json",
                          ["file not found", "referenced at line 5 of bad.hubgate.yaml"]),
    "truncated-policy": ({"bad.hubgate.yaml": _bundle("t", "trunc.json"),
                          "trunc.json": json.dumps(READ_POLICY, indent=2)[:90]}, "trunc.json", ["not valid YAML/JSON"]),
    "bundle-is-a-list": ({"bad.hubgate.yaml": "- name: a\n- name: b\n"}, "bad.hubgate.yaml", ["must be a mapping", "list"]),
    "empty-file": ({"bad.hubgate.yaml": ""}, "bad.hubgate.yaml", ["empty"]),
    "binary-file": ({"bad.hubgate.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "bad.hubgate.yaml", ["binary"]),
    "not-utf8": ({"bad.hubgate.yaml": b"name: caf\xe9\nprovider: aws\n"}, "bad.hubgate.yaml", ["not UTF-8"]),
    "schema-violation": ({"bad.hubgate.yaml": "name: o\nprovider: oracle\n"}, "bad.hubgate.yaml",
                         ["not a valid bundle", "/provider", "line 2", "oracle"]),
    "unknown-key": ({"bad.hubgate.yaml": "name: o\nprovider: aws\nexpect: []\n"}, "bad.hubgate.yaml",
                    ["not a valid bundle", "'expect'"]),
    "effect-typo": ({"bad.hubgate.yaml": _bundle("e"),
                     "policy.json": json.dumps({"Version": "2012-10-17", "Statement": [
                         {"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]})},
                    "policy.json", ["/Statement/0/Effect", "'Alow'"]),
    "policy-without-statement": ({"bad.hubgate.yaml": BUNDLE_HEAD.format(name="s") + "permission_policy: {}\n"},
                                 "bad.hubgate.yaml", ["/permission_policy: policy has no Statement"]),
    "missing-env": ({"bad.hubgate.yaml": BUNDLE_HEAD.format(name="v") + "external_id: ${env:HG_TEST_NOT_SET_ANYWHERE}\n"},
                    "bad.hubgate.yaml", ["HG_TEST_NOT_SET_ANYWHERE", "not set"]),
}


def _write(root: Path, files: dict) -> None:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_json_format(case, tmp_path):
    files, named, words = BAD_INPUTS[case]
    _write(tmp_path, files)
    run = run_process("check", "bad." + ("hubgate.json" if "bad.hubgate.json" in files else "hubgate.yaml"),
                      "--format", "json", cwd=tmp_path)
    assert run.code == 2, run.output
    assert "Traceback" not in run.output
    lines = run.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {run.stderr!r}"
    (line,) = lines
    assert line.startswith(f"hubgate: {named}: "), line
    for w in words:
        assert w in line, f"{w!r} not in {line!r}"
    doc = run.json()  # stdout is still one JSON document
    assert doc["summary"]["input_errors"] == 1 and [e["file"] for e in doc["errors"]] == [named]


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_text_format(case, tmp_path):
    files, named, words = BAD_INPUTS[case]
    _write(tmp_path, files)
    target = "bad.hubgate.json" if "bad.hubgate.json" in files else "bad.hubgate.yaml"
    run = run_process("check", target, cwd=tmp_path)
    assert run.code == 2
    assert "Traceback" not in run.output
    problem_lines = [ln for ln in run.output.splitlines() if "input error" in ln]
    assert len(problem_lines) == 1, run.output
    assert problem_lines[0].startswith(f"{named} input error ")
    for w in words:
        assert w in problem_lines[0]


def test_missing_path_argument(hubgate, tmp_path):
    run = hubgate("check", "does-not-exist", "--format", "json", cwd=tmp_path)
    assert run.code == 2
    assert run.stderr.strip() == "hubgate: does-not-exist: no such file or directory"


def test_broken_bundle_does_not_hide_others(hubgate, tmp_path):
    """One unreadable bundle, examples/good, and a readable bundle with findings, all in one directory."""
    shutil.copytree(EXAMPLES / "good", tmp_path / "org" / "good")
    _write(tmp_path / "org" / "broken", {"integration.yaml": "name: [oops\n"})
    _write(tmp_path / "org" / "leaky", {
        "integration.yaml": _bundle("leaky"),
        "policy.json": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:DeleteObject"],
             "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}, indent=2),
    })
    run = hubgate("check", "org", "--format", "json", cwd=tmp_path)
    assert run.code == 2  # 2 wins over 1
    doc = run.json()
    assert [e["file"] for e in doc["errors"]] == ["org/broken/integration.yaml"]
    assert doc["summary"]["files"] == 2
    hg101 = [f for f in doc["findings"] if f["rule"] == "HG101"]
    assert [(f["file"], f["pointer"]) for f in hg101] == [("org/leaky/policy.json", "/Statement/0/Action/3")]
    assert not [f for f in doc["findings"] if f["file"].startswith("org/good/")]
    assert run.stderr.splitlines() == [f"hubgate: {doc['errors'][0]['file']}: {doc['errors'][0]['message']}"]


def test_broken_file_and_directory_on_one_command_line(hubgate, tmp_path):
    _write(tmp_path, {"bad.hubgate.yaml": "- not\n- a bundle\n"})
    shutil.copytree(EXAMPLES / "ango-docs", tmp_path / "docs")
    run = hubgate("check", "bad.hubgate.yaml", "docs", "--format", "json", "--select", "HG103", cwd=tmp_path)
    assert run.code == 2
    doc = run.json()
    assert len(doc["errors"]) == 1
    assert [f["pointer"] for f in doc["findings"]] == ["/Statement/0/Resource/2", "/Statement/0/Resource/3"]


# ------------------------------------------------------------------------------------------ positions

def test_positions_in_referenced_json_and_inline_yaml(hubgate):
    run = hubgate("check", "tests/fixtures/positions", "--format", "json", "--select", "HG101,HG107")
    assert run.code == 1
    got = {(f["rule"], f["file"], f["pointer"], f["line"], f["column"]) for f in run.json()["findings"]}
    base = "tests/fixtures/positions/"
    assert got == {
        ("HG101", base + "policy.json", "/Statement/1/Action/1", 15, 13),  # "s3:PutObject", oddly indented
        ("HG101", base + "inline.hubgate.yaml", "/permission_policy/Statement/0/Action/2", 12, 47),  # flow list
        ("HG107", base + "integration.yaml", "/trust_policy/Version", 11, 12),  # inline trust policy
    }


def test_positions_in_text_output(hubgate):
    run = hubgate("check", "tests/fixtures/positions", "--select", "HG105")
    assert run.code == 0  # warnings only
    assert re.search(r"^tests/fixtures/positions/inline\.hubgate\.yaml:16:11 warning HG105 ", run.stdout, re.M)


def test_positions_independent_of_cwd(hubgate):
    run = hubgate("check", "positions/policy.json", "--format", "json", "--select", "HG101", cwd=FIXTURES)
    # the bare policy is judged as the permission policy it is: its explicit s3:PutObject is HG101's
    assert run.code == 1
    assert {(f["file"], f["line"], f["column"]) for f in run.json()["findings"]} == {("positions/policy.json", 15, 13)}
    run = hubgate("check", "positions", "--format", "json", "--select", "HG101", cwd=FIXTURES)
    assert {(f["file"], f["line"], f["column"]) for f in run.json()["findings"]} == {
        ("positions/policy.json", 15, 13), ("positions/inline.hubgate.yaml", 12, 47)}


# ------------------------------------------------------------------------------------------ env vars

USER_BUNDLE = """name: keys
provider: aws
access_type: iam-user
region: eu-central-1
access_key_id: ${env:HG_TEST_KEY_ID}
secret_access_key: ${env:HG_TEST_SECRET}
permission_policy:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: [s3:GetObject, s3:ListBucket, s3:GetBucketLocation, s3:PutObject]
      Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::SECRETSECRETSECRET0123456789/*"]
buckets:
  - name: b
"""
SECRET = "SECRETSECRETSECRET0123456789/+abcdefghij"


def test_env_variables_resolved(hubgate, tmp_path):
    _write(tmp_path, {"keys.hubgate.yaml": USER_BUNDLE})
    env = {"HG_TEST_KEY_ID": "AKIAABCDEFGHIJKLWXYZ", "HG_TEST_SECRET": SECRET}
    run = hubgate("check", "keys.hubgate.yaml", "--format", "json", "--select", "HG101", cwd=tmp_path, env=env)
    assert run.code == 1
    assert [f["pointer"] for f in run.json()["findings"]] == ["/permission_policy/Statement/0/Action/3"]


def test_missing_env_variable_exit_2(hubgate, tmp_path):
    _write(tmp_path, {"keys.hubgate.yaml": USER_BUNDLE})
    run = hubgate("check", "keys.hubgate.yaml", "--format", "json", cwd=tmp_path,
                  env={"HG_TEST_KEY_ID": "AKIAABCDEFGHIJKLWXYZ", "HG_TEST_SECRET": None})
    assert run.code == 2
    assert run.stderr.strip() == ("hubgate: keys.hubgate.yaml: /secret_access_key: environment variable "
                                  "HG_TEST_SECRET is not set")


def test_all_missing_env_variables_in_one_message(hubgate, tmp_path):
    bundle = USER_BUNDLE.replace("access_key_id:", "external_id: ${env:HG_TEST_EXT}\naccess_key_id:", 1)
    _write(tmp_path, {"keys.hubgate.yaml": bundle})
    unset = {"HG_TEST_EXT": None, "HG_TEST_KEY_ID": None, "HG_TEST_SECRET": None}
    run = hubgate("check", "keys.hubgate.yaml", "--format", "json", cwd=tmp_path, env=unset)
    assert run.code == 2
    assert run.stderr.strip() == (
        "hubgate: keys.hubgate.yaml: /external_id: environment variable HG_TEST_EXT is not set; "
        "/access_key_id: environment variable HG_TEST_KEY_ID is not set; "
        "/secret_access_key: environment variable HG_TEST_SECRET is not set")
    one = hubgate("check", "keys.hubgate.yaml", "--format", "json", cwd=tmp_path,
                  env={"HG_TEST_EXT": "x", "HG_TEST_KEY_ID": None, "HG_TEST_SECRET": "s3cr3t-value"})
    assert one.stderr.strip() == ("hubgate: keys.hubgate.yaml: /access_key_id: environment variable HG_TEST_KEY_ID "
                                  "is not set")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_secret_never_printed(hubgate, tmp_path, fmt):
    """The secret's value also appears (deliberately) inside a Resource: every format masks it."""
    _write(tmp_path, {"keys.hubgate.yaml": USER_BUNDLE.replace("SECRETSECRETSECRET0123456789", SECRET[:28])})
    env = {"HG_TEST_KEY_ID": "AKIAABCDEFGHIJKLWXYZ", "HG_TEST_SECRET": SECRET[:28]}
    run = hubgate("check", "keys.hubgate.yaml", "--format", fmt, "--select", "HG1", cwd=tmp_path, env=env)
    assert run.code == 1
    assert "HG105" in run.stdout  # the finding that quotes the secret is reported...
    assert SECRET[:28] not in run.output  # ...masked
    assert "****" in run.stdout


# ------------------------------------------------------------------------------------- bare policies

def test_directory_of_bare_policies(hubgate):
    run = hubgate("check", "tests/fixtures/bare-policies", "--format", "json")
    assert run.code == 1
    doc = run.json()
    assert doc["summary"]["files"] == 2  # not-a-policy.json is not a policy and is skipped
    found = {(f["rule"], f["file"].rsplit("/", 1)[-1], f["pointer"]) for f in doc["findings"]}
    assert ("HG101", "wildcard.json", "/Statement/Action") in found
    assert ("HG107", "no-version.yaml", "") in found
    assert not any(f["file"].endswith("not-a-policy.json") for f in doc["findings"])
    assert {f["rule"] for f in doc["findings"]} <= {"HG101", "HG106", "HG107", "HG111"} | {
        r for r in _policy_rules()}


def _policy_rules() -> set[str]:
    from hubgate.rules import all_rules

    return {i for i, r in all_rules().items() if "policy" in r.targets}


def test_single_bare_policy_file(hubgate):
    run = hubgate("check", "tests/fixtures/bare-policies/wildcard.json", "--format", "json", "--select", "HG101")
    assert run.code == 1
    (f,) = run.json()["findings"]
    assert (f["rule"], f["line"], f["column"]) == ("HG101", 5, 15)


# --------------------------------------------------------------------------------------------- options

DOCS = "examples/ango-docs"


def _rules(run) -> list[str]:
    return sorted({f["rule"] for f in run.json()["findings"]})


def test_select_single_rule(hubgate):
    run = hubgate("check", DOCS, "--format", "json", "--select", "HG103")
    assert run.code == 1 and _rules(run) == ["HG103"]


def test_select_is_case_insensitive_and_comma_separated(hubgate):
    a = hubgate("check", DOCS, "--format", "json", "--select", "hg103,hg109")
    b = hubgate("check", DOCS, "--format", "json", "--select", "HG103", "--select", "HG109")
    assert _rules(a) == _rules(b) == ["HG103", "HG109"]
    assert a.json() == b.json()


def test_select_prefix(hubgate):
    run = hubgate("check", DOCS, "--format", "json", "--select", "HG10")
    assert _rules(run) and all(r.startswith("HG10") for r in _rules(run))
    assert "HG103" in _rules(run)


def test_ignore(hubgate):
    everything = hubgate("check", DOCS, "--format", "json", "--select", "HG1")
    run = hubgate("check", DOCS, "--format", "json", "--select", "HG1", "--ignore", "HG109")
    assert "HG109" in _rules(everything) and "HG109" not in _rules(run)
    assert _rules(run) == [r for r in _rules(everything) if r != "HG109"]
    none = hubgate("check", DOCS, "--format", "json", "--select", "HG1", "--ignore", "HG103,HG109")
    assert none.code == 0 and none.json()["findings"] == []


@pytest.mark.parametrize("args", [("--select", "HG999"), ("--ignore", "XX1"), ("--select", "HG103,nope")])
def test_unknown_rule_id_is_usage_error(hubgate, args):
    run = hubgate("check", DOCS, *args)
    assert run.code == 2
    assert "unknown rule id or prefix" in run.stderr and "Usage:" in run.stderr
    assert run.stdout == ""


def test_fail_on_thresholds(hubgate):
    warnings_only = "tests/fixtures/rules/HG105/fail-other-bucket.yaml"  # HG105 (warning) only
    info_only = "tests/fixtures/rules/HG110/fail-deny-getobject.yaml"  # HG110 (info) only
    sel = ("--select", "HG1")
    w = hubgate("check", warnings_only, "--format", "json", *sel)
    assert {f["severity"] for f in w.json()["findings"]} == {"warning"}
    assert w.code == 0
    assert hubgate("check", warnings_only, "--fail-on", "warning", *sel).code == 1
    assert hubgate("check", warnings_only, "--fail-on", "info", *sel).code == 1
    i = hubgate("check", info_only, "--format", "json", *sel)
    assert {f["severity"] for f in i.json()["findings"]} == {"info"}
    assert i.code == 0
    assert hubgate("check", info_only, "--fail-on", "warning", *sel).code == 0
    assert hubgate("check", info_only, "--fail-on", "info", *sel).code == 1
    assert hubgate("check", DOCS, "--fail-on", "error").code == 1
    assert hubgate("check", "examples/good", "--fail-on", "info").code == 0


def test_fail_on_rejects_unknown_level(hubgate):
    run = hubgate("check", DOCS, "--fail-on", "fatal")
    assert run.code == 2 and "Usage:" in run.stderr


def test_output_writes_file(hubgate, tmp_path):
    out = tmp_path / "report.json"
    run = hubgate("check", DOCS, "--format", "json", "--output", str(out))
    assert run.code == 1
    assert run.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == hubgate("check", DOCS, "--format", "json").json()


def test_output_to_a_fifo_writes_through_it(hubgate, tmp_path):
    """A device or FIFO (``-o /dev/null``) is written in place, never replaced by a regular file."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    run = hubgate("check", DOCS, "--format", "json", "--output", str(fifo))
    reader.join(timeout=30)
    assert run.code == 1 and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0]) == hubgate("check", DOCS, "--format", "json").json()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left beside it


def test_output_to_unwritable_place(hubgate, tmp_path):
    run = hubgate("check", DOCS, "--output", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert run.code != 0 and "cannot write" in run.stderr
    assert "Traceback" not in run.output


def test_quiet_prints_nothing_but_keeps_exit_code(hubgate):
    run = hubgate("check", DOCS, "--quiet")
    assert run.code == 1 and run.stdout == "" and run.stderr == ""
    assert hubgate("check", "examples/good", "-q").code == 0


def test_help_and_version(hubgate):
    assert hubgate("--version").code == 0
    run = hubgate("check", "--help")
    assert run.code == 0 and "--fail-on" in run.stdout


@pytest.mark.parametrize("args", [("examples/broken", "--format", "json"), ("examples/good",),
                                  ("examples/broken", "-q"), ("no/such/dir", "--format", "json")])
def test_check_process_ends_with_its_report_and_exit_code(hubgate, process, args):
    """The console script ends a finished check without the interpreter's teardown: stdout, stderr and the
    exit code are those of the command (as click's runner sees them), nothing lost in buffers."""
    run, inproc = process("check", *args, cwd=REPO), hubgate("check", *args)
    assert (run.code, run.stdout, run.stderr) == (inproc.code, inproc.stdout, inproc.stderr)
    assert run.code in (0, 1, 2)


def test_console_script_runs(process):
    run = process("check", "examples/good", cwd=REPO)
    assert run.code == 0 and run.stderr == ""


@pytest.mark.parametrize("how", ["relative", "absolute", "dotted"])
def test_referenced_files_named_like_their_bundle(hubgate, how):
    """A bundle and the policies it references are named the same way (all relative or all absolute)."""
    arg = {"relative": "examples/ango-docs", "absolute": str(REPO / "examples" / "ango-docs"),
           "dotted": "examples/../examples/ango-docs/"}[how]
    run = hubgate("check", arg, "--format", "json", "--select", "HG103,HG109")
    files = {f["file"] for f in run.json()["findings"]}
    assert files == {"examples/ango-docs/integration.yaml", "examples/ango-docs/policy.json",
                     "examples/ango-docs/trust.json"}


def test_referenced_files_outside_the_cwd_are_absolute(hubgate, tmp_path):
    shutil.copytree(EXAMPLES / "ango-docs", tmp_path / "docs")
    (tmp_path / "cwd").mkdir()
    run = hubgate("check", str(tmp_path / "docs"), "--format", "json", "--select", "HG103,HG109", cwd=tmp_path / "cwd")
    files = {f["file"] for f in run.json()["findings"]}
    assert files == {str(tmp_path / "docs" / n) for n in ("integration.yaml", "policy.json", "trust.json")}


@pytest.mark.parametrize("content", [
    "[" * 200_000 + "]" * 200_000,  # used to kill the process (libyaml C stack overflow)
    "a: &x [1, *x]\n",  # used to end in a RecursionError traceback
], ids=["deep-nesting", "recursive-alias"])
def test_hostile_input_exit_2_without_crash(tmp_path, content):
    (tmp_path / "evil.hubgate.yaml").write_text(content)
    run = run_process("check", "evil.hubgate.yaml", "--format", "json", cwd=tmp_path)
    assert run.code == 2, run.output[-2000:]
    assert "Traceback" not in run.output
    assert len(run.stderr.splitlines()) == 1 and run.stderr.startswith("hubgate: evil.hubgate.yaml: ")


def test_progress_bar_only_on_a_terminal_and_for_long_runs(monkeypatch, capsys):
    import sys

    from hubgate.check import _with_progress

    items = list(range(250))
    assert _with_progress(items) is items  # not a terminal under pytest: the list untouched, nothing drawn
    assert _with_progress(items[:10]) == items[:10]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _with_progress(items[:10]) == items[:10]  # short runs draw nothing even on a terminal
    wrapped = _with_progress(items)
    assert wrapped is not items and list(wrapped) == items  # every target still visited, in order
