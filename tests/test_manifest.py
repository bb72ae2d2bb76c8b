"""Import manifest rules HG501..HG517, the streaming validator, and `hubgate manifest fix`."""

from __future__ import annotations

import json
import shutil
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from hubgate import manifest as m
from hubgate.bundle import load_bundle
from hubgate.cli.manifest import manifest_command
from hubgate.example import example_targets
from hubgate.rules import Target, all_rules, run_rules

FIX = Path(__file__).resolve().parent / "fixtures" / "manifest"
ROOT_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HG5 = {i: r for i, r in all_rules().items() if i.startswith("HG5")}


def run(*args: str):
    return CliRunner().invoke(manifest_command, [str(a) for a in args])


def findings_of(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


def pairs(result) -> list[tuple[str, str]]:
    return [(f["rule"], f["pointer"]) for f in findings_of(result)]


def write_manifest(path: Path, assets) -> Path:
    path.write_text(json.dumps(assets), encoding="utf-8")
    return path


# -- rule catalogue -------------------------------------------------------------------------------


def test_rule_ids_are_the_validators():
    assert sorted(HG5) == sorted(m.SEVERITY)
    for rid, rule in HG5.items():
        assert rule.severity == m.SEVERITY[rid]
        assert rule.what and rule.why and rule.fix and rule.title
        assert rule.fail_examples and rule.pass_examples


@pytest.mark.parametrize("rid", sorted(HG5))
def test_fail_examples_fail_with_their_rule(rid):
    rule = HG5[rid]
    for ex in rule.fail_examples:
        found = [f for f in run_rules(example_targets(ex)) if f.rule == rid]
        assert found, f"{rid} example did not fail"
        for f in found:
            assert f.fix and f.message and f.pointer.startswith("/manifest")


@pytest.mark.parametrize("rid", sorted(HG5))
def test_pass_examples_pass(rid):
    for ex in HG5[rid].pass_examples:
        assert [f for f in run_rules(example_targets(ex)) if f.rule.startswith("HG5")] == []


def test_rules_command_documents_manifest_rules():
    from hubgate.cli import cli

    r = CliRunner().invoke(cli, ["rules", "HG505"])
    assert r.exit_code == 0, r.output
    assert "virtual-hosted" in r.output and "Failing example" in r.output
    r = CliRunner().invoke(cli, ["rules"])
    assert all(rid in r.output for rid in HG5)


def test_bundle_without_manifest_gives_nothing():
    from hubgate.example import good_bundle

    assert [f for f in run_rules(example_targets(good_bundle())) if f.rule.startswith("HG5")] == []


# -- the docs' own example ------------------------------------------------------------------------


def test_docs_example_passes():
    r = run(FIX / "docs-example.json", "--format", "json")
    assert r.exit_code == 0, r.output
    assert findings_of(r) == []


def test_docs_example_passes_against_a_bundle_for_its_bucket(tmp_path):
    shutil.copytree(FIX, tmp_path / "b")
    r = run(tmp_path / "b" / "docs-example.json", "--bundle", tmp_path / "b" / "integration.yaml", "--format", "json")
    assert r.exit_code == 0, r.output
    assert findings_of(r) == []


# -- one URL at a time ----------------------------------------------------------------------------

GOOD = "https://bucket-name.s3.eu-central-1.amazonaws.com/file.jpg"


@pytest.mark.parametrize(
    "url, rules, fixed",
    [
        (GOOD, set(), None),
        ("https://bucket-name.s3.eu-central-1.amazonaws.com/file%202.jpg", set(), None),
        ("https://storage.googleapis.com/gbucket/dir/o.png", set(), None),
        ("https://s3.eu-west-1.amazonaws.com/bk/dir/a.jpg", {"HG505"}, "https://bk.s3.eu-west-1.amazonaws.com/dir/a.jpg"),
        ("https://s3.amazonaws.com/bk/a.jpg", {"HG505", "HG506"}, "https://bk.s3.amazonaws.com/a.jpg"),
        ("https://bk.s3-eu-west-1.amazonaws.com/a.jpg", {"HG505"}, "https://bk.s3.eu-west-1.amazonaws.com/a.jpg"),
        ("https://bk.s3-external-1.amazonaws.com/a.jpg", {"HG505"}, "https://bk.s3.us-east-1.amazonaws.com/a.jpg"),
        ("https://bk.s3.dualstack.eu-west-1.amazonaws.com/a.jpg", {"HG505"}, "https://bk.s3.eu-west-1.amazonaws.com/a.jpg"),
        ("https://cdn.example.com/a.jpg", {"HG505"}, None),
        ("https://bk.s3.amazonaws.com/a.jpg", {"HG506"}, None),
        ("http://bk.s3.eu-west-1.amazonaws.com/a.jpg", {"HG504"}, "https://bk.s3.eu-west-1.amazonaws.com/a.jpg"),
        ("s3://bk/a b.jpg", {"HG504", "HG506", "HG509"}, "https://bk.s3.amazonaws.com/a%20b.jpg"),
        ("images/a.jpg", {"HG504"}, None),
        ("https://bk.s3.eu-west-1.amazonaws.com/a b.jpg", {"HG509"}, "https://bk.s3.eu-west-1.amazonaws.com/a%20b.jpg"),
        ("https://bk.s3.eu-west-1.amazonaws.com/é.jpg", {"HG509"}, "https://bk.s3.eu-west-1.amazonaws.com/%C3%A9.jpg"),
        ("https://bk.s3.eu-west-1.amazonaws.com/a+b.jpg", {"HG510"}, None),
        ("https://bk.s3.eu-west-1.amazonaws.com/50%.jpg", {"HG507"}, "https://bk.s3.eu-west-1.amazonaws.com/50%25.jpg"),
        ("https://bk.s3.eu-west-1.amazonaws.com/caf%E9.jpg", {"HG508"}, None),
        ("https://bk.s3.eu-west-1.amazonaws.com/", {"HG503"}, None),
        ("https://bk.storage.googleapis.com/o.png", {"HG505"}, "https://storage.googleapis.com/bk/o.png"),
    ],
)
def test_url_rules(tmp_path, url, rules, fixed):
    r = run(write_manifest(tmp_path / "m.json", [{"data": "https://ok.s3.eu-west-1.amazonaws.com/x", "externalId": "0"},
                                                 {"data": url, "externalId": "1"}]), "--format", "json")
    found = findings_of(r)
    assert {f["rule"] for f in found} == rules, found
    assert all(f["pointer"] == "/1/data" for f in found)
    at = (tmp_path / "m.json").read_text().index('{"data": ' + json.dumps(url))  # one line: column = offset + 1
    assert all(f["file"].endswith("m.json") and (f["line"], f["column"]) == (1, at + 1) for f in found)
    assert r.exit_code == (1 if any(f["severity"] == "error" for f in found) else 0)
    if fixed:
        assert any(f["fix"] == f'Use "{fixed}"' for f in found), found
    for f in found:
        assert f["fix"], f
        assert url.strip()[:20] in f["message"] or "key" in f["message"]


def test_plus_fix_offers_both_readings(tmp_path):
    r = run(write_manifest(tmp_path / "m.json", [{"data": "https://bk.s3.eu-west-1.amazonaws.com/a+b.jpg", "externalId": "1"}]),
            "--format", "json")
    (f,) = findings_of(r)
    assert f["rule"] == "HG510" and "a%20b.jpg" in f["fix"] and "a%2Bb.jpg" in f["fix"]


# -- asset fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asset, expected",
    [
        ({"data": GOOD, "externalId": "a", "width": 603, "height": 450}, []),
        ({"data": GOOD, "externalId": "a", "width": "603"}, [("HG513", "/0/width")]),
        ({"data": GOOD, "externalId": "a", "height": -1}, [("HG513", "/0/height")]),
        ({"data": GOOD, "externalId": "a", "width": 60.5}, [("HG513", "/0/width")]),
        ({"data": GOOD, "externalId": "a", "width": True}, [("HG513", "/0/width")]),
        ({"data": GOOD}, [("HG511", "/0")]),
        ({"data": GOOD, "externalId": ""}, [("HG511", "/0/externalId")]),
        ({"data": GOOD, "externalId": 7}, [("HG511", "/0/externalId")]),
        ({"externalId": "a"}, [("HG503", "/0")]),
        ({"data": None, "externalId": "a"}, [("HG503", "/0/data")]),
        ({"data": GOOD, "externalId": "a", "metadata": {"frameRate": 29.97}, "batches": ["b"],
          "attachments": [{"type": "TEXT", "value": "v"}], "contextData": {"k": 1}}, []),
        ({"data": GOOD, "externalId": "a", "metadata": "x"}, [("HG514", "/0/metadata")]),
        ({"data": GOOD, "externalId": "a", "metadata": {"frameRate": "30"}}, [("HG514", "/0/metadata/frameRate")]),
        ({"data": GOOD, "externalId": "a", "batches": ["ok", 3]}, [("HG514", "/0/batches/1")]),
        ({"data": GOOD, "externalId": "a", "batches": "b"}, [("HG514", "/0/batches")]),
        ({"data": GOOD, "externalId": "a", "attachments": {"type": "TEXT"}}, [("HG514", "/0/attachments")]),
        ({"data": GOOD, "externalId": "a", "attachments": ["x"]}, [("HG514", "/0/attachments/0")]),
        ({"data": GOOD, "externalId": "a", "contextData": "x"}, [("HG514", "/0/contextData")]),
        ("https://x", [("HG502", "/0")]),
        ([GOOD], [("HG502", "/0")]),
    ],
)
def test_asset_fields(tmp_path, asset, expected):
    r = run(write_manifest(tmp_path / "m.json", [asset]), "--format", "json")
    assert pairs(r) == expected, r.output


