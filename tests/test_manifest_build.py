"""`hubgate manifest build`: list a real bucket and write a manifest Hub can read.

Proved against real servers: SeaweedFS (SigV4-enforcing) for the awkward keys, where every built URL's
encoded path is presigned as written and fetched, and must return the object's bytes; moto for the
paginated listing, the region lookup and the folder placeholders.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from hubgate import manifest as m
from hubgate.cli.manifest import manifest_command
from hubgate.manifest.build import build_manifest, encode_key, object_url
from hubgate.scenarios.choose import make_backend
from hubgate.scenarios.probes import http_get as _fetch

from conftest import running_seaweedfs

# keys users really have: spaces, '+', unicode (NFC and NFD), '~', '%', reserved characters and quotes.
# ('//' in a key is tested on moto: SeaweedFS's filer folds it to '/' when storing, a server property)
AWKWARD = {
    "cats/a b.jpg": b"space",
    "c+d.png": b"plus",
    "ünïcode/日本語 ファイル.jpg": b"unicode",
    "e\u0301cole/nfd.jpg": b"nfd",
    "tilde~x.jpg": b"tilde",
    "100%.png": b"percent",
    "dir/ empty.jpg": b"leading space",
    "q'uote\"s&=?#.jpg": b"reserved",
    "folder/": b"",  # a console "folder": skipped
}


def _run(*args, env=None):
    return CliRunner().invoke(manifest_command, [str(a) for a in args], env=env)


def _presign_as_written(endpoint: str, creds, built_url: str, region: str) -> str:
    """Presign the built URL's path exactly as it is encoded in the manifest, on the test server."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(built_url)
    bucket = parts.hostname.split(".s3.", 1)[0]
    request = AWSRequest(method="GET", url=f"{endpoint.rstrip('/')}/{bucket}{parts.path}")
    S3SigV4QueryAuth(Credentials(creds.access_key_id, creds.secret_access_key), "s3", region, expires=120).add_auth(request)
    return request.url


@pytest.fixture(scope="module")
def weed():
    with running_seaweedfs() as backend:
        backend.create_bucket("hub-assets")
        for key, body in AWKWARD.items():
            backend.put_object("hub-assets", key, body)
        yield backend


def test_built_urls_fetch_the_right_objects_on_seaweedfs(weed, tmp_path):
    out = tmp_path / "assets.json"
    env = {"AWS_ACCESS_KEY_ID": weed.admin.access_key_id, "AWS_SECRET_ACCESS_KEY": weed.admin.secret_access_key}
    r = _run("build", "--bucket", "hub-assets", "--backend", "seaweedfs", "--endpoint", weed.endpoint,
             "--region", "us-east-1", "--out", out, "--format", "json", env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"assets": 8, "skipped": 1, "region": "us-east-1", "out": str(out)}
    assets = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(a["externalId"] for a in assets) == sorted(k for k in AWKWARD if not k.endswith("/"))
    for a in assets:
        url = a["data"]
        assert url.startswith("https://hub-assets.s3.us-east-1.amazonaws.com/")
        assert " " not in url and "+" not in url
        # hubgate's own reading of the URL names the same bucket, region and key
        assert m.decode(url) == ("hub-assets", "us-east-1", a["externalId"])
        # and the encoded path, signed as written, fetches exactly that object from a SigV4-enforcing server
        status, body = _fetch(_presign_as_written(weed.endpoint, weed.admin, url, "us-east-1"))
        assert (status, body) == (200, AWKWARD[a["externalId"]]), (a["externalId"], url, status, body[:200])
    # the built manifest is clean under hubgate's own rules
    v = _run(out, "--format", "json")
    assert v.exit_code == 0, v.output
    assert json.loads(v.stdout)["findings"] == []


def test_a_wrongly_encoded_url_is_refused_by_the_server(weed):
    """The fetch above can fail: a double-encoded space names a missing key; '+' for a space is refused."""
    good = object_url("hub-assets", "us-east-1", "cats/a b.jpg")
    status, _ = _fetch(_presign_as_written(weed.endpoint, weed.admin, good.replace("%20", "%2520"), "us-east-1"))
    assert status == 404
    status, _ = _fetch(_presign_as_written(weed.endpoint, weed.admin, good.replace("%20", "+"), "us-east-1"))
    assert status in (403, 404)


