"""``hubgate manifest build``: list a real bucket and write an import manifest, streaming to disk.

The bucket is listed with paginated ListObjectsV2 and every object becomes one asset as it arrives
(the listing is never held in memory): ``{"data": "https://<bucket>.s3.<region>.amazonaws.com/<key>",
"externalId": "<key>"}``. Keys are percent-encoded the way Hub reads them: UTF-8 escapes, a space as
``%20`` (never '+'), a literal '+' as ``%2B``, a literal '%' as ``%25``; RFC 3986 unreserved characters
(letters, digits, ``-._~``) and '/' are kept. The region is the bucket's own (GetBucketLocation) unless
given; an empty/None location is us-east-1 and the legacy ``EU`` is eu-west-1.

The file is written to a temporary file next to ``out`` and moved into place only when the listing
was read to the end, so a failed listing never leaves a half-written manifest behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .rewrite import write_array
from .rules import DEFAULT_REGION

_LEGACY_LOCATIONS = {"EU": "eu-west-1"}


@dataclass
class BuildReport:
    assets: int = 0
    skipped: int = 0  # "folder" placeholder keys (ending in '/'), not assets
    region: str = DEFAULT_REGION
    out: str = ""


def encode_key(key: str) -> str:
    """An S3 key (raw, as stored) as the path of a Hub URL: UTF-8 percent-encoding, '/' and '~' kept."""
    return quote(key, safe="/~", encoding="utf-8", errors="strict")


def object_url(bucket: str, region: str, key: str) -> str:
    return f"https://{bucket}.s3.{region}.amazonaws.com/{encode_key(key)}"


def bucket_region(client: Any, bucket: str) -> str:
    """The bucket's region from GetBucketLocation (None/empty -> us-east-1, legacy 'EU' -> eu-west-1)."""
    loc = client.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    if not loc:
        return DEFAULT_REGION
    return _LEGACY_LOCATIONS.get(loc, loc)


def iter_keys(client: Any, bucket: str, prefix: str | None = None, page_size: int | None = None):
    """Every key under ``prefix``, page by page (ListObjectsV2 with continuation tokens)."""
    kwargs: dict = {"Bucket": bucket}
    if prefix:
        kwargs["Prefix"] = prefix
    if page_size:
        kwargs["PaginationConfig"] = {"PageSize": page_size}
    for page in client.get_paginator("list_objects_v2").paginate(**kwargs):
        for obj in page.get("Contents", ()) or ():
            yield obj["Key"]


def build_manifest(client: Any, bucket: str, prefix: str | None, region: str | None, out: str | os.PathLike,
                   page_size: int | None = None, include_folders: bool = False) -> BuildReport:
    """List ``bucket`` (under ``prefix``) with ``client`` and write the manifest to ``out``, streaming.

    ``region`` None asks the bucket (GetBucketLocation). Keys ending in '/' (console "folders") are
    skipped unless ``include_folders``. Returns what was written.
    """
    region = region or bucket_region(client, bucket)
    rep = BuildReport(region=region, out=str(out))

    def assets():
        for key in iter_keys(client, bucket, prefix, page_size):
            if key.endswith("/") and not include_folders:
                rep.skipped += 1
                continue
            yield {"data": object_url(bucket, region, key), "externalId": key}

    rep.assets = write_array(Path(out), assets())
    return rep


def make_client(backend: str, endpoint: str | None = None, region: str | None = None):
    """An S3 client for the CLI: the default boto3 credential chain (environment, profile, role).

    ``aws`` talks to AWS (or ``endpoint``); ``moto``/``seaweedfs`` need ``endpoint`` (a running server on
    a loopback address) and use path-style addressing.
    """
    import boto3  # boto3 and the backends only for this command: keeps the CLI start-up light
    from botocore.config import Config

    from ..endpoints import parse_endpoint  # deferred: only this command parses an endpoint (~5 ms)

    if backend in ("moto", "seaweedfs") and not endpoint:
        raise ValueError(f"--backend {backend} needs --endpoint URL of a running server")
    config = Config(signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "virtual"})
    kwargs: dict = {}
    if endpoint:
        ep = parse_endpoint(endpoint, allow_remote=backend == "aws")
        # the client gets the URL rebuilt from the checked parts, and no proxy from the environment: the
        # connection goes to the address that was checked
        kwargs["endpoint_url"] = ep.url
        config = config.merge(Config(proxies={}))
    kwargs["config"] = config
    if region or endpoint:
        kwargs["region_name"] = region or DEFAULT_REGION
    return boto3.session.Session().client("s3", **kwargs)
