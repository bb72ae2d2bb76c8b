"""Manifest findings carry the line and column of the offending asset's first byte (its ``{``) in every format
(issue #15 item 6). Checked by slicing the file's text at that line and column and parsing the asset there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgate.cli.manifest import manifest_command

FIX = Path(__file__).resolve().parent / "fixtures" / "manifest"
GCP = Path(__file__).resolve().parents[1] / "examples" / "gcp-good" / "integration.yaml"


def _assets(n: int = 120) -> list:
    out = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/img/{i:05d}.jpg", "externalId": f"id-{i}"} for i in range(n)]
    out[3] = {"data": "https://bk.s3.eu-west-1.amazonaws.com/a b.jpg", "externalId": "id-3"}  # HG509
    out[40]["externalId"] = "id-2"  # HG512 in the middle of canonical assets
    out[41] = {"data": "https://bk.s3.eu-west-1.amazonaws.com/ü ö.jpg", "externalId": "é", "width": "x",
               "metadata": {"nested": [{"deep": [1, 2]}]}}  # non-ASCII before the column; nested fields
    out[77] = ["not", {"an": "object"}]  # HG502
    out[119] = {"data": "https://bk.s3.amazonaws.com/last.jpg", "externalId": "ünï"}  # HG506, last element
    return out


LAYOUTS = {
    "pretty": lambda a: json.dumps(a, indent=2, ensure_ascii=False),
    "one-line": lambda a: json.dumps(a, ensure_ascii=False),
    "crlf": lambda a: json.dumps(a, indent=1, ensure_ascii=False).replace("\n", "\r\n"),
    "one-line-bom": lambda a: "\ufeff" + json.dumps(a, ensure_ascii=False),
    "one-per-line-bom": lambda a: "\ufeff[\n" + ",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in a) + "\n]\n",
}


def _run(path: Path, fmt: str, *extra) -> str:
    r = CliRunner().invoke(manifest_command, [str(path), "--format", fmt, *map(str, extra)], catch_exceptions=False)
    assert r.exit_code == 1, r.output
    return r.stdout


def _asset_at(text: str, line: int, column: int):
    """The JSON value that starts at (line, column): lines split at \\n, the column counts characters."""
    row = text.split("\n")[line - 1]
    if line == 1:
        row = row.removeprefix("\ufeff")
    return json.JSONDecoder().raw_decode(row + "\n" + "\n".join(text.split("\n")[line:]), column - 1)[0]


@pytest.mark.parametrize("bundle", [[], ["--bundle", GCP]], ids=["raw-scan", "ijson"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_positions_point_at_the_offending_asset(tmp_path, layout, bundle):
    assets = _assets()
    path = tmp_path / "m.json"
    path.write_bytes(LAYOUTS[layout](assets).encode("utf-8"))
    text = path.read_bytes().decode("utf-8")  # \r kept: lines split at \n only
    found = json.loads(_run(path, "json", *bundle))["findings"]
    indices = {int(f["pointer"].split("/")[1]) for f in found}
    assert {3, 40, 41, 77, 119} <= indices
    for f in found:
        assert _asset_at(text, f["line"], f["column"]) == assets[int(f["pointer"].split("/")[1])], f
    if layout == "one-line":
        assert {f["line"] for f in found} == {1}


def test_every_format_carries_the_position(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(LAYOUTS["pretty"](_assets()), encoding="utf-8")
    want = [(f["rule"], f["line"], f["column"]) for f in json.loads(_run(path, "json"))["findings"]]
    assert all(line and column for _, line, column in want)
    sarif = json.loads(_run(path, "sarif"))["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in sarif] == want
    github = _run(path, "github")
    assert re.findall(r"::\w+ file=[^,]+,line=(\d+),col=(\d+)", github) == [(str(ln), str(c)) for _, ln, c in want]
    assert re.findall(r'line="(\d+)"', _run(path, "junit")) == [str(ln) for _, ln, _ in want]
    assert re.findall(r"m\.json:(\d+):(\d+)", _run(path, "text")) == [(str(ln), str(c)) for _, ln, c in want]


def test_not_an_array_points_at_the_top_level_value(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('\n\n   {"data": "x"}\n', encoding="utf-8")
    found = json.loads(_run(path, "json"))["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [("HG501", 3, 4)]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_positions_past_assets_holding_metadata(tmp_path, layout):
    """Assets whose metadata is an object of flat objects and arrays (with brackets inside strings) are walked
    at C speed; deeper ones by brackets: both land on the offending asset."""
    assets = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/img/{i:05d}.jpg", "externalId": f"id-{i}",
               "metadata": {"frameRate": 30, "tags": ["a", "b}]"], "s": {"k": "x{["}}} for i in range(300)]
    assets[7]["metadata"] = {"deep": [{"x": [1]}]}
    for i in (5, 6, 100, 163, 299):
        assets[i]["metadata"]["frameRate"] = 0  # HG5xx: not a positive number
    path = tmp_path / "m.json"
    path.write_bytes(LAYOUTS[layout](assets).encode("utf-8"))
    text = path.read_bytes().decode("utf-8")
    found = json.loads(_run(path, "json"))["findings"]
    assert {int(f["pointer"].split("/")[1]) for f in found} == {5, 6, 100, 163, 299}
    for f in found:
        assert _asset_at(text, f["line"], f["column"]) == assets[int(f["pointer"].split("/")[1])], f
