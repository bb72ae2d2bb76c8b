"""Import manifests: a streaming validator (HG501..), a safe rewriter and a builder.

The manifest is a JSON array of assets ``{"data": URL, "externalId": ..., "width"?, "height"?, ...}``
and may hold millions of entries ("There is no upper bound to the number of assets"). It is read
incrementally: for S3 integrations the common asset shape is settled straight from the raw bytes
(:mod:`.scan`, split ahead in a child process for a large file: :mod:`.ahead`), everything else is parsed with
``ijson`` (:mod:`.reader`); the results are the same either way (tested). Nothing keeps the whole file, and
duplicate ``externalId`` detection keeps only an 8-byte hash per id and a 4-byte slot per distinct one
(:mod:`.ids`). Findings go to a sink as they are found (the CLI streams them out).

One job per module:

- :mod:`.rules` -- the HG5xx ids and severities
- :mod:`.url` -- URL analysis (bucket, region, key, problems, canonical URL), shared with ``fix`` and the docs
- :mod:`.depth` -- the nesting-depth cap, on the raw bytes
- :mod:`.reader` -- the streaming readers (ijson), byte offsets of malformed JSON
- :mod:`.scan` -- the fast raw scan of the common asset shape; :mod:`.ahead` -- its splitting in a child process
- :mod:`.ids` -- the duplicate-id table
- :mod:`.context` -- what is known of the integration and its buckets
- :mod:`.validator`, :mod:`.fastpath`, :mod:`.fields`, :mod:`.values` -- the checks
- :mod:`.api` -- the entry points (a file, an inline manifest, a bundle's manifest)
- :mod:`.rewrite` -- ``hubgate manifest fix``; :mod:`.build` -- ``hubgate manifest build``

This module re-exports the public API.
"""

from __future__ import annotations

import importlib

# Each name is imported from its module when first used (PEP 562): `hubgate rules` needs only the HG5xx
# table (`.rules`), and the validator's modules (compiled patterns, ijson) cost ~60 ms to import.
_LAZY = {
    "Analysis": "url", "BAD_ESCAPE": "rules", "BUCKET_NO_CORS": "rules", "BUCKET_UNREACHABLE": "rules",
    "BucketFacts": "context", "BuildReport": "build", "Context": "context", "DATA_MISSING": "rules",
    "DEFAULT_REGION": "rules", "DIMENSIONS": "rules", "DUPLICATE_ID": "rules", "DigestTable": "ids",
    "EXTERNAL_ID": "rules", "FIELD_TYPES": "rules", "FixReport": "rewrite", "ManifestError": "reader",
    "NOT_ARRAY": "rules", "NOT_HTTPS": "rules", "NOT_OBJECT": "rules", "NOT_UTF8": "rules",
    "NOT_VIRTUAL_HOSTED": "rules", "NotArray": "reader", "PLUS_IN_KEY": "rules", "Problem": "url",
    "RAW_CHARS": "rules", "REGION_DIFFERS": "rules", "REGION_MISSING": "rules", "Result": "api",
    "SEVERITY": "rules", "TooManyFindings": "values", "Validator": "validator", "analyse": "url",
    "build_manifest": "build", "bundle_findings": "api", "decode": "url", "encode_key": "url",
    "fix_file": "rewrite", "fix_url": "rewrite", "iter_assets": "reader", "iter_batches": "reader",
    "make_client": "build", "object_url": "build", "validate_file": "api", "validate_items": "api",
    "write_array": "rewrite",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = sorted(_LAZY)
