"""Benchmark: hubgate's streaming manifest validator against jsonschema over the file loaded whole.

    python benchmarks/manifest.py                    # 100k and 1M assets
    python benchmarks/manifest.py --sizes 100000 --skip-baseline-above 500000

Generates manifests (a few percent bad entries: raw spaces, path-style URLs, missing regions, '+',
duplicate externalIds, string widths) in a temporary directory. Each measurement runs in its own
subprocess, and its peak RSS is that process's own (os.wait4 rusage), so the figures do not mix.

hubgate: ``hubgate manifest FILE --format json --output /dev/null`` (all HG5xx rules, all findings written).
baseline: ``json.load`` of the whole file, then ``Draft202012Validator(schemas/manifest.schema.json)
.iter_errors`` (the equivalent schema: types, required fields, positive integers; no URL checks).

Each child times itself: "imports" (hubgate's CLI module, or jsonschema) and "work" (reading, validating
and, for hubgate, writing every finding); "start-up" is the rest of the wall time (interpreter start).
Throughput ratios are given on work and on wall time; both commands run in the same invocation, so the
ratio holds even when other jobs slow the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each child prints one JSON line: seconds spent importing, seconds of work (reading + validating + writing the
# report), and a detail. Interpreter start-up is the wall time minus both.
HUBGATE = r"""
import json, sys, time
t0 = time.perf_counter()
from hubgate.cli.manifest import manifest_command
t1 = time.perf_counter()
try:
    manifest_command(["validate", sys.argv[1], "--format", "json", "--output", "/dev/null", "--no-progress"],
                     prog_name="hubgate manifest")
except SystemExit as exc:
    code = exc.code
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "detail": f"exit {code}"}))
"""

BASELINE = r"""
import json, sys, time
t0 = time.perf_counter()
from jsonschema import Draft202012Validator
t1 = time.perf_counter()
schema = json.load(open(sys.argv[2], encoding="utf-8"))
with open(sys.argv[1], "rb") as f:
    data = json.load(f)
errors = sum(1 for _ in Draft202012Validator(schema).iter_errors(data))
t2 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "work": t2 - t1, "detail": f"{errors} schema errors"}))
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


def measure(code: str, *args: str, env: dict | None = None) -> dict:
    """One run of ``python -c code args`` in a child: wall seconds, the child's own import and work seconds,
    start-up (the rest), peak RSS in bytes, and its detail line."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                         env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"benchmark run failed ({p.returncode}): {err.decode(errors='replace')[-2000:]}")
    r = json.loads(out.decode().strip().splitlines()[-1])
    r.update(wall=secs, startup=secs - r["imports"] - r["work"], rss=usage.ru_maxrss * 1024)
    return r


def _line(name: str, n: int, r: dict) -> str:
    return (f"  {name:<10} wall {r['wall']:7.2f}s ({n / r['wall']:>9,.0f}/s)  work {r['work']:7.2f}s "
            f"({n / r['work']:>9,.0f}/s)  start-up {r['startup']:.2f}s imports {r['imports']:.2f}s  "
            f"peak RSS {r['rss'] / 2**20:6.1f} MiB  {r['detail']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated asset counts")
    ap.add_argument("--skip-baseline-above", type=int, default=None,
                    help="skip the jsonschema baseline for manifests larger than this (it loads the file whole)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of hubgate per size (the fastest is reported; the baseline runs once)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    schema = str(ROOT / "schemas" / "manifest.schema.json")
    rows = []
    with tempfile.TemporaryDirectory(prefix="hubgate-bench-") as tmp:
        # Byte-compiled modules, as an installed package has them (pip compiles on install; an editable checkout
        # under PYTHONDONTWRITEBYTECODE=1 would otherwise compile hubgate's sources on every run): cached in
        # the temporary directory, written by a first import.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        subprocess.run([sys.executable, "-c", "import hubgate.cli.manifest, hubgate.manifest, hubgate.manifest.scan, "
                        "hubgate.output, hubgate.reporters, jsonschema"], env=env, cwd=ROOT, check=True)
        for n in sizes:
            path = Path(tmp) / f"manifest-{n}.json"
            t0 = time.perf_counter()
            bad = generate(path, n)
            size = path.stat().st_size
            print(f"generated {n:,} assets ({bad:,} bad, {size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f}s",
                  flush=True)
            runs = [measure(HUBGATE, str(path), env=env) for _ in range(max(1, args.repeat))]
            h = min(runs, key=lambda r: r["work"])
            h["rss"] = max(r["rss"] for r in runs)
            print(_line("hubgate", n, h), flush=True)
            if args.skip_baseline_above is not None and n > args.skip_baseline_above:
                print(f"  baseline  skipped: {n:,} > --skip-baseline-above {args.skip_baseline_above:,}")
                rows.append((n, size, h, None))
                continue
            b = measure(BASELINE, str(path), schema, env=env)
            print(_line("jsonschema", n, b), flush=True)
            print(f"  ratio     throughput x{b['work'] / h['work']:.1f} (work), x{b['wall'] / h['wall']:.1f} (wall); "
                  f"peak RSS x{b['rss'] / h['rss']:.1f} smaller", flush=True)
            rows.append((n, size, h, b))
    print()
    print("| assets | file | hubgate work s | hubgate wall s | hubgate assets/s (work) | hubgate peak RSS "
          "| jsonschema work s | jsonschema wall s | jsonschema assets/s (work) | jsonschema peak RSS "
          "| ratio (work) | ratio (wall) | RSS ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, size, h, b in rows:
        hs = f"{h['work']:.2f} | {h['wall']:.2f} | {n / h['work']:,.0f} | {h['rss'] / 2**20:.0f} MiB"
        bs = (f"{b['work']:.2f} | {b['wall']:.2f} | {n / b['work']:,.0f} | {b['rss'] / 2**20:.0f} MiB | "
              f"x{b['work'] / h['work']:.1f} | x{b['wall'] / h['wall']:.1f} | x{b['rss'] / h['rss']:.1f}"
              if b else "skipped | | | | | | ")
        print(f"| {n:,} | {size / 1e6:.0f} MB | {hs} | {bs} |")


if __name__ == "__main__":
    main()
