"""Building blocks for rule examples: a correct Ango Hub integration, and helpers to break one piece.

Rules use these in their ``fail_examples``/``pass_examples``; the tests run every example through the
engine, and ``hubgate rules ID`` prints them.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
from typing import Any

from .bundle import bundle_from_data
from .iam.policy import normalise
from .rules import Target
from .source import parse_text

BUCKET = "my-bucket"
EXTERNAL_ID = "6f0b1d4e-9a7c-4c55-8a6e-2f4f3b9c1d20"
ROLE_ARN = "arn:aws:iam::123456789012:role/AngoHubReadOnly"
HUB_PRINCIPAL = "arn:aws:iam::397578311638:user/angohub-delegate"


def statement(actions: Any, resources: Any = None, effect: str = "Allow", **extra: Any) -> dict:
    st: dict = {"Effect": effect}
    if actions is not None:
        st["Action"] = actions
    if resources is not None:
        st["Resource"] = resources
    st.update(extra)
    return st


def policy(*statements: dict, version: str | None = "2012-10-17") -> dict:
    doc: dict = {}
    if version is not None:
        doc["Version"] = version
    doc["Statement"] = list(statements)
    return doc


def bucket_arns(*buckets: str) -> list[str]:
    """Each bucket's object and bucket ARN, paired (``arn:aws:s3:::b/*``, ``arn:aws:s3:::b``)."""
    resources = []
    for b in buckets:
        resources += [f"arn:aws:s3:::{b}/*", f"arn:aws:s3:::{b}"]
    return resources


def read_policy(*buckets: str, actions: Any = None, version: str | None = "2012-10-17", **extra: Any) -> dict:
    """The read-only permission policy over ``buckets``; ``actions`` default to the docs' three read actions
    (``hubgate generate`` passes the profile's), ``extra`` goes into the statement (e.g. ``Sid``)."""
    buckets = buckets or (BUCKET,)
    actions = list(actions) if actions is not None else ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
    return policy(statement(actions, bucket_arns(*buckets), **extra), version=version)


def trust_policy(external_id: str = EXTERNAL_ID, principal: Any = None, condition: Any = None, action: Any = "sts:AssumeRole",
                 key: str = "sts:ExternalId", version: str | None = "2012-10-17") -> dict:
    st = {
        "Effect": "Allow",
        "Principal": principal if principal is not None else {"AWS": HUB_PRINCIPAL},
        "Action": action,
    }
    cond = condition if condition is not None else {"StringEquals": {key: external_id}}
    if cond:
        st["Condition"] = cond
    return policy(st, version=version)


def cors(*origins: str, methods: tuple[str, ...] = ("GET",), headers: tuple[str, ...] = ("*",)) -> dict:
    origins = origins or ("https://hub.ango.ai", "https://api.ango.ai")
    return {"CORSRules": [{"AllowedHeaders": list(headers), "AllowedMethods": list(methods), "AllowedOrigins": list(origins), "MaxAgeSeconds": 3000}]}


def _override(d: dict, overrides: dict) -> dict:
    """``d`` with each override applied: a value replaces the key's (a deep copy), None removes the key."""
    for k, v in overrides.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = copy.deepcopy(v)
    return d


def good_bundle(**overrides: Any) -> dict:
    """A correct iam-delegated AWS bundle; keyword overrides replace fields (None removes one)."""
    b: dict = {
        "name": "prod-images",
        "provider": "aws",
        "access_type": "iam-delegated",
        "region": "eu-central-1",
        "role_arn": ROLE_ARN,
        "external_id": EXTERNAL_ID,
        "permission_policy": read_policy(),
        "trust_policy": trust_policy(),
        "buckets": [{"name": BUCKET, "cors": cors()}],
    }
    return _override(b, overrides)


# AWS's own documented example keys (IAM User Guide, "Managing access keys"): well-formed, never valid.
EXAMPLE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def iam_user_bundle(**overrides: Any) -> dict:
    """A correct iam-user AWS bundle (keys instead of role, external ID and trust policy)."""
    base = {
        "access_type": "iam-user",
        "role_arn": None,
        "external_id": None,
        "trust_policy": None,
        "access_key_id": EXAMPLE_KEY_ID,
        "secret_access_key": EXAMPLE_SECRET,
    }
    base.update(overrides)
    return good_bundle(**base)


def example_targets(example: Any) -> list:
    """The rule targets one rule example stands for.

    A mapping is one bundle (alone in its organization); a list of mappings is an organization (every
    bundle is a target, all sharing the organization), used by organization rules such as HG404; a
    mapping with a top-level ``Statement`` is a bare policy.
    """
    if isinstance(example, dict) and "Statement" in example:
        doc = parse_text(json.dumps(example, indent=2), "<inline policy>")
        return [Target("policy", policy=normalise(doc))]
    if isinstance(example, list):
        org = [bundle_from_data(b, f"<inline bundle {i}>") for i, b in enumerate(example)]
        return [Target("bundle", bundle=b, organization=org) for b in org]
    b = bundle_from_data(example)
    return [Target("bundle", bundle=b, organization=[b])]


# --- Google Cloud Storage ---------------------------------------------------------------------------------