def test_duplicate_external_ids_name_the_first(tmp_path):
    assets = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/{i}.jpg", "externalId": f"id-{i % 500}"} for i in range(1200)]
    r = run(write_manifest(tmp_path / "m.json", assets), "--format", "json")
    found = findings_of(r)
    assert {f["rule"] for f in found} == {"HG512"}
    assert len(found) == 700
    assert found[0]["pointer"] == "/500/externalId" and "asset 0" in found[0]["message"] and "'id-0'" in found[0]["message"]
    assert found[-1]["pointer"] == "/1199/externalId" and "asset 199" in found[-1]["message"]


def test_digest_table_grows_and_stays_exact():
    t = m.DigestTable(capacity=8)
    for i in range(50_000):
        assert t.add(f"asset-{i}", i) is None
    assert len(t) == 50_000
    assert t.add("asset-12345", 99) == 12345
    assert t.add("asset-0", 1) == 0
    # 4 bytes a slot at load >= 3/8, 8 bytes a digest, and three runs (the last two ids are not at the next index)
    assert 3 * t._slots.itemsize * len(t._slots) <= 4 * 8 * 50_002 and len(t._digests) == 50_002
    assert len(t._run_at) == 3


def test_not_an_array(tmp_path):
    r = run(FIX / "object.json", "--format", "json")
    assert r.exit_code == 1
    assert pairs(r) == [("HG501", "")]
    assert "object" in findings_of(r)[0]["message"]


