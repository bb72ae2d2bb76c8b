"""One ``hubgate prove`` run: what it may run, its exit code, and the signals that stop it.

Everything the CLI (and the pytest plugin) decides about a run lives here, so the command only parses
options and prints:

* :func:`cannot_serve`: the one-line reason a bundle cannot be provisioned on an S3 backend (GCP and
  Azure bundles, a bundle without buckets), decided before anything is created;
* :func:`exit_code`: ``0`` only when at least one scenario passed and none failed; ``1`` when one failed
  (with ``strict`` also any ``not-enforced`` or ``skipped``); ``2`` when nothing could run or nothing was
  proven (backend not installed or not started, provisioning failed, a bundle the backend cannot serve,
  every scenario skipped or not-enforced). 2 wins over 1, as for ``check``;
* :class:`SignalGuard`: SIGINT and SIGTERM raise :class:`Interrupted` (a ``BaseException``, so no
  ``except Exception`` of a scenario swallows it); inside :meth:`SignalGuard.critical` they are deferred
  until the block ends, so a process, temp dir or admin identity is never half made or half removed.
  An interrupted run exits ``130`` (SIGINT) or ``143`` (SIGTERM, 128 + 15, as shells report it);
* :func:`run_prove`: start the backend, run every servable bundle, remove what was provisioned, stop the
  backend, all inside try/finally under the guard.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .backends import Backend, BackendError, BackendUnavailable
from .catalog import SCENARIOS
from .runner import Context, Result, cleanup_stragglers, run_scenario
from .signals import EXIT_SIGNAL, Interrupted, SignalGuard, checkpoint, critical  # noqa: F401 - API

#: providers whose buckets an S3 API can hold
S3_PROVIDERS = ("aws", "s3-compatible")


def cannot_serve(bundle, backend: Backend) -> str | None:
    """Why ``backend`` cannot serve ``bundle`` (one line), or None."""
    where = f"{bundle.file}: bundle {bundle.name}"
    if bundle.provider not in S3_PROVIDERS:
        return (f"{where} has provider {bundle.provider}: {backend.name} is an S3 API and cannot serve it "
                f"(hubgate prove runs aws and s3-compatible bundles; hubgate check covers {bundle.provider})")
    if not bundle.buckets:
        return f"{where} lists no buckets: there is nothing to provision on {backend.name}"
    return None


def summary(results) -> dict[str, int]:
    counts = {"pass": 0, "fail": 0, "not-enforced": 0, "skipped": 0}
    for r in results:
        counts[r.result] += 1
    return counts


def exit_code(results, problems=(), strict: bool = False) -> int:
    """The exit code of a run (see the module docstring)."""
    if problems:
        return 2
    c = summary(results)
    if c["fail"]:
        return 1
    if not (c["pass"] or c["not-enforced"]):
        return 2  # nothing could run
    if strict and (c["not-enforced"] or c["skipped"]):
        return 1
    return 0 if c["pass"] else 2  # not-enforced only: nothing was proven


def verdict_line(results, problems=(), strict: bool = False) -> str | None:
    """One line saying why the run is not 0 when the reason is not a failed scenario (or a problem line)."""
    code = exit_code(results, problems, strict)
    c = summary(results)
    if code == 2 and not problems:
        return ("nothing was proven: " + ", ".join(f"{n} {k}" for k, n in c.items() if n)
                if results else "nothing was proven: no scenario ran")
    if code == 1 and not c["fail"]:
        return f"--strict: {c['not-enforced']} not-enforced, {c['skipped']} skipped"
    return None


@dataclass
class Outcome:
    results: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    strict: bool = False

    @property
    def code(self) -> int:
        return exit_code(self.results, self.problems, self.strict)

    @property
    def summary(self) -> dict[str, int]:
        return summary(self.results)

    def messages(self) -> list[str]:
        """The lines to print on stderr: each problem, then why the code is not 0 when no scenario failed."""
        line = verdict_line(self.results, self.problems, self.strict)
        return list(self.problems) + ([line] if line else [])


def short_error(exc: BaseException) -> str:
    """One line for an exception from a client library, never its traceback or a multi-line dump."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def start_backend(backend: Backend) -> str | None:
    """Start ``backend`` (inside the caller's try/finally); the one-line reason it cannot run, or None."""
    try:
        backend.start()
    except BackendUnavailable as exc:
        return f"backend {backend.name} cannot run here: {exc}"
    except BackendError as exc:
        return f"backend {backend.name}: {exc}"
    except Exception as exc:  # a server answering garbage, refusing connections, ...
        where = f" at {backend.endpoint}" if backend.endpoint else ""
        return f"backend {backend.name}{where} did not answer as an S3 server: {short_error(exc)}"
    return None


def _run_bundle(bundle, backend: Backend, ids: list[str], outcome: Outcome) -> None:
    ctx = Context(bundle, backend)
    try:
        try:
            ctx.provision()
        except Exception as exc:
            where = f" at {backend.endpoint}" if backend.journal is not None and backend.endpoint else ""
            outcome.problems.append(f"bundle {bundle.name}: provisioning on {backend.name}{where} failed: "
                                    f"{short_error(exc)}")
            return
        for s in ids:
            checkpoint()
            outcome.results.append(run_scenario(ctx, s))
        checkpoint()
    finally:
        for p in ctx.cleanup():
            print(f"hubgate: {p}", file=sys.stderr)


def run_prove(bundles: list, backend: Backend, scenarios: list[str] | None = None, strict: bool = False,
              guard: bool = True) -> Outcome:
    """Run ``scenarios`` (default: all) for ``bundles`` on ``backend``; raises :class:`Interrupted` on a
    signal, after everything was removed and the backend stopped."""
    ids = scenarios or list(SCENARIOS)
    outcome = Outcome(strict=strict)
    servable = []
    for b in bundles:
        why = cannot_serve(b, backend)
        if why:
            outcome.problems.append(why)
        else:
            servable.append(b)
    if not servable:
        return outcome
    with (SignalGuard() if guard else _nullguard()):
        try:
            why = start_backend(backend)
            if why:
                outcome.problems.append(why)
            for b in (servable if not why else []):
                checkpoint()
                _run_bundle(b, backend, ids, outcome)
        finally:
            with critical():
                backend.stop()
        checkpoint()
        return outcome


def run_cleanup(backend: Backend) -> tuple[list[str], str | None]:
    """``--cleanup``: remove what killed runs against this server left (their journals say what); the
    removed resources and the one-line reason it could not run. Raises :class:`Interrupted` on a signal."""
    if backend.journal is None:
        return [], (f"--cleanup needs --endpoint or --backend aws: a {backend.name} server hubgate starts "
                    "itself is gone with its run")
    with SignalGuard():
        removed: list[str] = []
        try:
            why = start_backend(backend)
            if not why:
                try:
                    removed = cleanup_stragglers(backend)
                except Exception as exc:
                    why = f"cleanup failed on {backend.name} at {backend.endpoint}: {short_error(exc)}"
        finally:
            with critical():
                backend.stop()
        checkpoint()
        return removed, why


def prove(bundles: list, backend: Backend, scenarios: list[str] | None = None) -> list[Result]:
    """Start the backend, run every bundle it can serve, stop it: the results (see :func:`run_prove`
    for the problems that make a run exit 2)."""
    return run_prove(bundles, backend, scenarios, guard=False).results


@contextmanager
def _nullguard() -> Iterator[None]:
    yield

