"""Issue #20, items 1-4: each measured defect has a test here (secrets, references, the reader, foreign
structure, output files). Every test failed on the code before the fix."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
import xml.dom.minidom
from pathlib import Path

import pytest

from hubgate.bundle import Secret, load_bundle
from hubgate.errors import InputError
from hubgate.example import good_bundle
from hubgate.source import parse_text, read_text

FORMATS = ("text", "json", "sarif", "junit", "github")
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                   "Resource": "arn:aws:s3:::b/*"}]}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _bundle(tmp_path: Path, **fields) -> Path:
    return _write(tmp_path / "b" / "integration.json", json.dumps(good_bundle(**fields), indent=2))


def _no_traceback(run) -> None:
    assert "Traceback" not in run.output


# ---------------------------------------------------------------------------------- 3. one reader


@pytest.mark.parametrize("trick", ["surrogate-pair escape", "long key", "leading tab"])
def test_duplicate_key_refused_when_yaml_rejects_the_json(tmp_path, hubgate, trick):
    """A hidden second "Action": "s3:*" passed with exit 0 when PyYAML refused the JSON and json.loads ran."""
    sid = {"surrogate-pair escape": "\\ud83d\\ude00", "long key": "x", "leading tab": "x"}[trick]
    extra = f'"{"k" * 1100}": 1, ' if trick == "long key" else ""
    text = ('{"Version": "2012-10-17", "Statement": [{' + extra + f'"Sid": "{sid}", "Effect": "Allow", '
            '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Action": "s3:*"}]}')
    if trick == "leading tab":
        text = "\t" + text
    run = hubgate("check", str(_write(tmp_path / "p.json", text)))
    assert run.code == 2 and "duplicate key 'Action'" in run.output
    with pytest.raises(InputError, match=r"line 1: duplicate key 'Action'"):
        parse_text(text, "p.json")


@pytest.mark.parametrize("ext", ["json", "yaml"])
def test_integer_over_4300_digits_is_an_input_error(tmp_path, hubgate, ext):
    digits = "9" * 5000
    text = f'{{"name": {digits}}}' if ext == "json" else f"name: {digits}\n"
    run = hubgate("check", str(_write(tmp_path / f"b.hubgate.{ext}", text)))
    assert run.code == 2 and "more than 4300 digits" in run.output
    _no_traceback(run)


def test_external_id_with_leading_zeros_kept_as_written(tmp_path):
    """Read as octal 5744368105847 before: HG204 fired and its fix quoted the wrong number."""
    import yaml

    text = yaml.safe_dump(good_bundle(external_id="EXTID")).replace("external_id: EXTID", "external_id: 0123456701234567")
    path = _write(tmp_path / "integration.yaml", text)
    assert "external_id: 0123456701234567\n" in path.read_text()
    assert load_bundle(path).external_id == "0123456701234567"
    assert parse_text("a: 0123\nb: yes\nc: 12\nd: 1.5\n", "x.yaml").data == {"a": "0123", "b": "yes", "c": 12, "d": 1.5}


def test_memory_proportional_to_the_file(tmp_path):
    """A 5 MB JSON bundle of small values took 686 MB to load; now well under 200 MB (a 50 MB one: 265 MB)."""
    path = tmp_path / "big.hubgate.json"
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": ["a"] * (5 * 1024 * 1024 // 4)}]}
    text = json.dumps({"name": "big", "provider": "aws", "permission_policy": policy}, separators=(",", ":"))
    path.write_text(text)
    column = text.index('"Resource":[') + len('"Resource":[') + 1 + 4 * 7
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a regression cannot take the machine down
        from pathlib import Path
        from hubgate.source import load_file
        doc = load_file(Path({str(path)!r}))
        assert doc.position("/permission_policy/Statement/0/Resource/7") == (1, {column})
        # VmHWM: this process's peak (ru_maxrss would carry over the forking pytest's across exec)
        print(next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM")) // 1024)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.split()[-1]) < 200


def test_yaml_nesting_capped_without_recursion(tmp_path, hubgate):
    deep = "".join(" " * i + "- \n" for i in range(300)).replace("- \n", "-\n")
    run = hubgate("check", str(_write(tmp_path / "d.hubgate.yaml", "a:\n" + "  " * 0 + deep)))
    assert run.code == 2 and "nested more than 256 levels deep" in run.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_lone_surrogate_and_non_utf8_file_name_written_escaped(tmp_path, hubgate, fmt):
    """UnicodeEncodeError before (and with -o the existing report already truncated)."""
    d = tmp_path / "pol"
    d.mkdir()
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get\\ud800x", "Resource": "*"}]}'
    with open(os.path.join(os.fsencode(d), b"\xff.json"), "w", encoding="utf-8") as fh:
        fh.write(text)
    out = tmp_path / f"report.{fmt}"
    run = hubgate("check", str(d), "--format", fmt, "-o", str(out))
    assert run.code == 1
    report = out.read_text("utf-8")
    assert "\\udcff" in report or "%FF" in report
    assert "\\ud800" in report


# ------------------------------------------------------------------------------------- 1. masking


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field,value", [("secret_access_key", [SECRET_KEY]),
                                         ("sas", {"sv": "2022-11-02", "sig": "c2VjcmV0c2lnbmF0dXJlMTIzNDU2Nzg5MA=="}),
                                         ("access_key_id", {"id": SECRET_KEY})])
def test_secret_of_the_wrong_type_never_quoted(tmp_path, hubgate, fmt, field, value):
    path = _bundle(tmp_path, **{field: value})
    run = hubgate("check", str(path), "--format", fmt)
    assert run.code == 2 and field in run.output
    for part in (SECRET_KEY, "c2VjcmV0c2lnbmF0dXJl", "wJalr"):
        assert part not in run.output


@pytest.mark.parametrize("content", ["https://user:ghp_T0KENVALUE0123456789abcdef@github.com\n",
                                     json.dumps({"type": "service_account", "private_key":
                                                 "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"})])
def test_schema_error_never_quotes_a_referenced_file(tmp_path, hubgate, content):
    """`cors: .git-credentials` printed the token; a GCP key file given as a CORS file its private key."""
    b = good_bundle()
    b["buckets"][0]["cors"] = "creds"
    _write(tmp_path / "b" / "creds", content)
    path = _write(tmp_path / "b" / "integration.json", json.dumps(b))
    run = hubgate("check", str(path))
    assert run.code == 2 and "creds" in run.output
    for secret in ("T0KENVALUE", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "ghp_"):
        assert secret not in run.output


def test_env_external_id_masked_in_findings_fixes_every_format_and_the_baseline(tmp_path, hubgate):
    value = "e7c1f0aa-5b7d-4cde-9f00-6f6e5d4c3b2a"
    path = _bundle(tmp_path, external_id="${env:HG_TEST_EXT}")  # differs from the trust policy's: HG204
    env = {"HG_TEST_EXT": value}
    for fmt in FORMATS:
        run = hubgate("check", str(path), "--format", fmt, env=env)
        assert run.code == 1 and "HG204" in run.output and value not in run.output
    baseline = tmp_path / "baseline.json"
    run = hubgate("check", str(path), "--write-baseline", str(baseline), env=env)
    assert run.code == 0 and baseline.is_file()
    assert "HG204" in baseline.read_text() and value not in baseline.read_text()


def test_secret_key_in_access_key_id_masked_as_a_secret(tmp_path, hubgate):
    """Shown with the key-id mask before (8 of 40 characters)."""
    assert Secret(SECRET_KEY, "/access_key_id").masked("key-id") == "****"
    assert Secret("AKIAABCDEFGHIJKLWXYZ", "/access_key_id").masked("key-id") == "AKIA…WXYZ"
    b = good_bundle(access_type="access-key", access_key_id=SECRET_KEY, secret_access_key=SECRET_KEY)
    for k in ("role_arn", "external_id", "trust_policy"):
        b.pop(k, None)
    run = hubgate("check", str(_write(tmp_path / "integration.json", json.dumps(b))), "--format", "json")
    assert SECRET_KEY[:4] + "…" not in run.output and SECRET_KEY not in run.output


# ------------------------------------------------------------------------------------ 2. references


@pytest.mark.parametrize("ref", ["../outside.json", "ABS"])
def test_reference_outside_the_bundle_directory_refused(tmp_path, hubgate, ref):
    outside = _write(tmp_path / "outside.json", json.dumps(POLICY))
    ref = str(outside) if ref == "ABS" else ref
    path = _bundle(tmp_path, permission_policy=ref)
    run = hubgate("check", str(path))
    assert run.code == 2 and "/permission_policy" in run.output and "--allow-outside-refs" in run.output
    assert len([ln for ln in run.stderr.splitlines() if ln.strip()]) <= 1
    assert load_bundle(path, allow_outside_refs=True).permission_policy is not None
    allowed = hubgate("check", str(path), "--allow-outside-refs", "--format", "json")
    assert allowed.code in (0, 1) and json.loads(allowed.stdout)["summary"]["files"] == 1
    again = hubgate("check", str(path))  # the flag is per run: the next run refuses again
    assert again.code == 2


def test_manifest_reference_outside_the_bundle_directory_refused(tmp_path, hubgate):
    """The bundle's ``manifest:`` is read later, by the manifest rules: it is held to the same tree."""
    outside = _write(tmp_path / "assets.json", "[]")
    path = _bundle(tmp_path, manifest=str(outside))
    run = hubgate("check", str(path))
    assert run.code == 2 and "/manifest" in run.output and "--allow-outside-refs" in run.output
    assert hubgate("check", str(path), "--allow-outside-refs").code in (0, 1)