def test_empty_file_is_an_input_error(tmp_path):
    (tmp_path / "e.json").write_text("  \n")
    r = run(tmp_path / "e.json")
    assert r.exit_code == 2 and "empty" in r.output


def test_missing_file_is_exit_2(tmp_path):
    r = run(tmp_path / "nope.json")
    assert r.exit_code == 2 and "nope.json" in r.output


# -- malformed JSON midway ------------------------------------------------------------------------


def test_malformed_json_keeps_findings_so_far_and_names_the_offset():
    r = run(FIX / "malformed.json", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert [(f["rule"], f["pointer"]) for f in doc["findings"]] == [("HG509", "/0/data")]
    (err,) = doc["errors"]
    assert err["file"].endswith("malformed.json")
    offset = int(err["message"].split("at byte ")[1].split(":")[0])
    raw = (FIX / "malformed.json").read_bytes()
    start = raw.index(b'"externalId": "c"')
    assert start - 2 <= offset <= start + len(b'"externalId"'), offset
    assert "malformed.json" in r.stderr and "byte" in r.stderr


def test_malformed_offset_is_exact_for_a_stray_character(tmp_path):
    assets = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/k{i}.jpg", "externalId": f"id-{i}"} for i in range(5000)]
    text = json.dumps(assets, indent=1)
    for frac in (0.01, 0.37, 0.81):
        p = text.index("{", int(len(text) * frac))
        (tmp_path / "m.json").write_text(text[:p] + "@" + text[p:])
        with pytest.raises(m.ManifestError) as exc:
            for _ in m.iter_assets(tmp_path / "m.json", "m.json"):
                pass
        assert exc.value.offset == p


def test_truncated_file_reports_end_offset(tmp_path):
    text = json.dumps([{"data": GOOD, "externalId": str(i)} for i in range(100)])
    (tmp_path / "t.json").write_text(text[:-40])
    r = run(tmp_path / "t.json")
    assert r.exit_code == 2
    assert f"at byte {len(text) - 40}" in r.output


# -- streaming, limits, output ---------------------------------------------------------------------


def test_reads_incrementally(tmp_path):
    assets = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/{i}.jpg", "externalId": str(i)} for i in range(60_000)]
    path = write_manifest(tmp_path / "big.json", assets)
    size = path.stat().st_size
    seen = []
    it = m.iter_assets(path, "big.json", progress=lambda pos, n: seen.append(pos))
    i, first = next(it)
    assert i == 0 and first["externalId"] == "0"
    assert seen and seen[0] < size // 10  # only the first chunk was read
    it.close()


def test_max_findings_stops_early(tmp_path):
    assets = [{"data": f"https://bk.s3.eu-west-1.amazonaws.com/{i} x.jpg", "externalId": str(i)} for i in range(1000)]
    r = run(write_manifest(tmp_path / "m.json", assets), "--format", "json", "--max-findings", "5")
    assert r.exit_code == 1
    assert [p for _, p in pairs(r)] == [f"/{i}/data" for i in range(5)]
    assert "--max-findings" in r.stderr


def test_no_progress_bar_off_a_terminal(tmp_path):
    r = run(FIX / "docs-example.json")
    assert "assets/s" not in r.output and "assets/s" not in r.stderr


def test_progress_bar_when_forced(tmp_path):
    r = run(FIX / "docs-example.json", "--progress", "--format", "json")
    assert r.exit_code == 0
    assert findings_of(r) == []


@pytest.mark.parametrize("fmt", ["text", "sarif", "junit", "github"])
def test_other_formats(fmt):
    r = run(FIX / "assets.json", "--format", fmt)
    assert r.exit_code == 1
    assert "HG512" in r.output


def test_select_and_fail_on(tmp_path):
    path = write_manifest(tmp_path / "m.json", [{"data": "https://bk.s3.amazonaws.com/a b.jpg", "externalId": "1"}])
    r = run(path, "--format", "json", "--select", "HG506")
    assert pairs(r) == [("HG506", "/0/data")] and r.exit_code == 0
    r = run(path, "--format", "json", "--select", "HG506", "--fail-on", "warning")
    assert r.exit_code == 1
    r = run(path, "--format", "json", "--ignore", "HG509,HG506")
    assert pairs(r) == [] and r.exit_code == 0


def test_quiet_and_output(tmp_path):
    out = tmp_path / "r.json"
    r = run(FIX / "assets.json", "--format", "json", "--output", out)
    assert r.exit_code == 1 and r.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] > 10
    r = run(FIX / "assets.json", "--quiet")
    assert r.exit_code == 1 and r.output == ""


