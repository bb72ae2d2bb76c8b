"""Integration bundles (DESIGN §1): loading, reference resolution, validation, the in-memory model."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .iam.policy import Policy, normalise
from .profile import Profile, load_profile
from .validation import validate
from .source import Document, load_file, parse_text

BUNDLE_NAMES = ("integration.yaml", "integration.yml", "integration.json")
BUNDLE_SUFFIXES = (".hubgate.yaml", ".hubgate.yml", ".hubgate.json")
_ENV = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")


def is_bundle_filename(name: str) -> bool:
    return name in BUNDLE_NAMES or name.endswith(BUNDLE_SUFFIXES)


@dataclass
class Bucket:
    name: str
    region: str | None
    pointer: str
    cors: Document | None = None
    cors_ref: str | None = None


@dataclass
class Secret:
    """A value read from the environment or the bundle that must never be printed in full."""

    value: str
    pointer: str

    def masked(self, kind: str = "secret") -> str:
        """Key ids show their first and last four characters (``AKIA…WXYZ``) when long enough that this
        reveals under half of them; anything else is ``****``."""
        if kind == "key-id" and len(self.value) >= 16:
            return f"{self.value[:4]}…{self.value[-4:]}"
        return "****"

    def __repr__(self) -> str:  # keep secrets out of tracebacks and debug prints
        return "Secret(****)"

    __str__ = __repr__


@dataclass
class Bundle:
    doc: Document
    profile: Profile
    name: str
    provider: str
    access_type: str | None
    region: str | None
    role_arn: str | None
    external_id: str | None
    access_key_id: Secret | None
    secret_access_key: Secret | None
    permission_policy: Policy | None
    trust_policy: Policy | None
    buckets: list[Bucket] = field(default_factory=list)
    manifest_ref: str | None = None
    ignores: list[dict] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def data(self) -> dict:
        return self.doc.data

    @property
    def secrets(self) -> list[str]:
        return [s.value for s in (self.access_key_id, self.secret_access_key) if s is not None and s.value]

    def bucket_region(self, bucket: Bucket) -> str:
        return bucket.region or self.region or self.profile.default_region


def _resolve_env(value: str, file: str, pointer: str) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise InputError(file, f"{pointer}: environment variable {name} is not set")
        return os.environ[name]

    return _ENV.sub(sub, value)


def _sub_document(bundle_doc: Document, key_tokens: tuple, value: Any, base_dir: Path | None) -> tuple[Document, str | None]:
    """A referenced file (path relative to the bundle) or an inline document."""
    if isinstance(value, str):
        if base_dir is None:
            raise InputError(bundle_doc.file, f"{bundle_doc.pointer(*key_tokens)}: file references need a bundle file")
        path = Path(value)
        if not path.is_absolute():
            path = base_dir / path
            # shown the way the bundle itself is shown (relative to the cwd, or absolute), so that findings in
            # a bundle and in the files it references name their files the same way
            shown = os.path.normpath(os.path.join(os.path.dirname(bundle_doc.file), value))
        else:
            shown = os.path.normpath(str(path))
        if not path.exists():
            line, _ = bundle_doc.position(bundle_doc.pointer(*key_tokens))
            where = f" (referenced at line {line} of {bundle_doc.file})" if line else f" (referenced by {bundle_doc.file})"
            raise InputError(shown, f"file not found{where}")
        return load_file(path, shown), value
    return bundle_doc.child(value, *key_tokens), None


def load_policy(doc: Document) -> Policy:
    return normalise(doc)


def bundle_from_document(doc: Document, base_dir: Path | None) -> Bundle:
    data = doc.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise InputError(doc.file, f"a bundle must be a mapping of fields, got {kind}")
    validate("bundle", doc, "bundle")
    profile = load_profile(data.get("profile"), base_dir, doc.file)

    def doc_field(key: str) -> Policy | None:
        if key not in data:
            return None
        sub, _ = _sub_document(doc, (key,), data[key], base_dir)
        return load_policy(sub)

    def secret(key: str) -> Secret | None:
        if key not in data:
            return None
        ptr = doc.pointer(key)
        return Secret(_resolve_env(str(data[key]), doc.file, ptr), ptr)

    buckets = []
    for i, b in enumerate(data.get("buckets") or []):
        bucket = Bucket(name=b["name"], region=b.get("region"), pointer=doc.pointer("buckets", i))
        if "cors" in b:
            bucket.cors, bucket.cors_ref = _sub_document(doc, ("buckets", i, "cors"), b["cors"], base_dir)
            validate("cors", bucket.cors, "S3 CORS configuration")
        buckets.append(bucket)

    ext = data.get("external_id")
    return Bundle(
        doc=doc,
        profile=profile,
        name=data["name"],
        provider=data["provider"],
        access_type=data.get("access_type"),
        region=data.get("region"),
        role_arn=data.get("role_arn"),
        external_id=None if ext is None else _resolve_env(str(ext), doc.file, doc.pointer("external_id")),
        access_key_id=secret("access_key_id"),
        secret_access_key=secret("secret_access_key"),
        permission_policy=doc_field("permission_policy"),
        trust_policy=doc_field("trust_policy"),
        buckets=buckets,
        manifest_ref=data.get("manifest") if isinstance(data.get("manifest"), str) else None,
        ignores=list(data.get("x-hubgate-ignore") or []),
    )


def load_bundle(path: Path, shown: str | None = None) -> Bundle:
    doc = load_file(path, shown)
    return bundle_from_document(doc, path.parent)


def bundle_from_data(data: Any, file: str = "<inline>") -> Bundle:
    """A bundle from an in-memory mapping (rule examples, tests); documents must be inline."""
    import json

    doc = parse_text(json.dumps(data, indent=2), file)
    return bundle_from_document(doc, None)
