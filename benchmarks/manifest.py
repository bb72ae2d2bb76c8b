"""Benchmark: hubgate's streaming manifest validator against jsonschema over the file loaded whole.

    python benchmarks/manifest.py                    # 100k and 1M assets
    python benchmarks/manifest.py --sizes 100000 --skip-baseline-above 500000

Generates manifests (a few percent bad entries: raw spaces, path-style URLs, missing regions, '+',
duplicate externalIds, string widths) in a temporary directory. Each measurement runs in its own
subprocess, and its peak RSS is that process's own (os.wait4 rusage), so the figures do not mix.

hubgate: ``hubgate manifest FILE --format json --output /dev/null`` (all HG5xx rules, all findings kept).
baseline: ``json.load`` of the whole file, then ``Draft202012Validator(schemas/manifest.schema.json)
.iter_errors`` (the equivalent schema: types, required fields, positive integers; no URL checks).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HUBGATE = r"""
import sys
from hubgate.cli_manifest import manifest_command
manifest_command(["validate", sys.argv[1], "--format", "json", "--output", "/dev/null", "--no-progress"],
                 prog_name="hubgate manifest")
"""

BASELINE = r"""
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[2], encoding="utf-8"))
with open(sys.argv[1], "rb") as f:
    data = json.load(f)
errors = sum(1 for _ in Draft202012Validator(schema).iter_errors(data))
print(errors)
"""


def generate(path: Path, n: int, bad_fraction: float = 0.03, seed: int = 7) -> int:
    """Write a manifest of n assets; returns the number of deliberately bad entries."""
    rnd = random.Random(seed)
    bad = 0
    regions = ["eu-central-1", "us-west-2", "ap-south-1"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            region = regions[i % 3]
            url = f"https://bucket-{i % 3}.s3.{region}.amazonaws.com/images/2024/{i // 1000:04d}/img_{i:08d}.jpg"
            ext = f"img_{i:08d}.jpg"
            extra = f', "width": {600 + i % 400}, "height": {400 + i % 300}' if i % 2 else ""
            if rnd.random() < bad_fraction:
                bad += 1
                kind = rnd.randrange(6)
                if kind == 0:
                    url = url.replace("img_", "img ")
                elif kind == 1:
                    url = f"https://s3.{region}.amazonaws.com/bucket-{i % 3}/images/img_{i:08d}.jpg"
                elif kind == 2:
                    url = url.replace(f".s3.{region}.", ".s3.")
                elif kind == 3:
                    url = url.replace("img_", "img+")
                elif kind == 4:
                    ext = f"img_{max(i - 1, 0):08d}.jpg"
                else:
                    extra = f', "width": "{600 + i % 400}"'
            f.write(('{"data": "%s", "externalId": "%s"%s}' % (url, ext, extra)) + (",\n" if i < n - 1 else "\n"))
        f.write("]\n")
    return bad


def measure(code: str, *args: str) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in bytes, exit code, stdout) of one run of ``python -c code args`` in a child."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        raise SystemExit(f"benchmark run failed ({p.returncode}): {err.decode(errors='replace')[-2000:]}")
    return secs, usage.ru_maxrss * 1024, p.returncode, out.decode().strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated asset counts")
    ap.add_argument("--skip-baseline-above", type=int, default=None,
                    help="skip the jsonschema baseline for manifests larger than this (it loads the file whole)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    schema = str(ROOT / "schemas" / "manifest.schema.json")
    rows = []
    with tempfile.TemporaryDirectory(prefix="hubgate-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"manifest-{n}.json"
            t0 = time.perf_counter()
            bad = generate(path, n)
            size = path.stat().st_size
            print(f"generated {n:,} assets ({bad:,} bad, {size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s",
                  flush=True)
            hs, hrss, hrc, _ = measure(HUBGATE, str(path))
            print(f"  hubgate   {hs:8.2f}s  {n / hs:>12,.0f} assets/s  peak RSS {hrss / 2**20:7.1f} MiB  exit {hrc}",
                  flush=True)
            if args.skip_baseline_above is not None and n > args.skip_baseline_above:
                print(f"  baseline  skipped: {n:,} > --skip-baseline-above {args.skip_baseline_above:,}")
                rows.append((n, size, hs, hrss, None, None))
                continue
            bs, brss, _, nerr = measure(BASELINE, str(path), schema)
            print(f"  jsonschema{bs:8.2f}s  {n / bs:>12,.0f} assets/s  peak RSS {brss / 2**20:7.1f} MiB  "
                  f"({nerr} schema errors)", flush=True)
            print(f"  ratio     throughput x{bs / hs:.1f}, peak RSS x{brss / hrss:.1f} smaller", flush=True)
            rows.append((n, size, hs, hrss, bs, brss))
    print()
    print("| assets | file | hubgate s | hubgate assets/s | hubgate peak RSS | jsonschema s | jsonschema assets/s "
          "| jsonschema peak RSS | throughput ratio | RSS ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, size, hs, hrss, bs, brss in rows:
        b = (f"{bs:.2f} | {n / bs:,.0f} | {brss / 2**20:.0f} MiB | x{bs / hs:.1f} | x{brss / hrss:.1f}"
             if bs else "skipped | | | | ")
        print(f"| {n:,} | {size / 1e6:.0f} MB | {hs:.2f} | {n / hs:,.0f} | {hrss / 2**20:.0f} MiB | {b} |")


if __name__ == "__main__":
    main()
