"""The HG5xx rule ids and their severities: the one table the validator, the rewriter and the rule classes
(``checks/manifest.py``, which hold the documentation) share."""

from __future__ import annotations

NOT_ARRAY = "HG501"
NOT_OBJECT = "HG502"
DATA_MISSING = "HG503"
NOT_HTTPS = "HG504"
NOT_VIRTUAL_HOSTED = "HG505"
REGION_MISSING = "HG506"
BAD_ESCAPE = "HG507"
NOT_UTF8 = "HG508"
RAW_CHARS = "HG509"
PLUS_IN_KEY = "HG510"
EXTERNAL_ID = "HG511"
DUPLICATE_ID = "HG512"
DIMENSIONS = "HG513"
FIELD_TYPES = "HG514"
BUCKET_UNREACHABLE = "HG515"
BUCKET_NO_CORS = "HG516"
REGION_DIFFERS = "HG517"

SEVERITY = {
    NOT_ARRAY: "error",
    NOT_OBJECT: "error",
    DATA_MISSING: "error",
    NOT_HTTPS: "error",
    NOT_VIRTUAL_HOSTED: "error",
    REGION_MISSING: "warning",
    BAD_ESCAPE: "error",
    NOT_UTF8: "error",
    RAW_CHARS: "error",
    PLUS_IN_KEY: "error",
    EXTERNAL_ID: "error",
    DUPLICATE_ID: "error",
    DIMENSIONS: "error",
    FIELD_TYPES: "error",
    BUCKET_UNREACHABLE: "error",
    BUCKET_NO_CORS: "error",
    REGION_DIFFERS: "error",
}

HELP = {rule: f"hubgate rules {rule}" for rule in SEVERITY}

DEFAULT_REGION = "us-east-1"