# -- against a bundle -----------------------------------------------------------------------------

EXPECTED_WITH_BUNDLE = [
    ("HG506", "/1/data"),
    ("HG517", "/2/data"),
    ("HG505", "/3/data"),
    ("HG509", "/3/data"),
    ("HG512", "/6/externalId"),
    ("HG510", "/7/data"),
    ("HG514", "/7/batches"),
    ("HG502", "/8"),
    ("HG508", "/9/data"),
    ("HG513", "/9/width"),
    ("HG507", "/10/data"),
    ("HG514", "/10/metadata/frameRate"),
    ("HG504", "/11/data"),
    ("HG514", "/11/attachments/0"),
    ("HG505", "/12/data"),
    ("HG514", "/12/contextData"),
    ("HG503", "/13"),
    ("HG511", "/14"),
    # bucket-level findings come last: their message counts the bucket's assets
    ("HG515", "/4/data"),
    ("HG516", "/4/data"),
    ("HG516", "/6/data"),
]


def test_manifest_with_bundle():
    r = run(FIX / "assets.json", "--bundle", FIX / "integration.yaml", "--format", "json")
    assert r.exit_code == 1
    assert pairs(r) == EXPECTED_WITH_BUNDLE
    by = {(f["rule"], f["pointer"]): f for f in findings_of(r)}
    warn = by[("HG506", "/1/data")]
    assert warn["severity"] == "warning" and "us-west-2" in warn["message"]
    assert warn["fix"] == 'Use "https://west-bucket.s3.us-west-2.amazonaws.com/dog.jpg"'
    assert "eu-central-1" in by[("HG517", "/2/data")]["message"] and "us-west-2" in by[("HG517", "/2/data")]["fix"]
    assert by[("HG505", "/3/data")]["fix"] == 'Use "https://west-bucket.s3.us-west-2.amazonaws.com/a%20cat.jpg"'
    unreachable = by[("HG515", "/4/data")]
    assert "'stranger'" in unreachable["message"] and "2 asset(s)" in unreachable["message"]
    assert "arn:aws:s3:::stranger/*" in unreachable["fix"]
    assert "no CORS" in by[("HG516", "/6/data")]["message"]


