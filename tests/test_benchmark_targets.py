"""benchmarks/targets.py: the one table of issue 16's targets, built from the benchmark scripts' JSON."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from conftest import REPO

_spec = importlib.util.spec_from_file_location("bench_targets", REPO / "benchmarks" / "targets.py")
targets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(targets)

WHOLE = {"rows": [
    {"command": "check DIR (corpus), per policy marginal", "hubgate_s": 566e-6, "baseline_s": 4951e-6, "ratio": 8.75,
     "target": ">= 20x", "met": False},
    {"command": "rules", "hubgate_s": 0.09, "baseline_s": 0.023, "ratio": 0.26, "target": "<= 0.15 s", "met": True},
]}
PROVE = {"rows": [{"backend": "moto", "bundle": "examples/good", "runs": [7.1], "median_s": 7.1, "target_s": 10.0,
                   "exit": 0, "results": {"pass": 4}}]}


def _manifest_row(shape, assets, hubgate_s, baseline_s, rss_mib=50):
    return {"shape": shape, "assets": assets, "bytes": 1, "bad": 0, "hubgate_s": hubgate_s, "hubgate_startup_s": 0.1,
            "baseline_s": baseline_s, "baseline_startup_s": 0.1, "rss_bytes": rss_mib * 2**20}


def test_one_table_whole_process_first_each_target_judged():
    manifest = {"rows": [_manifest_row("plain", 100_000, 1.0, 5.0), _manifest_row("plain", 1_000_000, 1.4, 24.5),
                         _manifest_row("utf8-nfd", 1_000_000, 2.4, 21.3), _manifest_row("gcs", 1_000_000, 1.0, 20.0, 120)]}
    table = targets.rows(WHOLE, manifest, PROVE)
    assert [t[0] for t in table] == ["1", "2", "3", "3", "3", "4"]  # the largest size only; targets in order
    met = {t[1].split(" (")[0].split(",")[0]: t[6] for t in table}
    assert met == {"check DIR": False, "rules": True, "manifest plain": True, "manifest utf8-nfd": False,
                   "manifest gcs": False, "prove examples/good on moto": True}  # gcs: x20 but 120 MiB
    assert table[0][2:5] == ("566 µs", "4951 µs", "8.8x")
    text = targets.render(table)
    assert text.count("\n") == len(table) + 2 and "| 3 | manifest utf8-nfd, 1,000,000 assets" in text
    assert "**no**" in text


def test_manifest_benchmark_json_feeds_the_table(tmp_path):
    out = tmp_path / "m.json"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "manifest.py"), "--sizes", "300", "--shapes", "plain",
                    "--repeat", "1", "--json", str(out)], check=True, cwd=REPO, capture_output=True, timeout=300)
    data = json.loads(out.read_text())
    assert [(r["shape"], r["assets"]) for r in data["rows"]] == [("plain", 300)]
    (row,) = [r for r in targets.rows({"rows": []}, data, {"rows": []})]
    assert row[0] == "3" and row[1].startswith("manifest plain, 300 assets") and row[3].endswith(" s")