def test_allow_outside_refs_on_every_command_that_reads_bundles(hubgate):
    for args in (["check"], ["explain", "x", "--action", "s3:GetObject"], ["manifest", "validate", "x"],
                 ["manifest", "fix", "x", "y"]):
        assert "--allow-outside-refs" in hubgate(*args, "--help").stdout, args


def test_fifo_and_device_refused_at_once(tmp_path):
    """A FIFO blocked forever; /dev/zero grew to 8 GB (the cap read the size, 0 for both)."""
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from pathlib import Path
        from hubgate.errors import InputError
        from hubgate.source import read_text
        for p in ({str(fifo)!r}, "/dev/zero", {str(tmp_path)!r}):
            try:
                read_text(Path(p))
            except InputError as exc:
                print(exc)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stderr[-2000:]
    assert "not a regular file" in lines[0] and "not a regular file" in lines[1] and "is a directory" in lines[2]


def test_size_cap_checked_while_reading(monkeypatch):
    """/proc files say 0 bytes in stat: the cap must count what is read."""
    import hubgate.source as source

    monkeypatch.setattr(source, "MAX_BYTES", 16)
    with pytest.raises(InputError, match="larger than the 16 byte limit"):
        read_text(Path("/proc/self/status"))


# ----------------------------------------------------------------------------- 4. foreign structure


CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: arn:aws:iam::397578311638:user/angohub-delegate}
            Action: sts:AssumeRole
      Policies: 5
"""


@pytest.mark.parametrize("name,text,where", [
    ("cf.yaml", CFN, "/Resources/Role/Properties/Policies"),
    ("plan.json", '{"format_version": "1.2", "terraform_version": "1.5.0", "planned_values": 5}', "/planned_values"),
])
def test_iac_wrong_types_end_in_exit_2(tmp_path, hubgate, name, text, where):
    other = _write(tmp_path / "pol.json", json.dumps(POLICY))
    run = hubgate("check", str(_write(tmp_path / name, text)), str(other), "--format", "json")
    assert run.code == 2 and where in run.stderr and run.json()["summary"]["files"] == 1


def test_baseline_fingerprint_of_the_wrong_type(tmp_path, hubgate):
    baseline = _write(tmp_path / "bl.json", json.dumps({"version": 1, "findings": [{"fingerprint": ["x"]}]}))
    run = hubgate("check", str(_write(tmp_path / "pol.json", json.dumps(POLICY))), "--baseline", str(baseline))
    assert run.code == 2 and "/findings/0" in run.stderr


def test_pyproject_array_of_tool_hubgate_tables(tmp_path, hubgate):
    _write(tmp_path / "pyproject.toml", '[[tool.hubgate]]\nselect = ["HG1"]\n')
    _write(tmp_path / "pol.json", json.dumps(POLICY))
    run = hubgate("check", "pol.json", cwd=tmp_path)
    assert run.code == 2 and "pyproject.toml" in run.stderr and "[tool.hubgate]" in run.stderr


def test_failed_write_keeps_the_existing_report_and_its_mode(tmp_path, monkeypatch):
    from hubgate import output

    report = _write(tmp_path / "report.txt", "previous report\n")
    report.chmod(0o640)
    output.write_report("new report \ud800\n", str(report))
    assert report.read_text() == "new report \\ud800\n" and stat.S_IMODE(report.stat().st_mode) == 0o640

    def boom(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(Exception, match="No space left"):
        output.write_report("third\n", str(report))
    assert report.read_text() == "new report \\ud800\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_input_error_and_unwritable_output_exit_2(tmp_path, hubgate):
    pol = _write(tmp_path / "pol.json", json.dumps({**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "s3:*"}]}))
    bad = _write(tmp_path / "bad.json", "{")
    run = hubgate("check", str(pol), str(bad), "-o", str(tmp_path / "missing" / "report.txt"))
    assert run.code == 2


@pytest.mark.parametrize("fmt", ["junit", "text", "github"])
def test_control_characters_escaped(tmp_path, hubgate, fmt):
    """A control character in a value made the JUnit report invalid XML (and reached the terminal raw)."""
    pol = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "s3:*"}]}
    run = hubgate("check", str(_write(tmp_path / "p\u0001\u001b[31m.json", json.dumps(pol))), "--format", fmt)
    assert run.code == 1 and "\u0001" not in run.stdout and "\u001b" not in run.stdout
    assert "\\x01\\x1b[31m" in run.stdout
    if fmt == "junit":
        xml.dom.minidom.parseString(run.stdout.encode("utf-8"))


def test_explain_masks_an_env_external_id(tmp_path, hubgate):
    """explain quoted the trust policy's condition value, the external ID read from ${env:}."""
    value = "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"  # good_bundle's trust policy holds this one
    path = _bundle(tmp_path, external_id="${env:HG_TEST_EXT}")
    run = hubgate("explain", str(path), "--principal", "arn:aws:iam::397578311638:user/angohub-delegate",
                  "--external-id", "wrong-one", env={"HG_TEST_EXT": value})
    assert run.code == 1 and "sts:ExternalId" in run.output and value not in run.output


