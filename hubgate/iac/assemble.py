"""From the pieces found in a Terraform plan or CloudFormation template to an ordinary Bundle.

A source module (``terraform``, ``cloudformation``) finds the roles and hands over a :class:`RoleSpec`
per role: the documents as parsed values, each with the JSON pointer where it is written in the source
file. ``assemble`` builds the bundle record (the fields Hub's storage record would hold, inferred as
described in ``hubgate.iac``), normalises the policies against the *source file's* positions, and puts
the bundle's buckets and CORS documents at their resources, so every rule's finding names the plan or
template, a pointer into it, and the line of the resource (or of the JSON string holding the policy).

Values the source cannot know (computed attributes, unresolvable intrinsics, policies not in the file)
are listed in the record's ``x-hubgate-iac.unresolved``; rule HG801 reports each as ``info``. Nothing
unresolved is taken as satisfying a rule: unknown documents are left out (their rules fire, e.g. HG102
for a role without any readable permission policy) and unknown strings stay visibly unresolved.
"""

from __future__ import annotations

import fnmatch
import re
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bundle import Bundle, bundle_from_document
from ..errors import InputError
from ..iam.arn import ArnError, parse_arn
from ..iam.evaluate import principal_in
from ..iam.policy import Policy, normalise
from ..profile import Profile, load_profile
from ..source import Document, join_pointer
from ..validation import validate
from .options import IacOptions

PLACEHOLDER_ACCOUNT = "000000000000"
IAC_KEY = "x-hubgate-iac"


@dataclass
class PolicySource:
    """One IAM policy document written in the source: its value and where it is."""

    data: Any
    base: str  # pointer of the document (or of the JSON string holding it) in the source file
    label: str  # e.g. "aws_iam_policy.read" or "ReadPolicy"


@dataclass
class BucketSpec:
    name: str
    pointer: str  # the bucket's resource
    name_pointer: str  # where its name is written (or the resource)
    label: str
    region: str | None = None
    region_pointer: str | None = None
    cors: dict | None = None  # S3 API form: {"CORSRules": [...]}
    cors_base: str | None = None  # pointer of the CORS configuration in the source
    cors_map: dict[str, str] = field(default_factory=dict)  # pointer in `cors` (absolute) -> source pointer


@dataclass
class Unresolved:
    pointer: str
    message: str


@dataclass
class RoleSpec:
    source: str  # "terraform" | "cloudformation"
    label: str  # resource address or logical id
    pointer: str  # the role's resource in the source
    name: str
    name_pointer: str
    role_arn: str
    arn_pointer: str
    trust: PolicySource | None
    permissions: list[PolicySource]
    buckets: list[BucketSpec]  # every bucket the source defines; assemble picks the role's
    region: str | None = None
    region_pointer: str | None = None
    unresolved: list[Unresolved] = field(default_factory=list)


def _statements(data: Any) -> list:
    stmts = data.get("Statement") if isinstance(data, dict) else None
    stmts = [stmts] if isinstance(stmts, dict) else stmts if isinstance(stmts, list) else []
    return [st for st in stmts if isinstance(st, dict)]


def _vendor_named(data: Any, profile: Profile) -> bool:
    """For a trust document the policy grammar refuses: does an Allow statement's Principal name the vendor
    (its user, account id or root, ``*``; scalars compared as text), or a statement's Condition the
    external-ID key? Then the role is the integration's, and assembling it reports what is malformed."""
    principal = profile.trusted_principal
    names = {principal, "*"}
    try:
        arn = parse_arn(principal)
        names |= {arn.account, f"arn:{arn.partition}:iam::{arn.account}:root"} if arn.account else set()
    except ArnError:
        pass
    key = profile.external_id_key.lower()
    for st in _statements(data):
        cond = st.get("Condition")
        if isinstance(cond, dict) and any(isinstance(block, dict) and any(str(k).lower() == key for k in block)
                                          for block in cond.values()):
            return True
        if st.get("Effect") != "Allow":
            continue
        p = st.get("Principal")
        values = [p] if not isinstance(p, dict) else [
            x for v in p.values() for x in (v if isinstance(v, list) else [v])]
        if any(not isinstance(v, (dict, list)) and str(v) in names for v in values):
            return True
    return False


def vendor_could_assume(data: Any, profile: Profile) -> bool:
    """Could this trust document (raw value) be an integration's, a role the vendor could assume? When an
    Allow statement's principal takes in the profile's principal (the vendor's user itself, its account id
    or ``:root``, ``"*"``, ``{"AWS": "*"}``, a ``NotPrincipal`` that leaves it out), or a statement carries
    a condition on the external-ID key (``sts:ExternalId``), which only a third party is asked for."""
    try:
        policy = normalise(Document("<trust policy>", data))
    except InputError:
        return _vendor_named(data, profile)
    key = profile.external_id_key.lower()
    for s in policy.statements:
        if any(c.key_lower == key for c in s.conditions):
            return True
        if s.allow and (s.principals is not None or s.not_principals is not None) \
                and principal_in(s, profile.trusted_principal):
            return True
    return False