GCP_PROJECT = "acme-labeling"
GCP_SERVICE_ACCOUNT = f"ango-hub-reader@{GCP_PROJECT}.iam.gserviceaccount.com"
GCP_ROLE = "roles/storage.objectViewer"
# A made-up key body: the right shape, no real key (and never printed: hubgate masks private_key).
EXAMPLE_PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCxEXAMPLEKEYNOTREALx\n"
    "QW5nb0h1YkV4YW1wbGVLZXlOb3RGb3JVc2VJblByb2R1Y3Rpb25FWEFNUExFRVhBTVBMRQ==\n"
    "-----END PRIVATE KEY-----\n"
)


def gcp_binding(role: str, *members: str, condition: Any = None) -> dict:
    b: dict = {"role": role, "members": list(members)}
    if condition is not None:
        b["condition"] = condition if isinstance(condition, dict) else {"title": "hubgate example", "expression": condition}
    return b


def gcp_iam_policy(*bindings: dict, version: int = 1) -> dict:
    """A bucket or project IAM policy as ``gcloud storage buckets get-iam-policy --format=json`` prints it."""
    if not bindings:
        bindings = (
            gcp_binding("roles/storage.legacyBucketOwner", f"projectEditor:{GCP_PROJECT}", f"projectOwner:{GCP_PROJECT}"),
            gcp_binding("roles/storage.legacyBucketReader", f"projectViewer:{GCP_PROJECT}"),
            gcp_binding(GCP_ROLE, f"serviceAccount:{GCP_SERVICE_ACCOUNT}"),
        )
    return {"bindings": list(bindings), "etag": "CAE=", "version": version}


def gcs_cors(*origins: str, methods: tuple[str, ...] = ("GET",)) -> list:
    """Bucket CORS in gcloud's JSON form."""
    origins = origins or ("https://hub.ango.ai", "https://api.ango.ai")
    return [{"origin": list(origins), "method": list(methods), "responseHeader": ["Content-Type"], "maxAgeSeconds": 3600}]


def gcp_key(**overrides: Any) -> dict:
    """A service account key file of the right shape (made-up values); keyword overrides, None removes."""
    key: dict = {
        "type": "service_account",
        "project_id": GCP_PROJECT,
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": EXAMPLE_PRIVATE_KEY,
        "client_email": GCP_SERVICE_ACCOUNT,
        "client_id": "109876543210987654321",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                "ango-hub-reader%40acme-labeling.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com",
    }
    return _override(key, overrides)


def gcp_bundle(**overrides: Any) -> dict:
    """A correct GCS integration: Hub's service account holds Storage Object Viewer on the bucket only,
    uniform bucket-level access on, CORS for the Hub origins; keyword overrides replace fields (None removes)."""
    b: dict = {
        "name": "prod-gcs-images",
        "provider": "gcp",
        "region": "europe-west1",
        "service_account": GCP_SERVICE_ACCOUNT,
        "credentials": gcp_key(),
        "bucket_iam_policy": gcp_iam_policy(),
        "uniform_bucket_level_access": True,
        "buckets": [{"name": BUCKET, "cors": gcs_cors()}],
    }
    return _override(b, overrides)


# --- Azure Blob Storage -----------------------------------------------------------------------------------

AZURE_ACCOUNT = "acmelabeling"
AZURE_CONTAINER = "images"
# A made-up signature (base64 of 32 bytes, URL-encoded as Azure prints it); never printed by hubgate.
EXAMPLE_SAS_SIG = "dGhpc2lzYW5leGFtcGxlc2lnbmF0dXJlbm90cmVhbDE%3D"


def _iso(days: int) -> str:
    t = _dt.datetime.now(_dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) + _dt.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def azure_sas(**params: Any) -> str:
    """A container (service) SAS token: read and list, HTTPS only, valid from yesterday for 180 days.
    Keyword parameters replace SAS fields (None removes one)."""
    p: dict = {"sv": "2022-11-02", "sr": "c", "sp": "rl", "st": _iso(-1), "se": _iso(180), "spr": "https",
               "sig": EXAMPLE_SAS_SIG}
    for k, v in params.items():
        if v is None:
            p.pop(k, None)
        else:
            p[k] = v
    return "&".join(f"{k}={v}" for k, v in p.items())


def azure_cors(*origins: str, methods: tuple[str, ...] = ("GET", "HEAD", "OPTIONS")) -> dict:
    """Blob service CORS as ``az storage account blob-service-properties show`` prints it."""
    origins = origins or ("https://hub.ango.ai", "https://api.ango.ai")
    return {"corsRules": [{"allowedOrigins": list(origins), "allowedMethods": list(methods), "allowedHeaders": ["*"],
                           "exposedHeaders": ["*"], "maxAgeInSeconds": 3600}]}


def azure_bundle(**overrides: Any) -> dict:
    """A correct Azure Blob integration: container SAS with read/list over HTTPS, bounded expiry, Blob CORS
    for the Hub origins, private container; keyword overrides replace fields (None removes)."""
    b: dict = {
        "name": "prod-azure-images",
        "provider": "azure",
        "account": AZURE_ACCOUNT,
        "container": AZURE_CONTAINER,
        "sas": azure_sas(),
        "cors": azure_cors(),
        "public_access": "private",
    }
    return _override(b, overrides)
