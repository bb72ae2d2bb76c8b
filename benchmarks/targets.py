"""Issue 16's four targets in one table: every figure whole process, cold, a ratio against its baseline measured
in the same run.

    python benchmarks/targets.py                 # full: corpus x3, manifests at 1M (every shape), prove x3
    python benchmarks/targets.py --quick         # smoke: manifests at 100k, one run of everything

Runs the three benchmark scripts of this folder, each in its own process with ``--json``, and prints:

1. ``check DIR`` over the AWS managed policy corpus, per-policy marginal time, against parliament (>= 20x);
2. one bundle (<= 0.3 s and faster than parliament), ``rules`` and ``--help`` (<= 0.15 s)
   -- both from ``whole_process.py``;
3. ``hubgate manifest`` against jsonschema on every shape at the largest size (>= 10x, RSS < 100 MB) --
   ``manifest.py``;
4. ``hubgate prove examples/good`` per backend, server start included (< 10 s) -- ``prove.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MiB = 2**20


def rows(whole: dict, manifest: dict, prove: dict) -> list[tuple[str, str, str, str, str, str, bool]]:
    """(target, what, hubgate, baseline, ratio, target text, met) per figure, whole-process figures first."""
    out = []
    for r in whole["rows"]:
        per_policy = "per policy" in r["command"]
        unit = (lambda s: f"{s * 1e6:.0f} µs") if per_policy else (lambda s: f"{s:.3f} s")
        out.append(("1" if per_policy else "2", r["command"], unit(r["hubgate_s"]), unit(r["baseline_s"]),
                    f"{r['ratio']:.1f}x", r["target"], bool(r["met"])))
    largest = max((r["assets"] for r in manifest["rows"]), default=0)
    for r in manifest["rows"]:
        if r["assets"] != largest:
            continue
        b, h = r["baseline_s"], r["hubgate_s"]
        ratio = b / h if b else None
        out.append(("3", f"manifest {r['shape']}, {r['assets']:,} assets (peak {r['rss_bytes'] / MiB:.0f} MiB)",
                    f"{h:.2f} s", f"{b:.2f} s" if b else "skipped", f"{ratio:.1f}x" if ratio else "-",
                    ">= 10x, < 100 MB", bool(ratio and ratio >= 10 and r["rss_bytes"] < 100 * MiB)))
    for r in prove["rows"]:
        out.append(("4", f"prove {r['bundle']} on {r['backend']} (exit {r['exit']})", f"{r['median_s']:.2f} s",
                    "-", "-", f"< {r['target_s']:.0f} s", r["median_s"] < r["target_s"]))
    return out


def render(table: list[tuple[str, str, str, str, str, str, bool]]) -> str:
    lines = ["| # | command (whole process) | hubgate | baseline | ratio | target | met? |",
             "|---|---|---:|---:|---:|---|---|"]
    lines += [f"| {t} | {what} | {h} | {b} | {r} | {target} | {'yes' if met else '**no**'} |"
              for t, what, h, b, r, target, met in table]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="manifests at 100k assets, one run of everything")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hubgate-targets-") as tmp:
        out = {name: Path(tmp) / f"{name}.json" for name in ("whole", "manifest", "prove")}
        reps = ["--reps", "3", "--corpus-reps", "1"] if args.quick else []
        size = ["--sizes", "100000", "--repeat", "1"] if args.quick else ["--sizes", "1000000", "--repeat", "3"]
        runs = ["--runs", "1"] if args.quick else []
        for script, extra, json_out in (("whole_process.py", reps, out["whole"]), ("manifest.py", size, out["manifest"]),
                                        ("prove.py", [*runs, "--bundles", "examples/good"], out["prove"])):
            print(f"== {script} {' '.join(extra)}", flush=True)
            subprocess.run([sys.executable, str(HERE / script), *extra, "--json", str(json_out)], check=True,
                           cwd=HERE.parent)
        table = rows(*(json.loads(out[name].read_text()) for name in ("whole", "manifest", "prove")))
    print()
    print(render(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