def test_region_missing_without_bundle_assumes_us_east_1(tmp_path):
    path = write_manifest(tmp_path / "m.json", [{"data": "https://west-bucket.s3.amazonaws.com/dog.jpg", "externalId": "1"}])
    (f,) = findings_of(run(path, "--format", "json"))
    assert f["rule"] == "HG506" and "us-east-1" in f["message"] and "<region>" in f["fix"]
    (f,) = findings_of(run(path, "--format", "json", "--region", "ap-south-1"))
    assert f["fix"] == 'Use "https://west-bucket.s3.ap-south-1.amazonaws.com/dog.jpg"'


def test_gcp_bundle_accepts_gcs_urls(tmp_path):
    bundle = tmp_path / "integration.yaml"
    bundle.write_text("name: g\nprovider: gcp\nbuckets:\n  - name: gbucket\n    cors: cors.json\n")
    shutil.copy(FIX / "cors.json", tmp_path / "cors.json")
    path = write_manifest(tmp_path / "m.json", [
        {"data": "https://storage.googleapis.com/gbucket/a.png", "externalId": "1"},
        {"data": "https://gbucket.s3.eu-west-1.amazonaws.com/a.png", "externalId": "2"},
    ])
    r = run(path, "--bundle", bundle, "--format", "json")
    assert pairs(r) == [("HG505", "/1/data")], r.output


def test_bad_bundle_is_exit_2(tmp_path):
    (tmp_path / "b.yaml").write_text("name: x\n")
    r = run(FIX / "docs-example.json", "--bundle", tmp_path / "b.yaml")
    assert r.exit_code == 2 and "b.yaml" in r.output


