"""hubgate prove on the embedded moto server: the good and the broken example, the CLI, cleanup, minio.

One moto server runs both examples (module fixture); results are what moto really answered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("moto.server", reason="moto[server] is not installed (pip install -e '.[live]')")

from hubgate.bundle import load_bundle  # noqa: E402
from hubgate.cli.prove import prove_command  # noqa: E402
from hubgate.scenarios.choose import make_backend  # noqa: E402
from hubgate.scenarios.session import prove  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def moto_results():
    bundles = [load_bundle(EXAMPLES / "good" / "integration.yaml"), load_bundle(EXAMPLES / "broken" / "integration.yaml")]
    results = prove(bundles, make_backend("moto"))
    return {(r.bundle, r.scenario): r for r in results}


def result(results, bundle, scenario):
    return results[(bundle, scenario)].result


def test_good_bundle_never_fails_and_names_what_moto_cannot_show(moto_results):
    good = {s: r.result for (b, s), r in moto_results.items() if b == "acme-labeling"}
    assert len(good) == 9
    assert "fail" not in good.values(), good
    # what moto enforces: IAM permissions, CORS origins, keys
    assert good["read-only-enforced"] == "pass"
    assert good["cross-bucket-isolation"] == "pass"
    assert good["cors-preflight"] == "pass"
    assert good["key-encoding"] == "pass"
    # moto's known limits: presigned URLs are not checked, a missing external ID is accepted
    for s in ("presigned-get", "revocation-invalidates-urls", "presign-expiry", "presign-tamper",
              "assume-role-external-id"):
        assert good[s] == "not-enforced", (s, moto_results[("acme-labeling", s)].evidence)


def test_moto_limits_are_stated_in_the_evidence(moto_results):
    ev = "\n".join(moto_results[("acme-labeling", "assume-role-external-id")].evidence)
    assert "without an external ID accepted -> NOT enforced" in ev
    assert "wrong external ID refused 403" in ev
    ev = "\n".join(moto_results[("acme-labeling", "presign-tamper")].evidence)
    assert "signature digit changed -> 200 -> NOT enforced" in ev


def test_broken_bundle_fails_on_the_right_scenarios(moto_results):
    assert result(moto_results, "acme-broken", "read-only-enforced") == "fail"
    assert result(moto_results, "acme-broken", "cors-preflight") == "fail"
    # moto refuses a wrong external ID on a canonical trust policy, so the missing condition shows
    assert result(moto_results, "acme-broken", "assume-role-external-id") == "fail"
    ev = "\n".join(moto_results[("acme-broken", "assume-role-external-id")].evidence)
    assert "check wrong-id: AssumeRole with a wrong external ID accepted -> WRONG" in ev
    ev = "\n".join(moto_results[("acme-broken", "read-only-enforced")].evidence)
    assert "PutObject" in ev and "allowed -> WRONG" in ev
    ev = "\n".join(moto_results[("acme-broken", "cors-preflight")].evidence)
    assert "Origin: https://hub.ango.ai -> 403" in ev
    assert result(moto_results, "acme-broken", "cross-bucket-isolation") == "pass"


def test_cli_json_exit_1_on_fail_and_text_output():
    runner = CliRunner()
    res = runner.invoke(prove_command, [str(EXAMPLES / "broken"), "--backend", "moto", "--format", "json",
                                        "--scenario", "read-only-enforced,cross-bucket-isolation"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert [(s["scenario"], s["backend"], s["result"]) for s in doc["scenarios"]] == [
        ("read-only-enforced", "moto", "fail"), ("cross-bucket-isolation", "moto", "pass")]
    assert all(isinstance(s["evidence"], list) and s["evidence"] for s in doc["scenarios"])
    res = runner.invoke(prove_command, [str(EXAMPLES / "good" / "integration.yaml"), "--scenario", "key-encoding"])
    assert res.exit_code == 0, res.output
    assert "PASS          key-encoding" in res.stdout


def test_cli_refuses_remote_endpoint_and_bad_input(tmp_path):
    runner = CliRunner()
    res = runner.invoke(prove_command, [str(EXAMPLES / "good"), "--endpoint", "http://192.0.2.10:9000"])
    assert res.exit_code == 2 and "--allow-remote" in res.output
    res = runner.invoke(prove_command, [str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "no such file" in res.output
    res = runner.invoke(prove_command, [str(EXAMPLES / "good"), "--scenario", "nope"])
    assert res.exit_code == 2 and "unknown scenario" in res.output


def test_provision_leaves_nothing_behind():
    backend = make_backend("moto")
    with backend:
        before_b, before_u = set(backend.list_buckets()), set(backend.list_users())
        prove_one = load_bundle(EXAMPLES / "good" / "integration.yaml")
        from hubgate.scenarios.runner import run_bundle

        run_bundle(prove_one, backend, ["assume-role-external-id", "key-encoding"])
        assert set(backend.list_buckets()) == before_b
        assert set(backend.list_users()) == before_u
        assert not [r for r in backend.list_roles() if r.startswith("hubgate-")]
