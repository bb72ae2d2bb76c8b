"""Integration bundles: loading, reference resolution, validation, the in-memory model."""

from __future__ import annotations

import json
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import redact
from .errors import InputError
from .iam.policy import Policy, normalise
from .profile import BUILTIN as BUILTIN_PROFILES, Profile, load_profile
from .source import Document, load_file, parse_text
from .validation import validate, validator

BUNDLE_NAMES = ("integration.yaml", "integration.yml", "integration.json")
BUNDLE_SUFFIXES = (".hubgate.yaml", ".hubgate.yml", ".hubgate.json")
_ENV = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
# what an access key id looks like (AKIA..., GOOG..., 20-24 characters; a secret key is 40 with / and +)
_KEY_ID = re.compile(r"[A-Za-z0-9]{16,32}")


def is_bundle_filename(name: str) -> bool:
    return name in BUNDLE_NAMES or name.endswith(BUNDLE_SUFFIXES)


@dataclass
class Bucket:
    name: str
    region: str | None
    pointer: str
    cors: Document | None = None
    cors_ref: str | None = None
    # gcp: which CORS form the document is in ("gcs": gcloud's JSON list; "s3": an S3 document on a GCS
    # bucket, which GCS does not accept -- the HG6xx rules report it)
    cors_form: str | None = None
    iam_policy: Document | None = None  # gcp: this bucket's own IAM policy (else the bundle's bucket_iam_policy)
    uniform_bucket_level_access: bool | None = None  # gcp: this bucket's own value (else the bundle's)


@dataclass
class Secret:
    """A value read from the environment or the bundle that must never be printed in full."""

    value: str
    pointer: str

    def masked(self, kind: str = "secret") -> str:
        """Key ids show their first and last four characters (``AKIA…WXYZ``) when long enough that this
        reveals under half of them; anything else is ``****``."""
        if kind == "key-id" and len(self.value) >= 16 and _KEY_ID.fullmatch(self.value):
            return f"{self.value[:4]}…{self.value[-4:]}"
        return "****"  # a secret key put where the key id goes is masked as the secret it is

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
    # s3-compatible
    endpoint: str | None = None
    # gcp
    service_account: str | None = None
    credentials: Document | None = None  # the key file: shape checked (HG612), never printed
    credentials_ref: str | None = None
    bucket_iam_policy: Document | None = None
    project_iam_policy: Document | None = None
    uniform_bucket_level_access: bool | None = None
    # azure
    account: str | None = None
    container: str | None = None
    sas: Secret | None = None
    cors: Document | None = None  # azure: Blob service CORS rules
    public_access: str | None = None  # azure, normalised: "private" | "blob" | "container"
    extra_secrets: list[str] = field(default_factory=list)  # private key (and its lines), SAS signature

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def data(self) -> dict:
        return self.doc.data

    @property
    def secrets(self) -> list[str]:
        out = [s.value for s in (self.access_key_id, self.secret_access_key, self.sas) if s is not None and s.value]
        return list(dict.fromkeys(out + list(self.extra_secrets)))

    def bucket_region(self, bucket: Bucket) -> str:
        return bucket.region or self.region or self.profile.default_region

    def iam_policy_for(self, bucket: Bucket) -> Document | None:
        """gcp: the bucket's IAM policy (its own ``iam_policy``, else the bundle's ``bucket_iam_policy``)."""
        return bucket.iam_policy if bucket.iam_policy is not None else self.bucket_iam_policy

    def uniform_access_for(self, bucket: Bucket) -> bool | None:
        """gcp: the bucket's uniform bucket-level access, None when the bundle does not say."""
        if bucket.uniform_bucket_level_access is not None:
            return bucket.uniform_bucket_level_access
        return self.uniform_bucket_level_access


# --- Azure SAS ---------------------------------------------------------------------------------------------


def sas_secrets(value: str) -> list[str]:
    """The parts of a SAS that must never be printed: the signature, raw and decoded."""
    out = []
    m = re.search(r"(?:^|[?&])sig=([^&#]*)", value)
    if m and m.group(1):
        out += [m.group(1), unquote(m.group(1))]
    return out