def test_prefix_lists_only_that_prefix(weed, tmp_path):
    client = weed.client("s3")
    rep = build_manifest(client, "hub-assets", "cats/", "us-east-1", tmp_path / "m.json")
    assert rep.assets == 1
    assert [a["externalId"] for a in json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))] == ["cats/a b.jpg"]


@pytest.fixture(scope="module")
def moto():
    backend = make_backend("moto")
    backend.start()
    try:
        with backend.presign_mode():
            yield backend
    finally:
        backend.stop()


def test_pagination_region_lookup_and_folders_on_moto(moto, tmp_path):
    moto.create_bucket("eu-assets", region="eu-west-1")
    keys = [f"img/{i:03d} x.jpg" for i in range(7)] + ["img/", "z//double/.jpg"]
    for k in keys:
        moto.put_object("eu-assets", k, b"x")
    client = moto.client("s3")
    rep = build_manifest(client, "eu-assets", None, None, tmp_path / "m.json", page_size=2)
    assert (rep.assets, rep.skipped, rep.region) == (8, 1, "eu-west-1")
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [a["data"] for a in data] == [f"https://eu-assets.s3.eu-west-1.amazonaws.com/img/{i:03d}%20x.jpg"
                                         for i in range(7)] + ["https://eu-assets.s3.eu-west-1.amazonaws.com/z//double/.jpg"]
    assert m.decode(data[-1]["data"]) == ("eu-assets", "eu-west-1", "z//double/.jpg")
    rep = build_manifest(client, "eu-assets", None, None, tmp_path / "f.json", include_folders=True)
    assert rep.assets == 9


def test_empty_bucket_gives_an_empty_array(moto, tmp_path):
    moto.create_bucket("empty-assets")
    rep = build_manifest(moto.client("s3"), "empty-assets", None, None, tmp_path / "m.json")
    assert rep.assets == 0 and json.loads((tmp_path / "m.json").read_text()) == []


def test_missing_bucket_is_exit_2_and_leaves_no_file(moto, tmp_path):
    out = tmp_path / "m.json"
    out.write_text("previous", encoding="utf-8")
    env = {"AWS_ACCESS_KEY_ID": moto.admin.access_key_id, "AWS_SECRET_ACCESS_KEY": moto.admin.secret_access_key}
    r = _run("build", "--bucket", "no-such-bucket", "--backend", "moto", "--endpoint", moto.endpoint, "--out", out, env=env)
    assert r.exit_code == 2
    assert "cannot list s3://no-such-bucket/" in r.output and "NoSuchBucket" in r.output
    assert out.read_text(encoding="utf-8") == "previous"  # nothing lost
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind


def test_local_backend_without_endpoint_and_remote_endpoint_are_usage_errors(tmp_path):
    r = _run("build", "--bucket", "b", "--backend", "seaweedfs", "--out", tmp_path / "m.json")
    assert r.exit_code == 2 and "needs --endpoint" in r.output
    r = _run("build", "--bucket", "b", "--backend", "moto", "--endpoint", "http://10.1.2.3:9000", "--out", tmp_path / "m.json")
    assert r.exit_code == 2 and "loopback" in r.output
    assert not (tmp_path / "m.json").exists()


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_encoded_key_round_trips_through_hubgates_reader(key):
    url = object_url("bk", "eu-west-1", key)
    assert m.decode(url) == ("bk", "eu-west-1", key)
    assert " " not in encode_key(key) and "+" not in encode_key(key)


def test_build_client_connects_only_to_the_checked_address(monkeypatch):
    """`manifest build --endpoint` checked the URL but gave the client the URL as typed, with the environment's
    proxies: the client gets the URL rebuilt from the checked parts and no proxy."""
    from hubgate.manifest import make_client

    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.2:1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = make_client("moto", "http://LOCALHOST:9/", "us-east-1")
    assert client.meta.endpoint_url == "http://localhost:9"
    assert client.meta.config.proxies == {}
    with pytest.raises(ValueError, match="refused"):
        make_client("moto", "http://127.0.0.2:9\\@127.0.0.1:9", "us-east-1")
