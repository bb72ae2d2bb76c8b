"""The pytest plugin: fixtures that start a backend and provision a bundle, options to choose them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("moto.server", reason="moto[server] is not installed")

pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_plugin_fixtures_run_scenarios_in_a_users_suite(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # load exactly this plugin, once
    pytester.makepyfile(test_user="""
        import pytest

        @pytest.mark.parametrize("scenario", ["read-only-enforced", "cross-bucket-isolation", "cors-preflight"])
        def test_integration(hubgate_prove, scenario):
            result = hubgate_prove(scenario)
            assert result.result != "fail", "\\n".join(result.evidence)

        def test_context(hubgate_context, hubgate_backend):
            assert hubgate_backend.name == "moto"
            assert hubgate_context.buckets

        def test_each_scenario_id(hubgate_scenario):
            assert hubgate_scenario
    """)
    good = pytester.runpytest_inprocess("-p", "hubgate.scenarios.pytest_plugin", "-q",
                                        f"--hubgate-bundle={EXAMPLES / 'good'}", "--hubgate-backend=moto")
    good.assert_outcomes(passed=4 + 9)
    broken = pytester.runpytest_inprocess("-p", "hubgate.scenarios.pytest_plugin", "-q",
                                          f"--hubgate-bundle={EXAMPLES / 'broken'}", "-k", "integration")
    broken.assert_outcomes(passed=1, failed=2)
    assert "allowed -> WRONG" in broken.stdout.str()


def test_plugin_skips_without_a_bundle(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_user="def test_x(hubgate_bundle):\n    pass\n")
    res = pytester.runpytest_inprocess("-p", "hubgate.scenarios.pytest_plugin", "-rs")
    res.assert_outcomes(skipped=1)
    assert "no --hubgate-bundle given" in res.stdout.str()
