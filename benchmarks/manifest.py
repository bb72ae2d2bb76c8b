"""Benchmark: hubgate's streaming manifest validator against jsonschema over the file loaded whole, per shape.

    python benchmarks/manifest.py                          # every shape, 100k and 1M assets
    python benchmarks/manifest.py --sizes 100000 --shapes plain,pct-ascii --repeat 5

Generates one manifest per shape (SHAPES: how keys are written, layout, key order, optional fields, URL form,
share of bad entries -- raw spaces, path-style URLs, missing regions, '+', duplicate externalIds, string
widths) in a temporary directory, and runs each command in its own process, as a user does, cold:

hubgate: ``hubgate manifest FILE --bundle B --format json --output /dev/null`` (B: the example bundle of the
URL form; all HG5xx rules, all findings written).
baseline: ``json.load`` of the whole file, then ``Draft202012Validator(schemas/manifest.schema.json)
.iter_errors`` (the equivalent schema: types, required fields, positive integers; no URL checks).

The two commands alternate (``--repeat`` times each), so load from elsewhere on the machine hits both alike;
the table gives the medians of the wall times, their ratio and hubgate's peak RSS (the child's own rusage).
Each is also run on an empty manifest (``[]``, same bundle): its start-up (interpreter, imports, the bundle),
and the ratio of the wall times without it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


# The shapes measured (each a row of the table): how keys are written, the layout, the key order, the optional
# fields, the URL form and the share of bad entries. "plain" is the reference shape; each other row changes one thing.
SHAPES = {
    "plain": {},
    "pct-ascii": {"key": "pct"},
    "utf8-nfc": {"key": "nfc"},
    "utf8-nfd": {"key": "nfd"},
    "indent2-lf": {"layout": "indent2"},
    "indent4-crlf": {"layout": "indent4-crlf"},
    "id-first": {"order": "id-first"},
    "no-sizes": {"extra": "none"},
    "all-sizes": {"extra": "sizes"},
    "metadata": {"extra": "metadata"},
    "gcs": {"url": "gcs"},
    "azure": {"url": "azure"},
    "bad-5%": {"bad": 0.05},
}
_KEYS = {  # the file name part of each asset's key, by key style
    "plain": "img_{i:08d}.jpg",
    "pct": "img_{i:08d}%20a.jpg",
    "nfc": "%C3%A9t%C3%A9_{i:08d}.jpg",  # "été"
    "nfd": "e%CC%81te%CC%81_{i:08d}.jpg",  # "été", decomposed
}


def generate(path: Path, n: int, shape: str = "plain", seed: int = 7) -> int:
    """Write a manifest of n assets of one shape (see SHAPES); returns the number of deliberately bad entries."""
    opt = {"key": "plain", "layout": "lines", "order": "data-first", "extra": "half", "url": "s3", "bad": 0.03,
           **SHAPES[shape]}
    rnd = random.Random(seed)
    bad = 0
    regions = ["eu-central-1", "us-west-2", "ap-south-1"]
    key_form = _KEYS[opt["key"]]
    indent = {"lines": None, "indent2": 2, "indent4-crlf": 4}[opt["layout"]]
    nl = "\r\n" if opt["layout"].endswith("crlf") else "\n"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("[" + nl)
        for i in range(n):
            region = regions[i % 3]
            name = key_form.format(i=i)
            if opt["url"] == "gcs":
                url = f"https://storage.googleapis.com/bucket-{i % 3}/images/2024/{i // 1000:04d}/{name}"
            elif opt["url"] == "azure":
                url = f"https://account{i % 3}.blob.core.windows.net/container/images/2024/{i // 1000:04d}/{name}"
            else:
                url = f"https://bucket-{i % 3}.s3.{region}.amazonaws.com/images/2024/{i // 1000:04d}/{name}"
            asset = {"data": url, "externalId": f"img_{i:08d}.jpg"}
            if opt["order"] == "id-first":
                asset = {"externalId": asset["externalId"], "data": url}
            extra = opt["extra"]
            if extra == "sizes" or extra == "half" and i % 2:
                asset.update(width=600 + i % 400, height=400 + i % 300)
            elif extra == "metadata":
                asset["metadata"] = {"frameRate": 30, "source": f"cam-{i % 7}"}
            if rnd.random() < opt["bad"]:
                bad += 1
                kind = rnd.randrange(6)
                if kind == 0 or kind in (1, 2) and opt["url"] != "s3":
                    asset["data"] = url.replace("images/", "images ")
                elif kind == 1 and opt["url"] == "s3":
                    asset["data"] = f"https://s3.{region}.amazonaws.com/bucket-{i % 3}/images/{name}"
                elif kind == 2 and opt["url"] == "s3":
                    asset["data"] = url.replace(f".s3.{region}.", ".s3.")
                elif kind == 3:
                    asset["data"] = url.replace("images/", "images+")
                elif kind == 4:
                    asset["externalId"] = f"img_{max(i - 1, 0):08d}.jpg"
                else:
                    asset["width"] = f"{600 + i % 400}"
            text = json.dumps(asset, indent=indent)
            if indent:
                text = " " * indent + text.replace("\n", nl + " " * indent)
            f.write(text + ("," + nl if i < n - 1 else nl))
        f.write("]" + nl)
    return bad


BUNDLES = {"s3": "examples/good/integration.yaml", "gcs": "examples/gcp-good/integration.yaml",
           "azure": "examples/azure-good/integration.yaml"}


def command(path: Path, shape: str) -> list[str]:
    """hubgate as a user runs it: its own process, cold, the bundle of the URL form, every finding written."""
    bundle = ROOT / BUNDLES[SHAPES[shape].get("url", "s3")]
    return [sys.executable, "-m", "hubgate", "manifest", str(path), "--bundle", str(bundle), "--format", "json",
            "--output", "/dev/null", "--no-progress"]


def run(argv: list[str], env: dict) -> dict:
    """One child process: wall seconds and peak RSS in bytes (the child's own rusage)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    p.returncode = code
    if code not in (0, 1):  # 1: findings
        raise SystemExit(f"benchmark run failed ({code}): {err.decode(errors='replace')[-2000:]}")
    return {"wall": secs, "rss": usage.ru_maxrss * 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated asset counts")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes: " + ", ".join(SHAPES).replace("%", "%%"))
    ap.add_argument("--skip-baseline-above", type=int, default=None,
                    help="skip the jsonschema baseline for manifests larger than this (it loads the file whole)")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs of each command (medians reported)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    schema = str(ROOT / "schemas" / "manifest.schema.json")
    rows = []
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="hubgate-bench-") as tmp:
        # Byte-compiled modules, as an installed package has them (pip compiles on install; an editable checkout
        # under PYTHONDONTWRITEBYTECODE=1 would otherwise compile hubgate's sources on every run): cached in
        # the temporary directory, written by a first import.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        subprocess.run([sys.executable, "-m", "compileall", "-q", "hubgate"], env=env, cwd=ROOT, check=True)
        subprocess.run([sys.executable, "-c", "import hubgate.cli, jsonschema"], env=env, cwd=ROOT, check=True)
        empty = Path(tmp) / "empty.json"  # start-up: the same commands on an empty manifest
        empty.write_text("[]\n")
        # hubgate's table cache (IAM actions, regions) as a user has it after a first run: its own folder, filled
        # by one unmeasured run per bundle (a shared ~/.cache may be rebuilt by another checkout's install)
        env["HUBGATE_CACHE_DIR"] = str(Path(tmp) / "cache")
        for shape in {SHAPES[s].get("url", "s3"): s for s in shapes}.values():
            warm = Path(tmp) / "warm.json"
            generate(warm, 10, shape)
            run(command(warm, shape), env)
        for n in sizes:
            for shape in shapes:
                path = Path(tmp) / f"manifest-{shape}-{n}.json"
                bad = generate(path, n, shape)
                size = path.stat().st_size
                baseline = [sys.executable, "-c", BASELINE, str(path), schema]
                skip = args.skip_baseline_above is not None and n > args.skip_baseline_above
                hs, bs, h0s, b0s = [], [], [], []
                for _ in range(max(1, args.repeat)):  # interleaved: load from elsewhere hits all alike
                    hs.append(run(command(path, shape), env))
                    h0s.append(run(command(empty, shape), env))
                    if not skip:
                        bs.append(run(baseline, env))
                        b0s.append(run([sys.executable, "-c", BASELINE, str(empty), schema], env))
                h = statistics.median(r["wall"] for r in hs)
                h0 = statistics.median(r["wall"] for r in h0s)
                b = statistics.median(r["wall"] for r in bs) if bs else None
                b0 = statistics.median(r["wall"] for r in b0s) if b0s else None
                rss = max(r["rss"] for r in hs)
                rows.append((shape, n, size, bad, h, h0, b, b0, rss))
                ratio = f"x{b / h:.1f}" if b else "-"
                print(f"  {shape:<13} {n:>9,} assets ({bad:,} bad, {size / 1e6:.0f} MB): hubgate {h:.2f}s "
                      f"(start-up {h0:.2f}s) jsonschema {b or 0:.2f}s (start-up {b0 or 0:.2f}s) {ratio} "
                      f"peak RSS {rss / 2**20:.0f} MiB", flush=True)
                path.unlink()
    print()
    print(f"Whole process, cold, median of {args.repeat} interleaved runs each; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print("| shape | assets | hubgate s | jsonschema s | ratio | hubgate peak RSS | met (>= x10, < 100 MB)? "
          "| start-up s (hubgate / jsonschema) | ratio without start-up |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for shape, n, _size, _bad, h, h0, b, b0, rss in rows:
        met = "-" if b is None else "yes" if b / h >= 10 and rss < 100 * 2**20 else "**no**"
        work = f"x{(b - b0) / max(h - h0, 1e-3):.1f}" if b else "-"
        print(f"| {shape} | {n:,} | {h:.2f} | {f'{b:.2f}' if b else 'skipped'} | "
              f"{f'x{b / h:.1f}' if b else '-'} | {rss / 2**20:.0f} MiB | {met} | {h0:.2f} / {b0 or 0:.2f} | {work} |")
    if args.json:
        keys = ("shape", "assets", "bytes", "bad", "hubgate_s", "hubgate_startup_s", "baseline_s", "baseline_startup_s",
                "rss_bytes")
        args.json.write_text(json.dumps({"rows": [dict(zip(keys, r, strict=True)) for r in rows]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