class RoleChoice:
    """Which roles of a plan or template become bundles: those ``options.roles`` names or, when it names none,
    every role the vendor could assume. The source module lists each role it finds (``found``), adds the spec
    of each it keeps, and takes the bundles; a source that keeps none is refused, its roles named."""

    def __init__(self, doc: Document, kind: str, options: IacOptions):
        self.doc = doc
        self.kind = kind
        self.options = options
        self.profile = load_profile(options.profile, None, doc.file)
        self.found: list[str] = []
        self._bundles: list[Bundle] = []

    def named(self, names: tuple[str | None, ...]) -> bool:
        """Whether ``options.roles`` names a role known by any of ``names``."""
        return any(r in names for r in self.options.roles)

    def vendor_could_assume(self, trust: PolicySource | None) -> bool:
        return trust is not None and vendor_could_assume(trust.data, self.profile)

    def add(self, spec: RoleSpec) -> None:
        self._bundles.append(assemble(self.doc.file, self.doc.positions, spec, self.options))

    def bundles(self) -> list[Bundle]:
        if not self._bundles:
            raise no_role_error(self.doc.file, self.kind, self.options, self.found, self.profile.trusted_principal)
        return self._bundles


# --------------------------------------------------------------------------------------------- assembly


def _policy(file: str, positions, src: PolicySource) -> Policy:
    return normalise(Document(file, src.data, src.base, positions))


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _merge(file: str, positions, policies: list[Policy], profile: Profile) -> Policy:
    """Several permission policies as one: statements keep their own pointers; the document's data is a
    sparse tree of the source (mappings keyed by the pointer tokens) so walking it yields true pointers."""
    tree: dict = {}
    for p in policies:
        node = tree
        toks = _tokens(p.doc.base)
        for t in toks[:-1]:
            node = node.setdefault(t, {})
        node[toks[-1] if toks else ""] = p.doc.data
    worst = next((p for p in policies if p.version != profile.policy_version), policies[0])
    merged = Policy(Document(file, tree, "", positions), worst.version)
    for p in policies:
        merged.statements += p.statements
    return merged


_S3_ARN = re.compile(r"^arn:[^:]*:s3:::([^/]*)(/.*)?$")


def _policy_buckets(policy: Policy | None) -> tuple[list[tuple[str, str]], bool]:
    """Bucket names/patterns in the Allow statements' resources (with the first pointer), and whether a
    resource reaches every bucket (``*``, ``arn:aws:s3:::*``)."""
    names: dict[str, str] = {}
    every = False
    if policy is None:
        return [], False
    for s in policy.allows():
        for item in s.resources:
            if item.value == "*" or item.value.startswith("<unresolved "):
                # an unresolved resource may name any bucket: every bucket of the file is the integration's
                every = True
                continue
            m = _S3_ARN.match(item.value)
            if not m:
                continue
            bucket = m.group(1)
            if bucket in ("", "*"):
                every = True
            else:
                names.setdefault(bucket, item.pointer)
    return list(names.items()), every


def _pick_buckets(spec: RoleSpec, policy: Policy | None, file: str) -> list[BucketSpec]:
    names, every = _policy_buckets(policy)
    by_name = {b.name: b for b in spec.buckets}
    picked: dict[str, BucketSpec] = {}
    if every or policy is None or not policy.statements:
        for b in spec.buckets:
            picked.setdefault(b.name, b)
    for name, ptr in names:
        if "*" in name or "?" in name:
            for b in spec.buckets:
                if fnmatch.fnmatchcase(b.name, name.replace("[", "[[]")):
                    picked.setdefault(b.name, b)
            continue
        if name in by_name:
            picked.setdefault(name, by_name[name])
        elif name not in picked and not name.startswith("${"):
            picked[name] = BucketSpec(name=name, pointer=ptr, name_pointer=ptr, label=name)
            spec.unresolved.append(Unresolved(
                ptr,
                f"Bucket {name!r} is granted by the policy but not defined in {file}, so its CORS "
                f"configuration and region cannot be checked here (HG301 counts it as missing)",
            ))
    return list(picked.values())


def _literal_external_id(trust: Policy | None, profile: Profile) -> str | None:
    if trust is None:
        return None
    found = set()
    key = profile.external_id_key.lower()
    for s in trust.allows():  # the statements the vendor's principal can use (also through "*" or its account)
        if s.principals is None and s.not_principals is None or not principal_in(s, profile.trusted_principal):
            continue
        for c in s.conditions:
            if c.key_lower == key and c.operator == "StringEquals" and len(c.values) == 1:
                if not str(c.values[0]).startswith("<unresolved "):
                    found.add(str(c.values[0]))
    return found.pop() if len(found) == 1 else None


