"""HG7xx: Azure Blob Storage integrations (``provider: azure``), one module per concern.

Hub reads an Azure container with a shared access signature (SAS) it is given together with the storage
account and container names; its browser app loads blobs, so the Blob service's CORS rules must allow the
Hub origins. What Hub may hold (``rl``), the protocol (``https``), the longest lifetime and the blob host
come from the vendor profile (``azure:``).
"""

from . import account, cors, sas  # noqa: F401  (importing registers the rules)