def test_check_reads_the_bundles_manifest_relative_to_its_folder(tmp_path, monkeypatch):
    shutil.copytree(FIX, tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    bundle = load_bundle(Path("b/integration.yaml"), "b/integration.yaml")
    found = [f for f in run_rules([Target("bundle", bundle=bundle, organization=[bundle])]) if f.rule.startswith("HG5")]
    got = [(f.rule, f.pointer) for f in found]
    # the declared bucket without CORS is HG301's finding over a bundle, not HG516's
    assert sorted(got) == sorted(p for p in EXPECTED_WITH_BUNDLE if p != ("HG516", "/6/data"))
    assert all(f.file == str(Path("b/assets.json")) for f in found)
    assert any(f.rule == "HG301" for f in run_rules([Target("bundle", bundle=bundle, organization=[bundle])]))


def test_check_reports_a_missing_or_malformed_manifest(tmp_path):
    shutil.copytree(FIX, tmp_path / "b")
    y = tmp_path / "b" / "integration.yaml"
    y.write_text(y.read_text().replace("manifest: assets.json", "manifest: malformed.json"))
    bundle = load_bundle(y, str(y))
    found = [(f.rule, f.pointer) for f in run_rules([Target("bundle", bundle=bundle)]) if f.rule.startswith("HG5")]
    assert ("HG509", "/0/data") in found and ("HG501", "") in found
    y.write_text(y.read_text().replace("manifest: malformed.json", "manifest: gone.json"))
    bundle = load_bundle(y, str(y))
    found = [f for f in run_rules([Target("bundle", bundle=bundle)]) if f.rule.startswith("HG5")]
    assert [(f.rule, f.pointer) for f in found] == [("HG501", "/manifest")]
    assert found[0].file == str(y) and found[0].line is not None


# -- manifest fix ---------------------------------------------------------------------------------


def test_fix_rewrites_and_reports_what_it_cannot(tmp_path):
    src = write_manifest(tmp_path / "in.json", [
        {"data": "https://s3.eu-west-1.amazonaws.com/bk/a b.jpg", "externalId": "1", "width": 3},
        {"data": "https://bk.s3.amazonaws.com/c.jpg", "externalId": "2"},
        {"data": "https://bk.s3.eu-west-1.amazonaws.com/a+b.jpg", "externalId": "3"},
        {"data": "https://cdn.example.com/x.jpg", "externalId": "4"},
        "bare",
    ])
    r = run("fix", src, tmp_path / "out.json", "--format", "json")
    assert r.exit_code == 1
    rep = json.loads(r.stdout)
    assert rep["assets"] == 5 and rep["rewritten"] == 1
    assert [(u["pointer"], u["rule"]) for u in rep["unfixed"]] == [
        ("/1/data", "HG506"), ("/2/data", "HG510"), ("/3/data", "HG505"), ("/4", "HG502")]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out[0] == {"data": "https://bk.s3.eu-west-1.amazonaws.com/a%20b.jpg", "externalId": "1", "width": 3}
    assert out[2]["data"].endswith("a+b.jpg") and out[4] == "bare"
    # with the region and the literal-plus flag everything is fixed, in place
    r = run("fix", tmp_path / "out.json", tmp_path / "out.json", "--region", "eu-west-1", "--literal-plus",
            "--format", "json")
    rep = json.loads(r.stdout)
    assert [u["rule"] for u in rep["unfixed"]] == ["HG505", "HG502"]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out[1]["data"] == "https://bk.s3.eu-west-1.amazonaws.com/c.jpg"
    assert out[2]["data"] == "https://bk.s3.eu-west-1.amazonaws.com/a%2Bb.jpg"
    r = run(tmp_path / "out.json", "--format", "json", "--ignore", "HG505,HG502")
    assert pairs(r) == []


def test_fix_uses_the_bundle_regions(tmp_path):
    src = write_manifest(tmp_path / "in.json", [{"data": "https://west-bucket.s3.amazonaws.com/d.jpg", "externalId": "1"}])
    r = run("fix", src, tmp_path / "out.json", "--bundle", FIX / "integration.yaml")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "out.json").read_text())[0]["data"] == "https://west-bucket.s3.us-west-2.amazonaws.com/d.jpg"


def test_fix_leaves_out_untouched_on_malformed_input(tmp_path):
    (tmp_path / "out.json").write_text("previous")
    r = run("fix", FIX / "malformed.json", tmp_path / "out.json")
    assert r.exit_code == 2 and "byte" in r.output
    assert (tmp_path / "out.json").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_fix_of_docs_example_changes_nothing(tmp_path):
    r = run("fix", FIX / "docs-example.json", tmp_path / "out.json")
    assert r.exit_code == 0
    assert json.loads((tmp_path / "out.json").read_text()) == json.loads((FIX / "docs-example.json").read_text())


