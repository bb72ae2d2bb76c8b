"""Building blocks for rule examples: a correct Ango Hub integration, and helpers to break one piece.

Rules use these in their ``fail_examples``/``pass_examples``; the tests run every example through the
engine, and ``hubgate rules ID`` prints them.
"""

from __future__ import annotations

import copy
from typing import Any

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


def read_policy(*buckets: str) -> dict:
    buckets = buckets or (BUCKET,)
    resources = []
    for b in buckets:
        resources += [f"arn:aws:s3:::{b}/*", f"arn:aws:s3:::{b}"]
    return policy(statement(["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], resources))


def trust_policy(external_id: str = EXTERNAL_ID, principal: Any = None, condition: Any = None, action: Any = "sts:AssumeRole") -> dict:
    st = {
        "Effect": "Allow",
        "Principal": principal if principal is not None else {"AWS": HUB_PRINCIPAL},
        "Action": action,
    }
    cond = condition if condition is not None else {"StringEquals": {"sts:ExternalId": external_id}}
    if cond:
        st["Condition"] = cond
    return policy(st)


def cors(*origins: str, methods: tuple[str, ...] = ("GET",)) -> dict:
    origins = origins or ("https://hub.ango.ai", "https://api.ango.ai")
    return {"CORSRules": [{"AllowedHeaders": ["*"], "AllowedMethods": list(methods), "AllowedOrigins": list(origins), "MaxAgeSeconds": 3000}]}


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
    for k, v in overrides.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = copy.deepcopy(v)
    return b


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
    from .bundle import bundle_from_data
    from .iam.policy import normalise
    from .rules import Target
    from .source import parse_text

    import json

    if isinstance(example, dict) and "Statement" in example:
        doc = parse_text(json.dumps(example, indent=2), "<inline policy>")
        return [Target("policy", policy=normalise(doc))]
    if isinstance(example, list):
        org = [bundle_from_data(b, f"<inline bundle {i}>") for i, b in enumerate(example)]
        return [Target("bundle", bundle=b, organization=org) for b in org]
    b = bundle_from_data(example)
    return [Target("bundle", bundle=b, organization=[b])]