def key_file_secrets(data: Any) -> list[str]:
    """The secrets of a credentials file: a service account key's private key, whole and line by line (a
    JSON rendering escapes the line breaks, so the whole value would not match there), and the client secret
    and refresh token of a user credential given by mistake."""
    if not isinstance(data, dict):
        return []
    out = [v for k in ("client_secret", "refresh_token") if isinstance(v := data.get(k), str) and v]
    key = data.get("private_key")
    if isinstance(key, str) and key:
        out.append(key)
        out += [line for line in re.split(r"\\n|\n", key) if len(line) >= 8 and "-----" not in line]
    return out


_PUBLIC_ACCESS = {"private": "private", "off": "private", "none": "private", "blob": "blob", "container": "container"}


def _resolve_env(value: str, pointer: str, missing: list[str], env_values: list[str] | None = None) -> str:
    """``${env:NAME}`` replaced by its value; each unset variable is added to ``missing`` (the caller
    reports them all in one message) and replaced by nothing."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in os.environ:
            missing.append(f"{pointer}: environment variable {name} is not set")
            return ""
        value = os.environ[name]
        redact.register(value)  # a value from the environment is a secret wherever it is used
        if env_values is not None:
            env_values.append(value)
        return value

    return _ENV.sub(sub, value)


# References stay inside the bundle's directory tree unless the CLI's --allow-outside-refs says otherwise
# (``set_allow_outside_refs``); ``bundle_from_document(..., allow_outside_refs=...)`` decides per call.
_ALLOW_OUTSIDE: ContextVar[bool] = ContextVar("hubgate_allow_outside_refs", default=False)


def set_allow_outside_refs(allow: bool) -> None:
    _ALLOW_OUTSIDE.set(bool(allow))


def _check_inside(bundle_doc: Document, key_tokens: tuple, value: str, base_dir: Path, allow: bool) -> None:
    """Refuse an absolute reference, or one that leads (through ``..`` or a symlink) out of ``base_dir``."""
    if allow:
        return
    where = bundle_doc.pointer(*key_tokens)
    if os.path.isabs(value) or Path(value).drive:
        raise InputError(bundle_doc.file, f"{where}: absolute reference {value!r} refused: references must stay "
                                          "inside the bundle's directory (--allow-outside-refs to allow)")
    root = os.path.realpath(base_dir)
    target = os.path.realpath(os.path.join(base_dir, value))
    if os.path.commonpath([root, target]) != root:
        raise InputError(bundle_doc.file, f"{where}: reference {value!r} leads outside the bundle's directory: "
                                          "references must stay inside it (--allow-outside-refs to allow)")


def _sub_document(bundle_doc: Document, key_tokens: tuple, value: Any, base_dir: Path | None,
                  allow_outside: bool = False) -> tuple[Document, str | None]:
    """A referenced file (path relative to the bundle, inside its directory tree) or an inline document."""
    if isinstance(value, str):
        if base_dir is None:
            raise InputError(bundle_doc.file, f"{bundle_doc.pointer(*key_tokens)}: file references need a bundle file")
        _check_inside(bundle_doc, key_tokens, value, base_dir, allow_outside)
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


#: The bundle's fields taken from the record as written (an absent field: None).
_AS_WRITTEN = ("access_type", "region", "role_arn", "endpoint", "service_account", "uniform_bucket_level_access",
               "account", "container")


def bundle_from_document(doc: Document, base_dir: Path | None, allow_outside_refs: bool | None = None) -> Bundle:
    allow = _ALLOW_OUTSIDE.get() if allow_outside_refs is None else allow_outside_refs
    data = doc.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise InputError(doc.file, f"a bundle must be a mapping of fields, got {kind}")
    validate("bundle", doc, "bundle")
    if isinstance(data.get("profile"), str) and base_dir is not None and data["profile"] not in BUILTIN_PROFILES:
        _check_inside(doc, ("profile",), data["profile"], base_dir, allow)
    if isinstance(data.get("manifest"), str) and base_dir is not None:  # read later, by the manifest rules
        _check_inside(doc, ("manifest",), data["manifest"], base_dir, allow)
    profile = load_profile(data.get("profile"), base_dir, doc.file)

    def doc_field(key: str) -> Policy | None:
        if key not in data:
            return None
        sub, _ = _sub_document(doc, (key,), data[key], base_dir, allow)
        return load_policy(sub)

    env_values: list[str] = []  # every ${env:NAME} value: secrets wherever they are used
    missing_env: list[str] = []  # every unset ${env:NAME}, reported together once all are resolved

    def secret(key: str) -> Secret | None:
        if key not in data:
            return None
        ptr = doc.pointer(key)
        value = _resolve_env(str(data[key]), ptr, missing_env, env_values)
        redact.register(value)
        return Secret(value, ptr)

    def sub(key: str, schema: str | None = None, what: str = "") -> tuple[Document | None, str | None]:
        if key not in data:
            return None, None
        d, ref = _sub_document(doc, (key,), data[key], base_dir, allow)
        if schema:
            validate(schema, d, what)
        return d, ref

    provider = data["provider"]
    buckets = []
    for i, b in enumerate(data.get("buckets") or []):
        bucket = Bucket(name=b["name"], region=b.get("region"), pointer=doc.pointer("buckets", i),
                        uniform_bucket_level_access=b.get("uniform_bucket_level_access"))
        if "cors" in b:
            bucket.cors, bucket.cors_ref = _sub_document(doc, ("buckets", i, "cors"), b["cors"], base_dir, allow)
            if provider == "gcp":
                bucket.cors_form = _gcs_cors_form(bucket.cors)
            else:
                validate("cors", bucket.cors, "S3 CORS configuration")
        if "iam_policy" in b:
            bucket.iam_policy, _ = _sub_document(doc, ("buckets", i, "iam_policy"), b["iam_policy"], base_dir, allow)
            validate("gcp-iam-policy", bucket.iam_policy, "GCP IAM policy")
        buckets.append(bucket)

    extra_secrets: list[str] = []
    credentials, credentials_ref = sub("credentials")  # shape: HG612 (a finding, not an input error)
    if credentials is not None:
        extra_secrets += key_file_secrets(credentials.data)
    bucket_iam, _ = sub("bucket_iam_policy", "gcp-iam-policy", "GCP IAM policy")
    project_iam, _ = sub("project_iam_policy", "gcp-iam-policy", "GCP IAM policy")
    azure_cors, _ = sub("cors", "azure-blob-cors", "Azure Blob CORS configuration")
    sas = secret("sas")
    if sas is not None:
        extra_secrets += sas_secrets(sas.value)
    public = data.get("public_access")

    ext = data.get("external_id")
    external_id = None if ext is None else _resolve_env(str(ext), doc.pointer("external_id"), missing_env, env_values)
    access_key_id, secret_access_key = secret("access_key_id"), secret("secret_access_key")
    if missing_env:
        raise InputError(doc.file, "; ".join(missing_env))
    return Bundle(
        doc=doc,
        profile=profile,
        name=data["name"],
        provider=provider,
        **{key: data.get(key) for key in _AS_WRITTEN},
        external_id=external_id,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        permission_policy=doc_field("permission_policy"),
        trust_policy=doc_field("trust_policy"),
        buckets=buckets,
        manifest_ref=data.get("manifest") if isinstance(data.get("manifest"), str) else None,
        ignores=list(data.get("x-hubgate-ignore") or []),
        credentials=credentials,
        credentials_ref=credentials_ref,
        bucket_iam_policy=bucket_iam,
        project_iam_policy=project_iam,
        sas=sas,
        cors=azure_cors,
        public_access=None if public is None else _PUBLIC_ACCESS[str(public).lower()],
        extra_secrets=_registered(extra_secrets + env_values),
    )


def _registered(values: list[str]) -> list[str]:
    redact.register(*values)
    return values


def _gcs_cors_form(cors: Document) -> str:
    """"gcs" for gcloud's CORS JSON; "s3" for an S3 CORS document given for a GCS bucket (loaded, so that
    the rules can say what is wrong); anything else is not a CORS configuration (input error)."""
    if not any(True for _ in validator("gcs-cors").iter_errors(cors.data)):
        return "gcs"
    if cors.data and not any(True for _ in validator("cors").iter_errors(cors.data)):
        return "s3"
    validate("gcs-cors", cors, "GCS CORS configuration")
    return "gcs"  # pragma: no cover - validate raised


def load_bundle(path: Path, shown: str | None = None, allow_outside_refs: bool | None = None) -> Bundle:
    doc = load_file(path, shown)
    return bundle_from_document(doc, path.parent, allow_outside_refs)


def bundle_from_data(data: Any, file: str = "<inline>") -> Bundle:
    """A bundle from an in-memory mapping (rule examples, tests); documents must be inline."""
    doc = parse_text(json.dumps(data, indent=2), file)
    return bundle_from_document(doc, None)
