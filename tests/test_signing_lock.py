"""``hubgate signing record|compare``: a lock of what the installed libraries sign, and its comparison."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hubgate.cli.signing import signing_group
from hubgate.signing import lock


def run(*args):
    result = CliRunner().invoke(signing_group, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("lock") / "signing.lock.json"
    r = run("record", "--out", str(path))
    assert r.exit_code == 0, r.output
    return path


def test_record_writes_versions_inputs_and_outputs(recorded):
    data = json.loads(recorded.read_text(encoding="utf-8"))
    assert data["format"] == lock.LOCK_FORMAT
    assert data["libraries"]["botocore"]
    ids = {i["id"] for i in data["inputs"]}
    assert {"key-space", "key-plus", "key-tilde", "key-unicode", "key-double-slash", "key-empty-segments",
            "query-repeated", "query-reserved", "expires-1s", "expires-7d", "session-token", "path-style",
            "region-eu-central-1"} <= ids
    e = data["entries"]["botocore/key-space"]
    assert set(e) >= {"canonical_request", "string_to_sign", "signature", "url"}
    assert "/my%20folder/cat%201.jpg" in e["canonical_request"].split("\n")[1]
    assert e["url"].endswith("X-Amz-Signature=" + e["signature"])
    assert len([k for k in data["entries"] if k.startswith("botocore/")]) == len(lock.LOCK_INPUTS)


def test_record_keeps_refusals_as_behaviour(recorded):
    data = json.loads(recorded.read_text(encoding="utf-8"))
    if data["libraries"]["minio"]:
        assert "7 days" in data["entries"]["minio/expires-over-7d"]["error"]
        assert "error" in data["entries"]["minio/expires-0"]
    # botocore presigns any expiry; only the server can refuse it.
    assert "X-Amz-Expires=604801" in data["entries"]["botocore/expires-over-7d"]["url"]


def test_compare_identical_lock_passes(recorded):
    r = run("compare", str(recorded))
    assert r.exit_code == 0, r.output
    assert "0 changed field(s)" in r.stdout and "unchanged" in r.stdout


def test_compare_fails_and_names_the_altered_field(recorded, tmp_path):
    data = json.loads(recorded.read_text(encoding="utf-8"))
    entry = data["entries"]["botocore/key-plus"]
    lines = entry["canonical_request"].split("\n")
    lines[1] = lines[1].replace("%2B", "+")
    entry["canonical_request"] = "\n".join(lines)
    altered = tmp_path / "altered.lock.json"
    altered.write_text(json.dumps(data), encoding="utf-8")
    r = run("compare", str(altered))
    assert r.exit_code == 1
    assert "CHANGED botocore/key-plus: canonical_request line 2: expected '/a+b/c+d.png', got '/a%2Bb/c%2Bd.png'" \
        in r.stdout
    assert "1 changed field(s)" in r.stdout
    j = json.loads(run("compare", str(altered), "--format", "json").stdout)
    assert [(c["entry"], c["field"]) for c in j["changes"]] == [("botocore/key-plus", "canonical_request")]


def test_version_change_alone_is_a_note_not_a_failure(recorded, tmp_path):
    data = json.loads(recorded.read_text(encoding="utf-8"))
    data["libraries"]["botocore"] = "0.0.1"
    p = tmp_path / "v.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    r = run("compare", str(p))
    assert r.exit_code == 0
    assert "note: botocore: version 0.0.1 -> " in r.stdout


@pytest.mark.parametrize("content, words", [(None, "no such lock file"), ("{", "not a readable JSON lock"),
                                            ('{"format": "x"}', "not a hubgate signing lock")])
def test_bad_lock_exits_2(tmp_path, content, words):
    p = tmp_path / "l.json"
    if content is not None:
        p.write_text(content)
    r = run("compare", str(p))
    assert r.exit_code == 2 and words in r.stderr and "Traceback" not in r.output
