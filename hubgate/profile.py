"""Vendor profiles: every vendor-specific fact the rules use (principal, actions, origins, placeholders)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError
from .source import load_file, parse_text
from .validation import validate

BUILTIN = ("ango-hub",)
DEFAULT = "ango-hub"


_REQUIRED = object()


def _setting(section: str, key: str, default: Any = _REQUIRED, convert=None) -> property:
    """A profile setting: ``key`` of the profile's ``section`` (``aws``, ``cors``, ``gcp``, ``azure``, or
    ``data`` for the top level), ``default`` where the profile may leave it out, passed through ``convert``."""

    def get(self: Profile):
        values = getattr(self, section)
        value = values[key] if default is _REQUIRED else values.get(key, default)
        return value if convert is None else convert(value)

    return property(get)


@dataclass(frozen=True)
class Profile:
    name: str
    data: dict

    @property
    def aws(self) -> dict:
        return self.data["aws"]

    @property
    def cors(self) -> dict:
        return self.data["cors"]

    trusted_principal = _setting("aws", "trusted_principal")
    trust_action = _setting("aws", "trust_action")
    external_id_key = _setting("aws", "external_id_key")
    trust_info_actions = _setting("aws", "trust_info_actions", default=(), convert=tuple)
    required_actions = _setting("aws", "required_actions", convert=tuple)
    revocation_action = _setting("aws", "revocation_action", default="s3:GetObject")
    policy_version = _setting("aws", "policy_version")
    default_region = _setting("aws", "default_region")
    access_key_prefixes = _setting("aws", "access_key_prefixes", default=("AKIA", "ASIA"), convert=tuple)
    external_id_min_length = _setting("aws", "external_id_min_length", default=16, convert=int)
    placeholders = _setting("data", "placeholders", default=(), convert=tuple)
    cors_origins = _setting("cors", "origins", convert=tuple)
    cors_methods = _setting("cors", "methods", default=("GET",), convert=tuple)
    cors_headers = _setting("cors", "headers", default=(), convert=tuple)

    # --- Google Cloud Storage (profile section ``gcp``; a custom profile may leave it out) ----------------

    @property
    def gcp(self) -> dict:
        return self.data.get("gcp") or {}

    gcp_role = _setting("gcp", "role", default="roles/storage.objectViewer")
    gcp_permissions = _setting("gcp", "permissions", default=("storage.objects.get", "storage.objects.list"),
                               convert=tuple)
    gcs_url_host = _setting("gcp", "url_host", default="storage.googleapis.com")
    gcp_credential_type = _setting("gcp", "credential_type", default="service_account")

    # --- Azure Blob Storage (profile section ``azure``) ----------------------------------------------------

    @property
    def azure(self) -> dict:
        return self.data.get("azure") or {}

    sas_permissions = _setting("azure", "sas_permissions", default="rl", convert=str)
    sas_protocol = _setting("azure", "sas_protocol", default="https", convert=str)
    max_sas_lifetime_days = _setting("azure", "max_sas_lifetime_days", default=365, convert=int)
    blob_host_suffix = _setting("azure", "blob_host_suffix", default="blob.core.windows.net", convert=str)
    azure_public_access = _setting("azure", "public_access", default="private", convert=str)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@cache
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