_BUCKETS = st.from_regex(r"[a-z0-9][a-z0-9\-]{1,20}[a-z0-9]", fullmatch=True).filter(lambda b: "--" not in b)
_REGIONS = st.sampled_from(["us-east-1", "eu-central-1", "eu-west-1", "ap-southeast-2", "us-west-2"])
_KEY_CHARS = st.one_of(
    st.sampled_from(list(string.ascii_letters + string.digits + " -_.~!$&'()*,;=:@+%#\"<>{}|^`[]")),
    st.characters(min_codepoint=0xA0, max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
)
_KEYS = st.lists(st.text(_KEY_CHARS, min_size=1, max_size=12), min_size=1, max_size=4).map("/".join)


def _sloppy(key: str, draw_bits: list[bool]) -> str:
    """The key written the way people do: some characters raw, some percent-encoded (UTF-8)."""
    from urllib.parse import quote

    out = []
    for i, c in enumerate(key):
        must = c in "%?#"  # a raw % before hex digits, ? and # would change the key
        if must or draw_bits[i % len(draw_bits)]:
            out.append(quote(c, safe="/"))
        else:
            out.append(c)
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(bucket=_BUCKETS, region=_REGIONS, key=_KEYS, bits=st.lists(st.booleans(), min_size=1, max_size=8),
       style=st.sampled_from(["virtual", "path", "path-noregion", "dash", "s3uri", "http", "noregion"]))
def test_fix_round_trip(bucket, region, key, bits, style):
    raw = _sloppy(key, bits)
    url = {
        "virtual": f"https://{bucket}.s3.{region}.amazonaws.com/{raw}",
        "path": f"https://s3.{region}.amazonaws.com/{bucket}/{raw}",
        "path-noregion": f"https://s3.amazonaws.com/{bucket}/{raw}",
        "dash": f"https://{bucket}.s3-{region}.amazonaws.com/{raw}",
        "s3uri": f"s3://{bucket}/{raw}",
        "http": f"http://{bucket}.s3.{region}.amazonaws.com/{raw}",
        "noregion": f"https://{bucket}.s3.amazonaws.com/{raw}",
    }[style]
    fixed, left = m.fix_url(url, m.Context(region=region), literal_plus=True)
    assert left == []
    assert m.decode(fixed) == (bucket, region, key)
    assert fixed.startswith(f"https://{bucket}.s3.{region}.amazonaws.com/")
    # the fixed URL is clean: validating it again finds nothing, and fixing it again changes nothing
    assert m.analyse(fixed, lambda b: region).problems == []
    assert m.fix_url(fixed, m.Context(region=region), literal_plus=True)[0] == fixed


def test_streamed_json_equals_the_collected_report(tmp_path):
    from hubgate.manifest import Context, validate_file
    from hubgate.reporters import Report, render

    bundle = load_bundle(FIX / "integration.yaml", str(FIX / "integration.yaml"))
    res = validate_file(FIX / "assets.json", str(FIX / "assets.json"), Context(bundle))
    collected = json.loads(render(Report("manifest", res.findings, [], 1), "json"))
    r = run(FIX / "assets.json", "--bundle", FIX / "integration.yaml", "--format", "json")
    assert json.loads(r.stdout) == collected
    r = run(FIX / "assets.json", "--bundle", FIX / "integration.yaml", "--format", "text")
    assert r.stdout.count("\n    fix: ") == len(res.findings)
    assert r.stdout.rstrip().endswith("1 manifest(s) checked, 20 error(s), 1 warning(s), 0 info")
    assert len(res.findings) == len(EXPECTED_WITH_BUNDLE) == 21


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github"])
@pytest.mark.parametrize("case", ["findings", "clean", "malformed"])
def test_every_format_is_streamed_as_its_reporter_renders_it(tmp_path, fmt, case):
    """The manifest command writes findings as found in every format (nothing kept: constant memory); the
    text is the one the format's reporter gives for the collected report, byte for byte."""
    from hubgate.errors import InputError
    from hubgate.manifest import Context, validate_file
    from hubgate.reporters import Report, render

    src = {"findings": FIX / "assets.json", "clean": FIX / "docs-example.json"}.get(case)
    if src is None:
        src = tmp_path / "bad.json"
        src.write_text('[{"data": "https://b.s3.amazonaws.com/a b", "externalId": "1"}, {"data": ')
    bundle = load_bundle(FIX / "integration.yaml", str(FIX / "integration.yaml")) if case == "findings" else None
    res = validate_file(src, str(src), Context(bundle))
    errors: list[InputError] = list(res.errors)
    want = render(Report("manifest", res.findings, errors, 1), fmt)
    out = tmp_path / f"report.{fmt}"
    args = [src, "--format", fmt, "--output", out] + (["--bundle", FIX / "integration.yaml"] if bundle else [])
    r = run(*args)
    assert r.exit_code == {"findings": 1, "clean": 0, "malformed": 2}[case], r.output
    assert out.read_text(encoding="utf-8") == want
    assert (len(res.findings) > 10) if case == "findings" else True
    if fmt == "sarif":
        assert len(json.loads(want)["runs"][0]["results"]) == len(res.findings)


def test_quiet_keeps_no_findings_and_gives_the_exit_code(tmp_path):
    r = run(FIX / "assets.json", "--quiet", "--bundle", FIX / "integration.yaml")
    assert r.exit_code == 1 and r.output == ""
    assert run(FIX / "docs-example.json", "--quiet").exit_code == 0


# -- Azure Blob URLs (issue 9, item 5) --------------------------------------------------------------


def test_azure_blob_urls_against_an_azure_bundle(tmp_path):
    bundle = ROOT_EXAMPLES / "azure-good" / "integration.yaml"
    man = write_manifest(tmp_path / "a.json", [
        {"data": "https://acmelabeling.blob.core.windows.net/images/cats/cute%20cat.jpg", "externalId": "a"},
        {"data": "https://acmelabeling.blob.core.windows.net/images/cats/cute dog.jpg", "externalId": "b"},
        {"data": "https://bucket-name.s3.eu-central-1.amazonaws.com/file.jpg", "externalId": "c"},
    ])
    r = run(man, "--bundle", bundle, "--format", "json")
    assert r.exit_code == 1, r.output
    assert pairs(r) == [("HG509", "/1/data"), ("HG505", "/2/data")]
    fixes = {f["pointer"]: f["fix"] for f in findings_of(r)}
    assert "https://acmelabeling.blob.core.windows.net/images/cats/cute%20dog.jpg" in fixes["/1/data"]


def test_azure_blob_url_in_an_aws_integration(tmp_path):
    man = write_manifest(tmp_path / "a.json", [
        {"data": "https://acmelabeling.blob.core.windows.net/images/x.jpg", "externalId": "a"}])
    r = run(man, "--bundle", ROOT_EXAMPLES / "good" / "integration.yaml", "--format", "json")
    assert pairs(r) == [("HG505", "/0/data")]
    assert "Azure Blob URL but the integration is aws" in findings_of(r)[0]["message"]


_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())


