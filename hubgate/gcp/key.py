"""The shape of a service account JSON key, and what the other credential types are."""

from __future__ import annotations

from functools import cache

from hubgate.validation import validator


@cache
def key_validator():
    return validator("gcp-service-account-key")


KEY_TYPES = {
    "authorized_user": "a user credential (from `gcloud auth application-default login`), not a service account key",
    "external_account": "a workload identity federation configuration, not a service account key",
    "impersonated_service_account": "an impersonation configuration, not a service account key",
    "gdch_service_account": "a Distributed Cloud service identity, not a service account key",
}
