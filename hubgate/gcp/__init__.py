"""Google Cloud domain models: role permissions, IAM bindings and conditions, service account keys."""