def assemble(file: str, positions: dict, spec: RoleSpec, options: IacOptions) -> Bundle:
    """One bundle for one role. Raises InputError for malformed policies (naming their pointer)."""
    profile = load_profile(options.profile, Path(file).parent, file)
    overrides: dict[str, tuple[int, int]] = {}
    pos = ChainMap(overrides, positions)
    src_doc = Document(file, None, "", positions)

    def at(syn: str, real: str | None) -> None:
        if real is not None:
            line, col = src_doc.position(real)
            if line is not None:
                overrides[syn] = (line, col)

    trust = _policy(file, pos, spec.trust) if spec.trust is not None else None
    perms = [_policy(file, pos, p) for p in spec.permissions]
    if not perms:
        spec.unresolved.append(Unresolved(
            spec.pointer, f"Role {spec.label!r} has no permission policy whose document is in {file}"))
        empty = Document(file, {"Version": profile.policy_version, "Statement": []}, spec.pointer, pos)
        permission = Policy(empty, profile.policy_version)
    elif len(perms) == 1:
        permission = perms[0]
    else:
        permission = _merge(file, pos, perms, profile)
    buckets = _pick_buckets(spec, permission if perms else None, file)

    external_id = options.external_id or _literal_external_id(trust, profile)
    region = options.region or spec.region
    region_ptr = spec.region_pointer
    if region is None:
        first = next((b for b in buckets if b.region), None)
        if first is not None:
            region, region_ptr = first.region, first.region_pointer

    base = spec.pointer
    record: dict[str, Any] = {
        "name": spec.name,
        "provider": "aws",
        "access_type": "iam-delegated",
        "profile": options.profile or "ango-hub",
        "role_arn": spec.role_arn,
    }
    if external_id is not None:
        record["external_id"] = external_id
    if region is not None:
        record["region"] = region
    record["permission_policy"] = permission.doc.data if len(perms) <= 1 else {"Statement": []}
    if trust is not None:
        record["trust_policy"] = trust.doc.data
    record["buckets"] = []
    for b in buckets:
        entry: dict[str, Any] = {"name": b.name}
        if b.region:
            entry["region"] = b.region
        record["buckets"].append(entry)
    ignores = []
    if external_id is None and trust is not None:
        # Hub's record holds the external ID; infrastructure code does not. When the trust policy names no
        # single literal one, HG202/HG203 report the trust policy; a missing record field is no news.
        ignores.append({
            "rule": "HG405",
            "pointer": join_pointer(base, "access_type"),
            "reason": "external_id is part of Hub's storage record, not of the infrastructure code, and the "
                      "trust policy names no single literal external ID (pass the record's external ID to "
                      "compare it)",
        })
    if ignores:
        record["x-hubgate-ignore"] = ignores
    record[IAC_KEY] = {
        "source": spec.source,
        "resource": spec.label,
        "unresolved": [{"pointer": u.pointer, "message": u.message} for u in spec.unresolved],
    }

    at(join_pointer(base, "name"), spec.name_pointer)
    at(join_pointer(base, "role_arn"), spec.arn_pointer)
    at(join_pointer(base, "external_id"), spec.trust.base if spec.trust else None)
    at(join_pointer(base, "region"), region_ptr)
    at(join_pointer(base, "trust_policy"), spec.trust.base if spec.trust else None)
    at(join_pointer(base, "permission_policy"), permission.doc.base or spec.pointer)
    for i, b in enumerate(buckets):
        at(join_pointer(base, "buckets", i), b.pointer)
        at(join_pointer(b.pointer, "name"), b.name_pointer)
        at(join_pointer(b.pointer, "region"), b.region_pointer)

    doc = Document(file, record, base, pos)
    bundle = bundle_from_document(doc, Path(file).parent)
    bundle.permission_policy = permission
    bundle.trust_policy = trust
    for bucket, b in zip(bundle.buckets, buckets, strict=False):
        bucket.pointer = b.pointer
        if b.cors is not None:
            for syn, real in b.cors_map.items():
                at(syn, real)
            bucket.cors = Document(file, b.cors, b.cors_base or b.pointer, pos)
            bucket.cors_ref = b.label
            validate("cors", bucket.cors, "S3 CORS configuration")
    return bundle


def no_role_error(file: str, kind: str, options: IacOptions, found: list[str], principal: str) -> InputError:
    if options.roles:
        names = ", ".join(options.roles)
        return InputError(file, f"{kind} has no IAM role named {names} (roles: {', '.join(found) or 'none'})")
    return InputError(
        file,
        f"{kind} has no IAM role whose trust policy allows {principal} (or its account, or any principal) "
        f"or asks for an external ID (roles: {', '.join(found) or 'none'}); name one with --role "
        f"(or HUBGATE_IAC_ROLE)",
    )
