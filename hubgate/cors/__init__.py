"""One CORS model for every provider: S3 ``CORSRules``, GCS's gcloud JSON and Azure Blob service rules.

Each provider's document is read once, by its dialect, into :class:`CorsRule` values (origins, methods,
headers, pointers); matching follows that provider's semantics (wildcards, method ``*``). The rule
families HG301-HG304, HG608-HG611 and HG706-HG709 are thin rules on the shapes in
:mod:`hubgate.cors.checks`.
"""

from .model import BLOB, GCS, S3, CorsRule, Dialect, matching_rule

__all__ = ["BLOB", "GCS", "S3", "CorsRule", "Dialect", "matching_rule"]
