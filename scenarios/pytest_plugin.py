"""pytest plugin (entry point ``pytest11``): run hubgate's live scenarios inside your own test suite.

Options: ``--hubgate-bundle PATH`` (a bundle file or a directory holding one), ``--hubgate-backend
moto|seaweedfs|minio|aws`` (default moto), ``--hubgate-endpoint URL`` (an already running server on a
loopback address).

Fixtures:

* ``hubgate_backend`` (session): the started backend; the test is skipped when the backend cannot run
  here (no Docker engine for minio, no ``weed`` binary, ...).
* ``hubgate_bundle`` (session): the loaded bundle; skipped when ``--hubgate-bundle`` is not given.
* ``hubgate_context`` (session): the bundle provisioned on the backend (unique names), removed at the end.
* ``hubgate_prove`` : ``hubgate_prove("presign-tamper")`` runs one scenario and returns its Result.
* ``hubgate_scenario`` : a test asking for it runs once per scenario id (parametrized).

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


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "hubgate: a test using hubgate's live scenario fixtures")


def pytest_generate_tests(metafunc) -> None:
    if "hubgate_scenario" in metafunc.fixturenames:
        from .catalog import scenario_ids

        metafunc.parametrize("hubgate_scenario", scenario_ids())


@pytest.fixture(scope="session")
def hubgate_backend(request):
    from .backends import BackendUnavailable, make_backend

    backend = make_backend(request.config.getoption("--hubgate-backend"),
                           request.config.getoption("--hubgate-endpoint"))
    try:
        backend.start()
    except BackendUnavailable as exc:
        pytest.skip(f"hubgate backend {backend.name}: {exc}")
    yield backend
    backend.stop()


@pytest.fixture(scope="session")
def hubgate_bundle(request):
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
    from .runner import Context

    ctx = Context(hubgate_bundle, hubgate_backend)
    try:
        ctx.provision()
        yield ctx
    finally:
        ctx.cleanup()


@pytest.fixture
def hubgate_prove(hubgate_context):
    from .runner import run_scenario

    def run(scenario: str):
        return run_scenario(hubgate_context, scenario)

    return run
