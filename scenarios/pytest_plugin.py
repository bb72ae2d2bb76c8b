"""pytest plugin (entry point ``pytest11``): run hubgate's live scenarios inside your own test suite.

Options: ``--hubgate-bundle PATH`` (a bundle file or a directory holding one), ``--hubgate-backend
moto|seaweedfs|minio|aws`` (default moto), ``--hubgate-endpoint URL`` (an already running server on a
loopback address).

Fixtures:

* ``hubgate_backend`` (session): the started backend. A backend that cannot run here (not installed,
  no Docker engine for minio, did not start) is an error naming the fix, never a silent skip.
* ``hubgate_bundle`` (session): the loaded bundle; skipped when ``--hubgate-bundle`` is not given.
* ``hubgate_context`` (session): the bundle provisioned on the backend (unique names), removed at the end;
  a bundle the backend cannot serve (GCP, Azure, no buckets) or a failed provisioning is an error.
* ``hubgate_prove`` : ``hubgate_prove("presign-tamper")`` runs one scenario and returns its Result. A
  ``not-enforced`` or ``skipped`` result skips the test with its reason (``--hubgate-strict``: fails it).
* ``hubgate_scenario`` : a test asking for it runs once per scenario id (parametrized).

The same rules as ``hubgate prove``: when scenarios ran and none passed, nothing was proven, and the
session's exit status is 1 even if every test was skipped.

A complete test module::

    def test_storage_integration(hubgate_prove, hubgate_scenario):
        result = hubgate_prove(hubgate_scenario)
        assert result.result != "fail", "\\n".join(result.evidence)
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("hubgate", "hubgate live scenarios")
    group.addoption("--hubgate-bundle", metavar="PATH", default=None,
                    help="integration bundle (file or directory) to provision for the hubgate fixtures")
    group.addoption("--hubgate-backend", default="moto", choices=["moto", "seaweedfs", "minio", "aws"],
                    help="S3 backend for the hubgate fixtures (default: moto)")
    group.addoption("--hubgate-endpoint", metavar="URL", default=None,
                    help="an already running S3 server (loopback only) instead of starting one")
    group.addoption("--hubgate-strict", action="store_true", default=False,
                    help="a not-enforced or skipped scenario fails the test instead of skipping it")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "hubgate: a test using hubgate's live scenario fixtures")


def pytest_generate_tests(metafunc) -> None:
    if "hubgate_scenario" in metafunc.fixturenames:
        # deferred: pytest loads this plugin in every run (an entry point); hubgate's modules only when used
        from .catalog import scenario_ids

        metafunc.parametrize("hubgate_scenario", scenario_ids())


_RESULTS = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def hubgate_backend(request):
    # deferred: pytest loads this plugin in every run (an entry point); hubgate's modules only when used
    from .choose import make_backend
    from .session import start_backend

    try:
        backend = make_backend(request.config.getoption("--hubgate-backend"),
                               request.config.getoption("--hubgate-endpoint"))
    except ValueError as exc:
        raise pytest.UsageError(f"hubgate: {exc}") from None
    try:
        why = start_backend(backend)
        if why:
            pytest.fail(f"hubgate: {why}", pytrace=False)
        yield backend
    finally:
        backend.stop()


@pytest.fixture(scope="session")
def hubgate_bundle(request):
    # deferred: pytest loads this plugin in every run (an entry point); hubgate's modules only when used
    from hubgate.bundle import is_bundle_filename, load_bundle

    path = request.config.getoption("--hubgate-bundle")
    if not path:
        pytest.skip("no --hubgate-bundle given")
    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.rglob("*") if f.is_file() and is_bundle_filename(f.name))
        if len(found) != 1:
            raise pytest.UsageError(f"--hubgate-bundle {path}: expected one bundle in the directory, found {len(found)}")
        p = found[0]
    return load_bundle(p)


@pytest.fixture(scope="session")
def hubgate_context(hubgate_backend, hubgate_bundle):
    # deferred: pytest loads this plugin in every run (an entry point); hubgate's modules only when used
    from .runner import Context
    from .session import cannot_serve, short_error

    why = cannot_serve(hubgate_bundle, hubgate_backend)
    if why:
        pytest.fail(f"hubgate: {why}", pytrace=False)
    ctx = Context(hubgate_bundle, hubgate_backend)
    try:
        try:
            ctx.provision()
        except Exception as exc:
            pytest.fail(f"hubgate: bundle {hubgate_bundle.name}: provisioning on {hubgate_backend.name} failed: "
                        f"{short_error(exc)}", pytrace=False)
        yield ctx
    finally:
        ctx.cleanup()


@pytest.fixture
def hubgate_prove(hubgate_context, request):
    # deferred: pytest loads this plugin in every run (an entry point); hubgate's modules only when used
    from .report import headline
    from .runner import run_scenario

    strict = request.config.getoption("--hubgate-strict")
    seen = request.config.stash.setdefault(_RESULTS, [])

    def run(scenario: str):
        result = run_scenario(hubgate_context, scenario)
        seen.append(result.result)
        if result.result in ("not-enforced", "skipped"):
            why = f"hubgate {scenario} on {result.backend}: {result.result}: {headline(result)}"
            if strict:
                pytest.fail(why, pytrace=False)
            pytest.skip(why)
        return result

    return run


def pytest_sessionfinish(session, exitstatus) -> None:
    seen = session.config.stash.get(_RESULTS, None)
    if seen and "pass" not in seen and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    seen = config.stash.get(_RESULTS, None)
    if seen and "pass" not in seen:
        counts = {k: seen.count(k) for k in ("fail", "not-enforced", "skipped") if k in seen}
        terminalreporter.write_line("hubgate: nothing was proven (no scenario passed: "
                                    + ", ".join(f"{n} {k}" for k, n in counts.items()) + ")")