@settings(max_examples=300)
@given(st.recursive(_JSON_LEAF, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=4),
                    max_leaves=25), st.integers(0, 5))
def test_streamed_json_is_byte_identical_to_json_dumps(v, level):
    from hubgate.reporters.stream import flat_json, pretty_json

    assert pretty_json(v, level) == json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    if isinstance(v, dict):
        assert flat_json(v) == json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n    ")


_FIELD = st.none() | st.text() | st.integers() | st.booleans()


@settings(max_examples=300)
@given(st.tuples(st.text(), st.text(), st.text(), st.text(), st.text()) | st.tuples(*[_FIELD] * 5),
       st.tuples(*[st.none() | st.integers() | st.booleans()] * 2), st.tuples(*[_FIELD] * 3))
def test_a_streamed_finding_is_its_dict_as_flat_json(strings, place, rest):
    """The JSON stream writes the usual finding (integer line and column, no suppression) in one piece: the same
    text as flat_json of its dict, whatever the fields hold."""
    import io

    from hubgate.findings import Finding
    from hubgate.reporters.json_out import flat_json
    from hubgate.reporters.stream import Stream

    f = Finding(*strings, *place, *rest)
    out = io.StringIO()
    Stream("json", out, "m.json").finding(f)
    assert out.getvalue() == '{\n  "findings": [\n    ' + flat_json(f.to_dict())
