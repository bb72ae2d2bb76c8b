"""The providers a bundle can name, and the fields that belong to each."""

from __future__ import annotations

# Providers that speak the S3 API with AWS IAM semantics (roles, policies, SigV4).
S3_PROVIDERS = ("aws", "s3-compatible")

# Bundle fields that belong to one provider only (AWS, and the GCP and Azure extensions of the bundle).
PROVIDER_FIELDS = {
    "AWS": ("access_type", "role_arn", "external_id", "trust_policy", "permission_policy", "access_key_id",
            "secret_access_key", "endpoint"),
    "GCP": ("service_account", "credentials", "bucket_iam_policy", "project_iam_policy", "uniform_bucket_level_access"),
    "Azure": ("account", "container", "sas", "cors", "public_access"),
}
