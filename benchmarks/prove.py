"""Benchmark: ``hubgate prove`` — the full scenario set, server start and stop included, per backend.

    python benchmarks/prove.py                          # moto and seaweedfs, examples/good and broken, 3 runs
    python benchmarks/prove.py --backends moto --runs 5

Each run is a fresh subprocess (interpreter start, imports, server start, provisioning, nine scenarios,
cleanup, server stop), timed from the outside. Target (issue 16, which tightened issue 6's 20 s / 60 s): under
10 s per backend, server start included, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"moto": 10.0, "seaweedfs": 10.0}

RUN = r"""
import sys
from hubgate.cli.prove import prove_command
prove_command(sys.argv[1:], prog_name="hubgate prove")
"""


def one(backend: str, bundle: str) -> tuple[float, dict, int]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUN, bundle, "--backend", backend, "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{backend} {bundle}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    return elapsed, {s["scenario"]: s["result"] for s in doc["scenarios"]}, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default="moto,seaweedfs")
    ap.add_argument("--bundles", default="examples/good,examples/broken")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args()
    table, rows = {}, []
    print("| backend | bundle | runs | median s | min s | max s | target | exit | results |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for backend in args.backends.split(","):
        for bundle in args.bundles.split(","):
            times, results, code = [], {}, None
            for _ in range(args.runs):
                t, results, code = one(backend, bundle)
                times.append(t)
            counts = {}
            for r in results.values():
                counts[r] = counts.get(r, 0) + 1
            table[(backend, bundle)] = results
            target = TARGETS.get(backend)
            rows.append({"backend": backend, "bundle": bundle, "runs": times, "median_s": statistics.median(times),
                         "target_s": target, "exit": code, "results": counts})
            print(f"| {backend} | {bundle} | {args.runs} | {statistics.median(times):.2f} | {min(times):.2f} | "
                  f"{max(times):.2f} | {f'< {target:.0f}' if target else '-'} | {code} | "
                  f"{', '.join(f'{n} {k}' for k, n in sorted(counts.items()))} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    scenarios = list(next(iter(table.values())))
    cols = list(table)
    print()
    print("| scenario | " + " | ".join(f"{b} {Path(x).name}" for b, x in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for s in scenarios:
        print(f"| {s} | " + " | ".join(table[c].get(s, "-") for c in cols) + " |")


if __name__ == "__main__":
    main()