@pytest.mark.parametrize("shape", ["one-character values", "a million ARNs"])
def test_fifty_megabyte_bundle_checked_in_bounded_memory_and_time(tmp_path, shape):
    """A 50 MB bundle passed 6 GB (13M one-character values: 1.9 GB even after the reader was fixed; 1M ARNs
    took 360 s). A policy far beyond anything AWS accepts is refused at once: exit 2, one line, well under
    1 GB, in seconds."""
    path = tmp_path / "big.hubgate.json"
    if shape == "one-character values":
        resources = ["a"] * (50 * 1024 * 1024 // 4)
    else:
        resources = [f"arn:aws:s3:::bucket-{i:08d}/*" for i in range(50 * 1024 * 1024 // 34)]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": resources}]}
    path.write_text(json.dumps({**good_bundle(), "permission_policy": policy}, separators=(",", ":")))
    assert path.stat().st_size > 45 * 1024 * 1024
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a regression cannot take the machine down
        from hubgate.cli import main
        sys.argv = ["hubgate", "check", {str(path)!r}, "--format", "json"]
        try:
            main()
        except SystemExit as e:
            code = e.code
        peak = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM")) // 1024
        print("RESULT", code, peak, file=sys.stderr)
    """)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    elapsed = time.monotonic() - t0
    _, rc, peak = proc.stderr.strip().splitlines()[-1].split()
    assert int(rc) == 2 and "Traceback" not in proc.stderr
    assert "far beyond any policy AWS accepts" in proc.stderr
    assert int(peak) < 700, f"peak {peak} MB"
    assert elapsed < 60


from hypothesis import given, settings, strategies as st  # noqa: E402

_JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text("[]{}\"'\\ ,:aé\n", max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text("[]{}\"'a", max_size=3), inner,
                                                                         max_size=3)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(value=_JSON_VALUE, depth=st.sampled_from([0, 200, 255, 256, 257, 300]), indent=st.sampled_from([None, 2]),
       ascii_only=st.booleans())
def test_the_depth_of_a_valid_json_text_is_read_as_the_regex_reads_it(value, depth, indent, ascii_only):
    import json

    from hubgate.nesting import bracket_depth, json_depth

    text = json.dumps([value] if not depth else {"a": [value, "]" * 3]}, indent=indent, ensure_ascii=ascii_only)
    text = "[" * depth + text + "]" * depth
    assert json_depth(text) == bracket_depth(text)
