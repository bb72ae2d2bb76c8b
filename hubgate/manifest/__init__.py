"""Import manifests: a streaming validator (HG501..), a safe rewriter and a builder.

The manifest is a JSON array of assets ``{"data": URL, "externalId": ..., "width"?, "height"?, ...}``
and may hold millions of entries ("There is no upper bound to the number of assets"). It is read
incrementally: for S3 integrations the common asset shape is settled straight from the raw bytes
(:mod:`.scan`), everything else is parsed with ``ijson`` (:mod:`.reader`); the results are the same either
way (tested). Nothing keeps the whole file, and duplicate ``externalId`` detection keeps only an 8-byte hash
and the first index per id (:mod:`.ids`). Findings go to a sink as they are found (the CLI streams them out).

One job per module:

- :mod:`.rules` -- the HG5xx ids and severities
- :mod:`.url` -- URL analysis (bucket, region, key, problems, canonical URL), shared with ``fix`` and the docs
- :mod:`.depth` -- the nesting-depth cap, on the raw bytes
- :mod:`.reader` -- the streaming readers (ijson), byte offsets of malformed JSON
- :mod:`.scan` -- the fast raw scan of the common asset shape
- :mod:`.ids` -- the duplicate-id table
- :mod:`.context` -- what is known of the integration and its buckets
- :mod:`.validator`, :mod:`.fastpath`, :mod:`.fields`, :mod:`.values` -- the checks
- :mod:`.api` -- the entry points (a file, an inline manifest, a bundle's manifest)
- :mod:`.rewrite` -- ``hubgate manifest fix``; :mod:`.build` -- ``hubgate manifest build``

This module re-exports the public API.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .rules import (
    BAD_ESCAPE,
    BUCKET_NO_CORS,
    BUCKET_UNREACHABLE,
    DATA_MISSING,
    DEFAULT_REGION,
    DIMENSIONS,
    DUPLICATE_ID,
    EXTERNAL_ID,
    FIELD_TYPES,
    NOT_ARRAY,
    NOT_HTTPS,
    NOT_OBJECT,
    NOT_UTF8,
    NOT_VIRTUAL_HOSTED,
    PLUS_IN_KEY,
    RAW_CHARS,
    REGION_DIFFERS,
    REGION_MISSING,
    SEVERITY,
)

# Everything else is imported when first used (PEP 562): `hubgate rules` and `--help` need only the HG5xx
# table above, and the validator's modules (compiled patterns, ijson) cost ~60 ms to import.
_LAZY = {
    "Analysis": "url", "BucketFacts": "context", "BuildReport": "build", "Context": "context",
    "DigestTable": "ids", "FixReport": "rewrite", "ManifestError": "reader", "NotArray": "reader",
    "Problem": "url", "Result": "api", "TooManyFindings": "values", "Validator": "validator",
    "analyse": "url", "build_manifest": "build", "bundle_findings": "api", "decode": "url",
    "encode_key": "url", "fix_file": "rewrite", "fix_url": "rewrite", "iter_assets": "reader",
    "iter_batches": "reader", "make_client": "build", "object_url": "build", "validate_file": "api",
    "validate_items": "api", "write_array": "rewrite",
}

if TYPE_CHECKING:  # for type checkers and readers: the names as they are re-exported
    from .api import Result, bundle_findings, validate_file, validate_items
    from .build import BuildReport, build_manifest, make_client, object_url
    from .context import BucketFacts, Context
    from .ids import DigestTable
    from .reader import ManifestError, NotArray, iter_assets, iter_batches
    from .rewrite import FixReport, fix_file, fix_url, write_array
    from .url import Analysis, Problem, analyse, decode, encode_key
    from .validator import Validator
    from .values import TooManyFindings


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Analysis", "BAD_ESCAPE", "BUCKET_NO_CORS", "BUCKET_UNREACHABLE", "BucketFacts", "BuildReport", "Context",
    "DATA_MISSING", "DEFAULT_REGION", "DIMENSIONS", "DUPLICATE_ID", "DigestTable", "EXTERNAL_ID", "FIELD_TYPES",
    "FixReport", "ManifestError", "NOT_ARRAY", "NOT_HTTPS", "NOT_OBJECT", "NOT_UTF8", "NOT_VIRTUAL_HOSTED",
    "NotArray", "PLUS_IN_KEY", "Problem", "RAW_CHARS", "REGION_DIFFERS", "REGION_MISSING", "Result", "SEVERITY",
    "TooManyFindings", "Validator", "analyse", "build_manifest", "bundle_findings", "decode", "encode_key",
    "fix_file", "fix_url", "iter_assets", "iter_batches", "make_client", "object_url", "validate_file",
    "validate_items", "write_array",
]
