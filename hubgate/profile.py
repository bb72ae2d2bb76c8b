"""Vendor profiles: every vendor-specific fact the rules use (principal, actions, origins, placeholders)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError
from .validation import validate
from .source import load_file, parse_text

BUILTIN = ("ango-hub",)
DEFAULT = "ango-hub"


@dataclass(frozen=True)
class Profile:
    name: str
    data: dict

    @property
    def aws(self) -> dict:
        return self.data["aws"]

    @property
    def trusted_principal(self) -> str:
        return self.aws["trusted_principal"]

    @property
    def trust_action(self) -> str:
        return self.aws["trust_action"]

    @property
    def external_id_key(self) -> str:
        return self.aws["external_id_key"]

    @property
    def trust_info_actions(self) -> tuple[str, ...]:
        return tuple(self.aws.get("trust_info_actions", ()))

    @property
    def required_actions(self) -> tuple[str, ...]:
        return tuple(self.aws["required_actions"])

    @property
    def revocation_action(self) -> str:
        return self.aws.get("revocation_action", "s3:GetObject")

    @property
    def policy_version(self) -> str:
        return self.aws["policy_version"]

    @property
    def default_region(self) -> str:
        return self.aws["default_region"]

    @property
    def access_key_prefixes(self) -> tuple[str, ...]:
        return tuple(self.aws.get("access_key_prefixes", ("AKIA", "ASIA")))

    @property
    def external_id_min_length(self) -> int:
        return int(self.aws.get("external_id_min_length", 16))

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(self.data.get("placeholders", ()))

    @property
    def cors_origins(self) -> tuple[str, ...]:
        return tuple(self.data["cors"]["origins"])

    @property
    def cors_methods(self) -> tuple[str, ...]:
        return tuple(self.data["cors"].get("methods", ("GET",)))

    @property
    def cors_headers(self) -> tuple[str, ...]:
        return tuple(self.data["cors"].get("headers", ()))

    # --- Google Cloud Storage (profile section ``gcp``; a custom profile may leave it out) ----------------

    @property
    def gcp(self) -> dict:
        return self.data.get("gcp") or {}

    @property
    def gcp_role(self) -> str:
        return self.gcp.get("role", "roles/storage.objectViewer")

    @property
    def gcp_permissions(self) -> tuple[str, ...]:
        return tuple(self.gcp.get("permissions", ("storage.objects.get", "storage.objects.list")))

    @property
    def gcs_url_host(self) -> str:
        return self.gcp.get("url_host", "storage.googleapis.com")

    @property
    def gcp_credential_type(self) -> str:
        return self.gcp.get("credential_type", "service_account")

    # --- Azure Blob Storage (profile section ``azure``) ----------------------------------------------------

    @property
    def azure(self) -> dict:
        return self.data.get("azure") or {}

    @property
    def sas_permissions(self) -> str:
        return str(self.azure.get("sas_permissions", "rl"))

    @property
    def sas_protocol(self) -> str:
        return str(self.azure.get("sas_protocol", "https"))

    @property
    def max_sas_lifetime_days(self) -> int:
        return int(self.azure.get("max_sas_lifetime_days", 365))

    @property
    def blob_host_suffix(self) -> str:
        return str(self.azure.get("blob_host_suffix", "blob.core.windows.net"))

    @property
    def azure_public_access(self) -> str:
        return str(self.azure.get("public_access", "private"))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@lru_cache(maxsize=None)
def builtin(name: str = DEFAULT) -> Profile:
    text = resources.files("hubgate.profiles").joinpath(f"{name}.yaml").read_text("utf-8")
    doc = parse_text(text, f"<builtin profile {name}>")
    validate("profile", doc, "vendor profile")
    return Profile(name, doc.data)


def load_profile(ref: str | None, relative_to: Path | None = None, shown_from: str | None = None) -> Profile:
    """A built-in profile by name, or a profile YAML by path (relative to the bundle's folder)."""
    if ref is None:
        return builtin(DEFAULT)
    if ref in BUILTIN:
        return builtin(ref)
    path = Path(ref)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not path.exists():
        raise InputError(
            shown_from or str(path),
            f"profile {ref!r} is neither a built-in profile ({', '.join(BUILTIN)}) nor an existing file",
        )
    doc = load_file(path)
    validate("profile", doc, "vendor profile")
    return Profile(doc.data.get("name", path.stem), doc.data)
