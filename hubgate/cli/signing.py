"""``hubgate signing verify|record|compare|behaviour``: signing conformance and regression locks.

``signing_group`` is a click group; ``hubgate.cli.app`` adds it as ``hubgate signing``.
Exit codes: 0 all pass, 1 a case failed (or, with --strict, could not run), 2 bad input (one line).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from ..output import write_report
from ..signing import CaseResult, SigningInputError, default_vectors_dir
from .options import CONTEXT, TEXT_JSON, format_option, output_option, quiet_option

_SIGV4_SIGNERS = ["botocore", "minio"]
_ALL_SIGNERS = [*_SIGV4_SIGNERS, "google-cloud-storage"]


def _bad_input(msg: str) -> None:
    click.echo(f"hubgate signing: {msg}", err=True)
    sys.exit(2)


@click.group("signing", context_settings=CONTEXT)
def signing_group() -> None:
    """Signing conformance on published vectors, and regression locks across library versions.

    \b
      hubgate signing verify                          # AWS SigV4 suite, S3 doc examples, GCS V4 conformance
      hubgate signing verify --suite my-sigv4-suite/  # any SigV4 suite, botocore or aws-c-auth layout
      hubgate signing record --out signing.lock.json  # what the installed libraries sign, per fixed input
      hubgate signing compare signing.lock.json       # exit 1 when any of it changed
      hubgate signing behaviour                       # their presigned URLs on a live S3 server (SeaweedFS)
    """


def failing(r: CaseResult, strict: bool) -> bool:
    if r.result == "fail":
        return True
    # An inconsistent upstream vector cannot be passed by any library: it never fails the run.
    return strict and r.result == "error" and r.reason != "inconsistent-vector"


def _summary(results: list[CaseResult]) -> list[dict]:
    groups: dict[tuple[str, str], Counter] = {}
    for r in results:
        groups.setdefault((r.suite, r.signer), Counter())[r.result] += 1
    return [{"suite": s, "signer": g, "total": sum(c.values()), "pass": c["pass"], "fail": c["fail"],
             "error": c["error"]} for (s, g), c in groups.items()]


def _text(results: list[CaseResult], notes: list[str], strict: bool, verbose: bool) -> str:
    out: list[str] = []
    for r in results:
        if r.result == "pass" and not verbose and not r.note:
            continue
        tag = {"pass": "PASS ", "fail": "FAIL ", "error": "ERROR"}[r.result]
        reason = f" [{r.reason}]" if r.reason else ""
        out.append(f"{tag} {r.suite} :: {r.case} :: {r.signer} ({r.mode}){reason}")
        if r.diff:
            out.append(f"      {r.diff}")
        if r.note:
            out.append(f"      note: {r.note}")
    if out:
        out.append("")
    for s in _summary(results):
        extra = f", {s['error']} error" if s["error"] else ""
        out.append(f"{s['suite']:<28} {s['signer']:<22} {s['pass']}/{s['total']} pass, {s['fail']} fail{extra}")
    for n in notes:
        out.append(f"note: {n}")
    n_fail = sum(failing(r, strict) for r in results)
    out.append(f"{len(results)} cases: {sum(r.result == 'pass' for r in results)} passed, {n_fail} failed"
               + (f", {sum(r.result == 'error' for r in results)} not judged (error)" if any(
                   r.result == "error" for r in results) else ""))
    return "\n".join(out) + "\n"


@signing_group.command()
@click.option("--suite", "suites", multiple=True, type=click.Path(file_okay=False),
              help="A SigV4 suite directory (botocore or aws-c-auth layout); repeatable. Replaces the defaults.")
@click.option("--vectors", type=click.Path(file_okay=False), default=None,
              help="Directory holding aws-sigv4-testsuite/ and gcs-v4-signatures/ [default: the copy shipped with hubgate, hubgate/signing/third_party/vectors].")
@click.option("--signer", "signers", multiple=True, type=click.Choice(_ALL_SIGNERS),
              help="Only these signers (repeatable) [default: all].")
@click.option("--query-params", "params_as", type=click.Choice(["pairs", "dict"]), default="pairs", show_default=True,
              help="How query parameters reach botocore: ordered (key, value) pairs, or a dict (one value per key).")
@format_option(TEXT_JSON, help=None)
@output_option("Write the report to a file.")
@click.option("--strict", is_flag=True, help="Cases that could not run (library missing, unsupported) fail too.")
@click.option("--verbose", "-v", is_flag=True, help="List passing cases too (text format).")
@quiet_option()
def verify(suites, vectors, signers, params_as, fmt, output, strict, verbose, quiet) -> None:
    """Run published signing vectors against the installed signers (botocore, minio-py, google-cloud-storage).

    Default: the AWS SigV4 test suite (botocore), the two S3 documentation examples (botocore and minio-py)
    and the GCS V4 signing conformance tests (google-cloud-storage). Each case reports the first differing
    line of canonical request, string to sign or signature.
    """
    # the signers and their suites: only this command needs them
    from ..signing import gcs
    from ..signing.suites import load_suite, run_sigv4, s3_doc_cases

    chosen = list(signers) or _ALL_SIGNERS
    sigv4_signers = [s for s in _SIGV4_SIGNERS if s in chosen]
    results: list[CaseResult] = []
    notes: list[str] = []
    try:
        if suites:
            for d in suites:
                root = Path(d)
                layout, cases = load_suite(root)
                name = root.resolve().name
                notes.append(f"{name}: {layout} layout, {len(cases)} cases")
                r, n = run_sigv4(name, cases, sigv4_signers, params_as)
                results += r
                notes += n
        else:
            vdir = Path(vectors) if vectors else default_vectors_dir()
            if not vdir.is_dir():
                raise SigningInputError(f"{vdir}: no vectors directory (give --vectors DIR or --suite DIR)")
            aws = vdir / "aws-sigv4-testsuite"
            if sigv4_signers:
                _, cases = load_suite(aws)
                r, n = run_sigv4(aws.name, cases, sigv4_signers, params_as)
                results += r
                notes += n
                r, n = run_sigv4("s3-docs", s3_doc_cases(), sigv4_signers, params_as, explain_dict=False)
                results += r
                notes += n
            if "google-cloud-storage" in chosen:
                r, n = gcs.run(vdir / "gcs-v4-signatures")
                results += r
                notes += n
    except SigningInputError as exc:
        _bad_input(str(exc))
    if not quiet:
        if fmt == "json":
            doc = {"cases": [r.to_json() for r in results], "summary": _summary(results), "notes": notes}
            write_report(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        else:
            write_report(_text(results, notes, strict, verbose), output)
    sys.exit(1 if any(failing(r, strict) for r in results) else 0)


@signing_group.command()
@click.option("--out", "out", type=click.Path(dir_okay=False), default="signing.lock.json", show_default=True,
              help="Lock file to write.")
@quiet_option(help=None)
def record(out, quiet) -> None:
    """Record what each installed library signs for the fixed input set (hubgate.signing.lock.LOCK_INPUTS)."""
    from ..signing.lock import record as do_record  # the signing libraries: only this command needs them

    data = do_record()
    try:
        Path(out).write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        _bad_input(f"{out}: cannot write ({exc.strerror})")
    if not quiet:
        libs = ", ".join(f"{k} {v}" for k, v in data["libraries"].items() if v)
        click.echo(f"wrote {out}: {len(data['entries'])} entries for {len(data['inputs'])} inputs ({libs})")
        for lib, why in data["skipped"].items():
            click.echo(f"note: {lib} not recorded: {why}")


@signing_group.command()
@click.argument("lock", type=click.Path(dir_okay=False))
@format_option(TEXT_JSON, help=None)
@output_option("Write the report to a file.")
@click.option("--strict", is_flag=True, help="Entries that could not be re-run (library missing) fail too.")
@quiet_option(help=None)
def compare(lock, fmt, output, strict, quiet) -> None:
    """Re-run the lock's inputs and fail (exit 1) when any recorded output changed."""
    # the signing libraries: only this command needs them
    from ..signing.lock import compare as do_compare, read_lock, record as do_record

    try:
        locked = read_lock(Path(lock))
    except SigningInputError as exc:
        _bad_input(str(exc))
    result = do_compare(locked, do_record())
    not_rerun = [w for w in result["warnings"] if "not re-run" in w]
    failed = bool(result["changes"]) or (strict and bool(not_rerun))
    if not quiet:
        if fmt == "json":
            write_report(json.dumps(result, indent=2, ensure_ascii=False) + "\n", output)
        else:
            lines = [f"CHANGED {c['entry']}: {c['diff']}" for c in result["changes"]]
            lines += [f"note: {w}" for w in result["warnings"]]
            n = len(locked["entries"])
            lines.append(f"{lock}: {len(result['changes'])} changed field(s) over {n} entries"
                         + (" - signing output differs from the lock" if result["changes"] else " - unchanged"))
            write_report("\n".join(lines) + "\n", output)
    sys.exit(1 if failed else 0)


