"""Output formats: json, sarif (schema-validated), junit, github, text."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from hubgate.errors import InputError
from hubgate.findings import Finding
from hubgate.reporters import Report, render

from conftest import DATA, REPO, run_process

SARIF_SCHEMA = DATA / "sarif" / "sarif-schema-2.1.0.json"
FINDING_FIELDS = {"rule", "severity", "message", "file", "pointer", "line", "column", "fix", "help"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DOCS = "examples/ango-docs"


@pytest.fixture(scope="module")
def docs_json():
    """The reference result: the docs example as JSON (all rules), from a real process."""
    run = run_process("check", DOCS, "--format", "json", cwd=REPO)
    assert run.code == 1, run.output
    doc = run.json()
    assert doc["findings"], "the docs example must have findings for these tests to mean anything"
    return doc


@pytest.fixture
def broken_tree(tmp_path):
    """A directory with one unreadable bundle and one readable bundle with findings."""
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "integration.yaml").write_text("name: [oops\n")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "integration.yaml").write_text(
        "name: ok\nprovider: aws\naccess_type: iam-delegated\nregion: eu-central-1\n"
        "permission_policy:\n  Version: '2012-10-17'\n  Statement:\n    - Effect: Allow\n"
        "      Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutObject']\n"
        "      Resource: ['arn:aws:s3:::ok-bucket', 'arn:aws:s3:::ok-bucket/*']\n"
        "buckets:\n  - name: ok-bucket\n"
    )
    return tmp_path


# ------------------------------------------------------------------------------------------------- json

def test_json_has_every_field(docs_json):
    for f in docs_json["findings"]:
        assert FINDING_FIELDS <= set(f), f"missing {FINDING_FIELDS - set(f)} in {f}"
        assert f["severity"] in ("error", "warning", "info")
        assert re.fullmatch(r"HG\d{3}", f["rule"])
        assert f["pointer"] == "" or f["pointer"].startswith("/")
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
        assert f["fix"] and f["help"] == f"hubgate rules {f['rule']}"


def test_json_summary_counts(docs_json):
    s = docs_json["summary"]
    findings = docs_json["findings"]
    assert s["findings"] == len(findings)
    assert s["error"] + s["warning"] + s["info"] == len(findings)
    assert s["error"] == sum(f["severity"] == "error" for f in findings)
    assert s["input_errors"] == 0 and s["files"] == 1


def test_json_reports_input_errors_with_findings(hubgate, broken_tree):
    run = hubgate("check", ".", "--format", "json", cwd=broken_tree)
    assert run.code == 2
    doc = run.json()
    assert [e["file"] for e in doc["errors"]] == ["broken/integration.yaml"]
    assert doc["summary"]["input_errors"] == 1
    assert ("HG101", "ok/integration.yaml") in {(f["rule"], f["file"]) for f in doc["findings"]}


# ------------------------------------------------------------------------------------------------ sarif

@pytest.fixture(scope="module")
def sarif_validator():
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _schema_errors(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_sarif_is_valid_and_complete(hubgate, sarif_validator, docs_json):
    run = hubgate("check", DOCS, "--format", "sarif")
    assert run.code == 1
    doc = run.json()
    assert _schema_errors(sarif_validator, doc) == []
    assert doc["version"] == "2.1.0"
    (sarif_run,) = doc["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    results = sarif_run["results"]
    assert len(results) == len(docs_json["findings"])
    for res, f in zip(results, docs_json["findings"], strict=False):
        assert res["ruleId"] == f["rule"]
        assert rules[res["ruleIndex"]]["id"] == f["rule"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == f["file"]
        assert loc["region"] == {"startLine": f["line"], "startColumn": f["column"]}
        assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (f["pointer"] or "/")
        assert res["message"]["text"].startswith(f["message"])


def test_sarif_with_input_error_is_valid(hubgate, sarif_validator, broken_tree):
    run = hubgate("check", ".", "--format", "sarif", cwd=broken_tree)
    assert run.code == 2
    doc = run.json()
    assert _schema_errors(sarif_validator, doc) == []
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken/integration.yaml"
    assert any(r["ruleId"] == "HG101" for r in doc["runs"][0]["results"])


def test_sarif_validator_rejects_a_broken_document(sarif_validator):
    """The schema check can fail: a result without a message is not SARIF."""
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "hubgate"}}, "results": [{"ruleId": "HG101"}]}]}
    assert _schema_errors(sarif_validator, doc) != []


# ------------------------------------------------------------------------------------------------ junit

def test_junit_failures_equal_findings(hubgate, docs_json):
    run = hubgate("check", DOCS, "--format", "junit")
    assert run.code == 1
    root = ET.fromstring(run.stdout)
    assert root.tag == "testsuites"
    n = len(docs_json["findings"])
    assert int(root.get("failures")) == n
    assert int(root.get("errors")) == 0
    failures = root.findall(".//failure")
    assert len(failures) == n
    assert sum(int(s.get("failures", 0)) for s in root.findall("testsuite")) == n
    cases = root.findall(".//testcase")
    assert {(c.get("classname"), c.get("file")) for c in cases} == {(f["rule"], f["file"]) for f in docs_json["findings"]}


def test_junit_input_errors_are_errors(hubgate, broken_tree):
    run = hubgate("check", ".", "--format", "junit", cwd=broken_tree)
    assert run.code == 2
    root = ET.fromstring(run.stdout)
    assert int(root.get("errors")) == 1
    assert len(root.findall(".//error")) == 1
    assert int(root.get("failures")) == len(root.findall(".//failure")) >= 1


def test_junit_clean_run_parses(hubgate):
    run = hubgate("check", "examples/good", "--format", "junit")
    assert run.code == 0
    root = ET.fromstring(run.stdout)
    assert root.get("failures") == "0" and root.findall(".//failure") == []


# ----------------------------------------------------------------------------------------------- github

GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),title=(HG\d{3})::(.+)$")


def test_github_lines(hubgate, docs_json):
    run = hubgate("check", DOCS, "--format", "github")
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == len(docs_json["findings"])
    for line, f in zip(lines, docs_json["findings"], strict=False):
        m = GITHUB_LINE.match(line)
        assert m, f"not a workflow command: {line!r}"
        level, file, ln, col, rule, text = m.groups()
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[f["severity"]]
        assert (file, int(ln), int(col), rule) == (f["file"], f["line"], f["column"], f["rule"])
        assert text.startswith(f["message"])


def test_github_escapes_properties_and_data():
    f = Finding(rule="HG101", severity="warning", message="100% bad\nsecond line", file="dir,a/b:c.json",
                pointer="/x", line=3, column=4, fix=None, help="hubgate rules HG101")
    out = render(Report("check", [f], [InputError("x,y.yaml", "broken")]), "github").splitlines()
    assert out[0] == "::warning file=dir%2Ca/b%3Ac.json,line=3,col=4,title=HG101::100%25 bad%0Asecond line"
    assert out[1] == "::error file=x%2Cy.yaml,title=input::broken"


# ------------------------------------------------------------------------------------------------- text

def test_text_has_no_ansi_when_not_a_tty(hubgate, docs_json):
    run = hubgate("check", DOCS)
    assert run.code == 1
    assert not ANSI.search(run.stdout)
    first = docs_json["findings"][0]
    assert f"{first['file']}:{first['line']}:{first['column']} {first['severity']} {first['rule']}" in run.stdout
    assert f"{docs_json['summary']['error']} error(s)" in run.stdout


def test_text_renderer_colours_only_when_asked():
    """Counter-check for the no-ANSI tests: the pattern does find colour when the renderer adds it."""
    f = Finding(rule="HG101", severity="error", message="m", file="f.json", pointer="/p", line=1, column=2)
    coloured = render(Report("check", [f]), "text", color=True)
    plain = render(Report("check", [f]), "text", color=False)
    assert ANSI.search(coloured)
    assert not ANSI.search(plain)
    assert ANSI.sub("", coloured) == plain


def test_text_colour_can_be_forced(hubgate):
    run = hubgate("check", DOCS, "--color")
    assert ANSI.search(run.stdout)
    assert ANSI.sub("", run.stdout) == hubgate("check", DOCS).stdout


def test_text_in_a_real_process_has_no_ansi(process):
    run = process("check", DOCS, cwd=REPO)
    assert run.code == 1 and "HG103" in run.stdout
    assert not ANSI.search(run.stdout + run.stderr)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_every_format_reports_the_same_rules(hubgate, fmt, docs_json):
    run = hubgate("check", DOCS, "--format", fmt)
    assert run.code == 1
    for rid in {f["rule"] for f in docs_json["findings"]}:
        assert rid in run.stdout


def test_text_prints_values_verbatim():
    """Messages quote user values: rich markup and emoji codes in them must come out as written."""
    f = Finding(rule="HG105", severity="warning", message="Resource 'arn:aws:s3:::b/:ok:/[bold]x[/bold]' is wide",
                file="dir [1]/:smile:.json", pointer="/Statement/0/Resource", line=3, column=5, fix="use :x: [red]")
    for color in (False, True):
        out = ANSI.sub("", render(Report("check", [f]), "text", color=color))
        assert "dir [1]/:smile:.json:3:5 warning HG105 Resource 'arn:aws:s3:::b/:ok:/[bold]x[/bold]' is wide" in out
        assert "fix: use :x: [red]" in out


def test_sarif_uris_are_percent_encoded(sarif_validator):
    from urllib.parse import unquote

    f = Finding(rule="HG101", severity="error", message="m", file="my dir/C:weird#1.json", pointer="/p", line=1, column=1)
    doc = json.loads(render(Report("check", [f], [InputError("in put/x y.yaml", "broken")]), "sarif"))
    assert _schema_errors(sarif_validator, doc) == []
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20dir/C%3Aweird%231.json"
    assert unquote(uri) == f.file
    note = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "in%20put/x%20y.yaml"
