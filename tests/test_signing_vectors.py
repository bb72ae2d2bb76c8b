"""The published signing vectors ship inside the package: found without anything beside the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubgate.signing
from hubgate.signing import default_vectors_dir
from hubgate.signing.lock import _gcs_key
from hubgate.signing.suites import load_suite

PACKAGE = Path(hubgate.signing.__file__).resolve().parent


def test_default_vectors_dir_is_inside_the_installed_package():
    vdir = default_vectors_dir().resolve()
    assert vdir == PACKAGE / "third_party" / "vectors"
    assert vdir.is_relative_to(PACKAGE)
    assert "shared" not in vdir.relative_to(PACKAGE.parent.parent).parts


def test_every_suite_and_the_gcs_key_are_found_with_their_licences():
    vdir = default_vectors_dir()
    assert (vdir / "PROVENANCE.md").is_file()
    aws = vdir / "aws-sigv4-testsuite"
    for name in ("LICENSE", "NOTICE", "LICENSE.txt", "NOTICE.botocore", "PROVENANCE.md"):
        assert (aws / name).is_file(), name
    layout, cases = load_suite(aws)
    assert layout == "botocore" and len(cases) == 34
    assert {"normalize-path/get-space", "post-sts-token/post-sts-header-before"} <= {c.name for c in cases}
    gcs = vdir / "gcs-v4-signatures"
    for name in ("LICENSE", "PROVENANCE.md", "tests.proto"):
        assert (gcs / name).is_file(), name
    doc = json.loads((gcs / "v4_signatures.json").read_text(encoding="utf-8"))
    assert (len(doc["signingV4Tests"]), len(doc["postPolicyV4Tests"])) == (29, 11)
    key = _gcs_key()
    assert key is not None and key["client_email"].startswith("test-iam-credentials@")


def test_provenance_names_repository_and_commit_of_each_suite():
    text = (default_vectors_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "https://github.com/boto/botocore" in text and "0e6e2404b85dc336dd2889814e089bde7d1a4c55" in text
    assert "https://github.com/googleapis/conformance-tests" in text
    assert "998891a8dae00df121e460420cceb0abfc4e2ea1" in text


def test_record_includes_google_cloud_storage():
    pytest.importorskip("google.cloud.storage")
    from hubgate.signing.lock import record

    data = record()
    assert "google-cloud-storage" not in data["skipped"], data["skipped"]
    assert any(e.startswith("google-cloud-storage") for e in data["entries"])