@signing_group.command()
@click.option("--backend", type=click.Choice(["seaweedfs", "moto", "minio"]), default="seaweedfs", show_default=True,
              help="S3 server, started on 127.0.0.1 and stopped by hubgate (or the one at --endpoint).")
@click.option("--endpoint", default=None, help="A running server (loopback only; admin keys from AWS_* variables).")
@click.option("--signer", "signers", multiple=True, type=click.Choice(_ALL_SIGNERS),
              help="Only these libraries (repeatable; default: all installed).")
@format_option(TEXT_JSON, help=None)
@output_option("Write the report to a file.")
@click.option("--strict", is_flag=True, help="not-enforced and skipped results fail too.")
@click.option("--verbose", "-v", is_flag=True, help="Show the evidence of passing checks.")
@quiet_option(help=None)
def behaviour(backend, endpoint, signers, fmt, output, strict, verbose, quiet) -> None:
    """Run each library's presigned GET URLs against a real S3 server and report what it does with them.

    \b
    awkward-key     every awkward key of the lock's input set is fetched, exact bytes back
    expired         a URL signed 120 s ago for 60 s is refused (a fresh one, the control, is accepted)
    expires-bounds  X-Amz-Expires 0 and 604801 refused by the signer or the server (which one is reported);
                    604800, the SigV4 maximum, accepted
    Results: pass, fail, not-enforced (nothing refused what should be refused), skipped (with the reason).
    Exit codes: 0 no failure, 1 a check failed (with --strict also not-enforced/skipped), 2 bad options or
    the server could not be started.
    """
    # the S3 servers and the signing libraries: only this command needs them
    from ..scenarios.backends import BackendError, BackendUnavailable
    from ..scenarios.choose import make_backend
    from ..scenarios.signing_behaviour import Outcome, render_text, run, summary

    try:
        be = make_backend(backend, endpoint)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    from botocore.exceptions import BotoCoreError, ClientError  # botocore's import is slow: only here

    notes: list[str] = []
    try:
        be.start()
    except BackendUnavailable as exc:
        outcomes = [Outcome("all", "-", "-", "skipped", evidence=[f"skipped: {exc}"])]
    except BackendError as exc:
        _bad_input(f"backend {backend}: {exc}")
    else:
        try:
            outcomes = run(be, list(signers) or None, notes)
        except (BackendError, ClientError, BotoCoreError) as exc:
            _bad_input(f"backend {backend}: {exc}")
        finally:
            be.stop()
    if not quiet:
        if fmt == "json":
            doc = {"backend": backend, "checks": [o.to_json() for o in outcomes], "summary": summary(outcomes),
                   "notes": notes}
            write_report(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        else:
            write_report(render_text(outcomes, backend, verbose, notes), output)
    bad = {"fail"} | ({"not-enforced", "skipped"} if strict else set())
    sys.exit(1 if any(o.result in bad for o in outcomes) else 0)
