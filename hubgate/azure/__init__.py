"""Azure Blob Storage domain models: shared access signatures."""
