"""HG6xx: Google Cloud Storage integrations (``provider: gcp``), one module per concern."""

from . import cors, iam, identity  # noqa: F401  (importing registers the rules)
