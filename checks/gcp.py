"""HG6xx: Google Cloud Storage integrations (``provider: gcp``).

Docs (Ango Hub, "Set up a storage integration with GCP" and "Importing private cloud assets"): a service
account the customer creates, whose JSON key is handed to Hub, is granted Storage Object Viewer
(``storage.objects.get``, ``storage.objects.list``) on the bucket; the bucket's CORS (gcloud's JSON form)
allows the Hub origins with GET; assets are ``https://storage.googleapis.com/<bucket>/<object>`` read
through V4 signed URLs. The role, permissions and origins come from the vendor profile.

Role -> permission data: no maintained offline source exists on PyPI (``google-cloud-iam`` and
``google-iam-admin-v1`` are API clients that ask the live IAM API), so ``PREDEFINED_ROLES`` below is a
small table of the predefined Cloud Storage roles and the basic roles only, with their ``storage.*``
permissions, taken from Google Cloud's reference pages:
  https://cloud.google.com/storage/docs/access-control/iam-roles
  https://cloud.google.com/iam/docs/roles-permissions/storage
  https://cloud.google.com/iam/docs/roles-overview#basic (roles/owner, roles/editor, roles/viewer)
Any other role (custom roles, other services' roles) is unknown: HG601 warns that it cannot be judged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Iterable, Iterator

from hubgate.bundle import Bucket, Bundle
from hubgate.example import (
    BUCKET, GCP_PROJECT, GCP_ROLE, GCP_SERVICE_ACCOUNT, cors, gcp_binding, gcp_bundle, gcp_iam_policy, gcp_key,
    gcs_cors,
)
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, foreign_fields, register
from hubgate.source import Document, join_pointer

SA = f"serviceAccount:{GCP_SERVICE_ACCOUNT}"

# --- role data (see the module docstring for the sources) ----------------------------------------------

_OBJECTS_ALL = ("storage.objects.create", "storage.objects.delete", "storage.objects.get", "storage.objects.getIamPolicy",
                "storage.objects.list", "storage.objects.restore", "storage.objects.setIamPolicy",
                "storage.objects.update")
_FOLDERS_ALL = ("storage.folders.create", "storage.folders.delete", "storage.folders.get", "storage.folders.list",
                "storage.folders.rename")
_MANAGED_ALL = ("storage.managedFolders.create", "storage.managedFolders.delete", "storage.managedFolders.get",
                "storage.managedFolders.getIamPolicy", "storage.managedFolders.list",
                "storage.managedFolders.setIamPolicy")
_MULTIPART_ALL = ("storage.multipartUploads.abort", "storage.multipartUploads.create", "storage.multipartUploads.list",
                  "storage.multipartUploads.listParts")
_BUCKETS_ALL = ("storage.buckets.create", "storage.buckets.delete", "storage.buckets.get",
                "storage.buckets.getIamPolicy", "storage.buckets.list", "storage.buckets.setIamPolicy",
                "storage.buckets.update")

PREDEFINED_ROLES: dict[str, tuple[str, ...]] = {
    "roles/storage.objectViewer": ("storage.folders.get", "storage.folders.list", "storage.managedFolders.get",
                                   "storage.managedFolders.list", "storage.objects.get", "storage.objects.list"),
    "roles/storage.objectCreator": ("storage.folders.create", "storage.managedFolders.create", "storage.objects.create",
                                    "storage.multipartUploads.abort", "storage.multipartUploads.create",
                                    "storage.multipartUploads.listParts"),
    "roles/storage.objectUser": _FOLDERS_ALL + _MULTIPART_ALL + (
        "storage.managedFolders.create", "storage.managedFolders.delete", "storage.managedFolders.get",
        "storage.managedFolders.list", "storage.objects.create", "storage.objects.delete", "storage.objects.get",
        "storage.objects.list", "storage.objects.restore", "storage.objects.update"),
    "roles/storage.objectAdmin": _OBJECTS_ALL + _FOLDERS_ALL + _MANAGED_ALL + _MULTIPART_ALL,
    "roles/storage.folderAdmin": _OBJECTS_ALL + _FOLDERS_ALL + _MANAGED_ALL + _MULTIPART_ALL,
    "roles/storage.admin": _BUCKETS_ALL + _OBJECTS_ALL + _FOLDERS_ALL + _MANAGED_ALL + _MULTIPART_ALL,
    "roles/storage.bucketViewer": ("storage.buckets.get", "storage.buckets.list"),
    "roles/storage.legacyBucketReader": ("storage.buckets.get", "storage.objects.list"),
    "roles/storage.legacyBucketWriter": ("storage.buckets.get", "storage.objects.create", "storage.objects.delete",
                                         "storage.objects.list", "storage.objects.restore") + _MULTIPART_ALL,
    "roles/storage.legacyBucketOwner": ("storage.buckets.get", "storage.buckets.getIamPolicy",
                                        "storage.buckets.setIamPolicy", "storage.buckets.update",
                                        "storage.objects.create", "storage.objects.delete", "storage.objects.list",
                                        "storage.objects.restore") + _MULTIPART_ALL,
    "roles/storage.legacyObjectReader": ("storage.objects.get",),
    "roles/storage.legacyObjectOwner": ("storage.objects.get", "storage.objects.getIamPolicy",
                                        "storage.objects.setIamPolicy", "storage.objects.update"),
    "roles/storage.hmacKeyAdmin": ("storage.hmacKeys.create", "storage.hmacKeys.delete", "storage.hmacKeys.get",
                                   "storage.hmacKeys.list", "storage.hmacKeys.update"),
    "roles/storage.insightsCollectorService": ("storage.buckets.get", "storage.buckets.getObjectInsights"),
    # basic roles (project level): every storage permission for owner/editor; viewer reads metadata only
    "roles/owner": ("storage.*",),
    "roles/editor": ("storage.*",),
    "roles/viewer": ("storage.buckets.get", "storage.buckets.list"),
}
BASIC_WRITE = ("roles/owner", "roles/editor")
# A permission's last part says what it does; these verbs change data, metadata or access.
_WRITE_VERB = re.compile(
    r"\*|(create|delete|update|setIamPolicy|restore|abort|rename|move|relocate|enable|disable|pause|resume|"
    r"override|bypass|set|cancel|insert|patch|undelete)[A-Za-z]*"
)
_CONVENIENCE = ("projectOwner:", "projectEditor:", "projectViewer:")  # default members of every bucket policy
PUBLIC = ("allUsers", "allAuthenticatedUsers")
_SA_EMAIL = re.compile(r"[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.-]+\.gserviceaccount\.com")


def role_permissions(role: str) -> tuple[str, ...] | None:
    """The storage permissions of a known role; None for a role hubgate has no data for."""
    return PREDEFINED_ROLES.get(role)


def _maybe_storage(role: str) -> bool:
    """Roles that may hold storage permissions hubgate has no data for: custom roles and Cloud Storage roles
    missing from the table (other services' predefined roles on a project are not judged)."""
    return role.startswith(("roles/storage.", "projects/", "organizations/"))


def write_permissions(role: str) -> tuple[str, ...] | None:
    perms = role_permissions(role)
    if perms is None:
        return None
    return tuple(p for p in perms if _WRITE_VERB.fullmatch(p.rsplit(".", 1)[-1]))


def grants(role: str, permission: str) -> bool | None:
    perms = role_permissions(role)
    if perms is None:
        return None
    return any(p == permission or (p.endswith("*") and permission.startswith(p[:-1])) for p in perms)


# --- bundle helpers ------------------------------------------------------------------------------------


def _gcp(target: Target) -> Bundle | None:
    b = target.bundle
    return b if b is not None and b.provider == "gcp" else None


def service_account(b: Bundle) -> str | None:
    """The service account Hub uses: the bundle's ``service_account``, else the key file's ``client_email``."""
    if b.service_account:
        return b.service_account.strip()
    data = b.credentials.data if b.credentials is not None else None
    if isinstance(data, dict) and isinstance(data.get("client_email"), str):
        return data["client_email"].strip()
    return None


def _is_sa(member: str, sa: str | None) -> bool:
    return sa is not None and member.strip().lower() == f"serviceaccount:{sa.lower()}"


def bindings(doc: Document | None) -> list[tuple[str, dict]]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    return [(doc.pointer("bindings", i), bd) for i, bd in enumerate(doc.data.get("bindings") or ())
            if isinstance(bd, dict)]


def _policies(b: Bundle) -> list[tuple[Document, list[Bucket], str]]:
    """Each distinct bucket IAM policy with the buckets it belongs to and a label for messages."""
    out: list[tuple[Document, list[Bucket], str]] = []
    for bucket in b.buckets:
        doc = b.iam_policy_for(bucket)
        if doc is None:
            continue
        for entry in out:
            if entry[0] is doc:
                entry[1].append(bucket)
                break
        else:
            out.append((doc, [bucket], ""))
    if not out and b.bucket_iam_policy is not None:
        out.append((b.bucket_iam_policy, [], ""))
    return [(d, bs, _label(bs)) for d, bs, _ in out]


def _label(buckets: list[Bucket]) -> str:
    if not buckets:
        return "the bucket IAM policy"
    names = ", ".join(repr(x.name) for x in buckets)
    return f"the IAM policy of bucket{'s' if len(buckets) > 1 else ''} {names}"


def _sa_grants(b: Bundle, sa: str | None, include_project: bool = True) -> Iterator[tuple[Document, str, dict, str]]:
    """(document, binding pointer, binding, where) for every binding that names Hub's service account."""
    if sa is None:
        return
    for doc, _, label in _policies(b):
        for ptr, bd in bindings(doc):
            if any(_is_sa(m, sa) for m in bd.get("members") or ()):
                yield doc, ptr, bd, label
    if include_project and b.project_iam_policy is not None:
        for ptr, bd in bindings(b.project_iam_policy):
            if any(_is_sa(m, sa) for m in bd.get("members") or ()):
                yield b.project_iam_policy, ptr, bd, "the project IAM policy"


def _member_ptr(ptr: str, bd: dict, pred) -> str:
    for j, m in enumerate(bd.get("members") or ()):
        if pred(m):
            return join_pointer(ptr, "members", j)
    return ptr


# --- HG601 ------------------------------------------------------------------------------------------------


@register
class RoleNotReadOnly(Rule):
    id = "HG601"
    severity = "error"
    title = "Service account role grants more than read"
    family = "gcp"
    what = (
        "Every role that a bucket or project IAM policy grants Hub's service account must be read-only: no "
        "permission that creates, deletes, updates, restores or sets IAM policies (`roles/storage.admin`, "
        "`roles/storage.objectAdmin`, `roles/storage.objectUser`, `roles/storage.objectCreator`, legacy writer/owner "
        "roles, the basic roles `roles/owner` and `roles/editor`). Role data: a cited table of the predefined "
        "Cloud Storage roles and the basic roles; any other role (custom roles, other services) cannot be "
        "judged and is a warning."
    )
    why = (
        "The docs grant the service account Storage Object Viewer: Hub only reads. A key that can also write, "
        "delete or change IAM turns a leaked or misused Hub credential into a way to destroy or expose the data."
    )
    fix = f"Grant `{GCP_ROLE}` instead of the wider role."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.objectAdmin", SA))),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.admin", SA))),
        gcp_bundle(project_iam_policy=gcp_iam_policy(gcp_binding("roles/editor", SA))),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding(f"projects/{GCP_PROJECT}/roles/hubReader", SA))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding("roles/storage.objectAdmin", "user:owner@example.com"))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        sa = service_account(b)
        want = target.profile.gcp_role
        for doc, ptr, bd, where in _sa_grants(b, sa):
            role = str(bd.get("role", ""))
            bad = write_permissions(role)
            role_ptr = join_pointer(ptr, "role")
            if bad is None:
                if doc is b.project_iam_policy and not _maybe_storage(role):
                    continue  # another service's predefined role on the project: not judged
                yield self.finding(
                    doc, role_ptr,
                    f"Role {role!r} granted to {sa} in {where} is not one hubgate knows, so it cannot tell "
                    f"whether it is read-only",
                    fix=f"Grant the predefined role {want!r}, or check that {role!r} holds only "
                        f"{', '.join(target.profile.gcp_permissions)}",
                    severity="warning",
                )
                continue
            if not bad:
                continue
            if bad == ("storage.*",):
                sample = "every storage permission"
            else:
                sample = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
            basic = " (a basic role)" if role in BASIC_WRITE else ""
            yield self.finding(
                doc, role_ptr,
                f"Role {role!r}{basic} granted to {sa} in {where} is not read-only: it holds {sample}",
                fix=f"Replace {role!r} with {want!r} in this binding",
            )


# --- HG602 ------------------------------------------------------------------------------------------------


@register
class ReadRoleMissing(Rule):
    id = "HG602"
    severity = "error"
    title = "Service account cannot read the bucket"
    family = "gcp"
    what = (
        "For each bucket, some role granted to Hub's service account (on the bucket's IAM policy, or on the "
        "project when `project_iam_policy` is given) must hold every profile permission "
        "(`storage.objects.get`, `storage.objects.list`). Bindings whose condition can never be true do not "
        "count (HG606 says why). Skipped when a granted role is unknown (HG601 warns) or no IAM policy is given."
    )
    why = (
        "Hub lists the bucket to import and signs URLs for objects with the key it was given. Without both "
        "permissions for that service account imports find nothing or every asset fails to load; granting the "
        "role to another member (a user, the wrong service account) does not help Hub."
    )
    fix = f"Grant `{GCP_ROLE}` on the bucket to the service account whose key Hub has."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, "user:alice@example.com"))),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.legacyObjectReader", SA))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.legacyObjectReader", SA),
                                                    gcp_binding("roles/storage.legacyBucketReader", SA))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None or (b.bucket_iam_policy is None and b.project_iam_policy is None
                         and all(x.iam_policy is None for x in b.buckets)):
            return
        sa = service_account(b)
        if sa is None:
            return  # HG613
        needed = target.profile.gcp_permissions
        want = target.profile.gcp_role
        project = [(bd, "project") for _, bd in bindings(b.project_iam_policy) if any(_is_sa(m, sa) for m in bd.get("members") or ())]
        for doc, buckets, label in _policies(b) or [(None, list(b.buckets), "")]:
            own = [(bd, "bucket") for _, bd in bindings(doc) if any(_is_sa(m, sa) for m in bd.get("members") or ())]
            for bucket in buckets or [None]:
                granted = [bd for bd, _ in own + project if _condition_value(bd, bucket, b) is not False]
                roles = [str(bd.get("role", "")) for bd in granted]
                if any(role_permissions(r) is None for r in roles):
                    continue  # HG601 warns: cannot tell
                missing = [p for p in needed if not any(grants(r, p) for r in roles)]
                if not missing:
                    continue
                name = bucket.name if bucket is not None else "the bucket"
                others = [m for _, bd in bindings(doc) if str(bd.get("role")) == want
                          for m in bd.get("members") or () if not _is_sa(m, sa)]
                hint = f" (the role is granted to {', '.join(others)} instead)" if others else ""
                if doc is not None:
                    where_doc, ptr = doc, doc.pointer("bindings") if isinstance(doc.data, dict) and "bindings" in doc.data else doc.base
                else:
                    where_doc, ptr = b.project_iam_policy, b.project_iam_policy.base
                yield self.finding(
                    where_doc, ptr,
                    f"Service account {sa} is granted no role with {', '.join(missing)} on bucket {name!r}{hint}",
                    fix=f"gcloud storage buckets add-iam-policy-binding gs://{name if bucket else '<bucket>'} "
                        f"--member=serviceAccount:{sa} --role={want}",
                )


# --- HG603 ------------------------------------------------------------------------------------------------


@register
class PublicMember(Rule):
    id = "HG603"
    severity = "error"
    title = "Bucket IAM grants allUsers or allAuthenticatedUsers"
    family = "gcp"
    what = (
        "No binding of a bucket IAM policy (or of the project IAM policy, when given) may name `allUsers` or "
        "`allAuthenticatedUsers`, whatever the role. One finding per binding."
    )
    why = (
        "Hub reads private buckets through its service account and signed URLs. `allUsers` makes the objects "
        "public on the internet and `allAuthenticatedUsers` opens them to any Google account: the data is "
        "exposed whether or not Hub is configured."
    )
    fix = "Remove allUsers / allAuthenticatedUsers from the binding (gcloud storage buckets remove-iam-policy-binding)."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, "allUsers"))),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding("roles/storage.legacyObjectReader", "allAuthenticatedUsers"))),
    )
    pass_examples = (gcp_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        docs = [(d, label) for d, _, label in _policies(b)]
        if b.project_iam_policy is not None:
            docs.append((b.project_iam_policy, "the project IAM policy"))
        for doc, where in docs:
            for ptr, bd in bindings(doc):
                public = [m for m in bd.get("members") or () if m in PUBLIC]
                if not public:
                    continue
                yield self.finding(
                    doc, _member_ptr(ptr, bd, lambda m: m in PUBLIC),
                    f"{where[:1].upper() + where[1:]} grants {bd.get('role')!r} to {' and '.join(public)}: "
                    f"{'anyone on the internet' if 'allUsers' in public else 'any Google account'} can use it",
                    fix=f"Remove {' and '.join(public)} from the {bd.get('role')} binding",
                )


# --- HG604 ------------------------------------------------------------------------------------------------


@register
class ReadRoleSharedWithOthers(Rule):
    id = "HG604"
    severity = "warning"
    title = "Hub's role also granted to other members"
    family = "gcp"
    what = (
        "The binding of the profile role (`roles/storage.objectViewer`) in a bucket IAM policy should name only "
        "Hub's service account. Other users, groups, domains or service accounts in it are findings (one per "
        "binding); the project convenience members (`projectViewer:` ...) and public members (HG603) are not."
    )
    why = (
        "The docs create a service account for Hub alone. Members sharing Hub's binding read the same data and "
        "are removed or audited together with Hub's access, which is how a grant outlives its purpose."
    )
    fix = "Keep only Hub's service account in this binding; grant other readers in their own binding if needed."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, "user:alice@example.com"))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding("roles/storage.objectViewer", "group:team@example.com",
                                                                condition='request.time < timestamp("2099-01-01T00:00:00Z")'))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        sa = service_account(b)
        want = target.profile.gcp_role
        for doc, _, label in _policies(b):
            for ptr, bd in bindings(doc):
                members = bd.get("members") or ()
                if str(bd.get("role")) != want or not any(_is_sa(m, sa) for m in members):
                    continue

                def other(m: str) -> bool:
                    return not _is_sa(m, sa) and m not in PUBLIC and not m.startswith(_CONVENIENCE)

                extra = [m for m in members if other(m)]
                if not extra:
                    continue
                yield self.finding(
                    doc, _member_ptr(ptr, bd, other),
                    f"The {want} binding in {label} that grants Hub's service account also grants "
                    f"{', '.join(extra)}",
                    fix=f"Remove {', '.join(extra)} from this binding (give them a binding of their own if they need access)",
                )


# --- HG605 ------------------------------------------------------------------------------------------------


@register
class ProjectLevelGrant(Rule):
    id = "HG605"
    severity = "warning"
    title = "Service account granted on the project, not the bucket"
    family = "gcp"
    what = (
        "When `project_iam_policy` is given, no binding in it may grant Hub's service account a role with "
        "storage permissions (a Cloud Storage role or a basic role): a project grant reaches every bucket of "
        "the project."
    )
    why = (
        "The docs grant the role on the bucket Hub imports from. Granted on the project, the same key reads "
        "every bucket, including ones never meant for labeling."
    )
    fix = "Remove the project binding and grant the role on each bucket instead."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.legacyBucketReader", f"projectViewer:{GCP_PROJECT}")),
                   project_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(project_iam_policy=gcp_iam_policy(gcp_binding("roles/logging.viewer", SA),
                                                     gcp_binding("roles/storage.admin", "user:owner@example.com"))),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None or b.project_iam_policy is None:
            return
        sa = service_account(b)
        doc = b.project_iam_policy
        for ptr, bd in bindings(doc):
            if not any(_is_sa(m, sa) for m in bd.get("members") or ()):
                continue
            role = str(bd.get("role", ""))
            if not (role.startswith("roles/storage.") or role in PREDEFINED_ROLES):
                continue
            buckets = ", ".join(x.name for x in b.buckets) or "<bucket>"
            yield self.finding(
                doc, join_pointer(ptr, "role"),
                f"Role {role!r} is granted to {sa} on the whole project, so it applies to every bucket in it",
                fix=f"Remove the project binding and grant {target.profile.gcp_role!r} on {buckets} "
                    f"(gcloud storage buckets add-iam-policy-binding)",
            )


# --- HG606: IAM conditions ------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<num>\d+(?:\.\d+)?)|"""
                    r"""(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|,)|(?P<id>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))""")


class _Unknown(Exception):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise _Unknown
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Cel:
    """Three-valued evaluation (True, False, None = depends on the request) of the CEL subset IAM conditions
    on Cloud Storage use: literals, !, &&, ||, ==/!=/</>, ``request.time`` against ``timestamp("...")``,
    ``resource.name`` with ``startsWith``/``==``, ``resource.service``. Anything else is None."""

    def __init__(self, expr: str, buckets: list[str], project: bool = False):
        self.toks = _tokens(expr)
        self.i = 0
        self.buckets = buckets
        self.project = project  # on a project policy, a resource.name test that holds for Hub's buckets still excludes others

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        t = self.peek()
        if t is None or (value is not None and t[1] != value):
            raise _Unknown
        self.i += 1
        return t

    def run(self) -> bool | None:
        v = self.or_()
        if self.peek() is not None:
            raise _Unknown
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            w = self.and_()
            v = True if (v is True or w is True) else (False if (v is False and w is False) else None)
        return v

    def and_(self):
        v = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            w = self.unary()
            v = False if (v is False or w is False) else (True if (v is True and w is True) else None)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            v = self.unary()
            return None if v is None else not v
        return self.comparison()

    def comparison(self):
        left = self.operand()
        t = self.peek()
        if t is not None and t[0] == "op" and t[1] in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.operand()
            return self.compare(left, t[1], right)
        if isinstance(left, bool) or left is None:
            return left
        if isinstance(left, tuple) and left[0] == "bool":
            return left[1]
        return None

    def operand(self):
        t = self.take()
        kind, text = t
        if text == "(":
            v = self.or_()
            self.take(")")
            return ("bool", v)
        if kind == "str":
            return ("str", bytes(text[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "num":
            return ("num", float(text))
        if kind == "id":
            if text in ("true", "false"):
                return ("bool", text == "true")
            if self.peek() == ("op", "("):  # a call: timestamp("...") or x.startsWith("...")
                self.take("(")
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.operand())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take(")")
                return self.call(text, args)
            return ("var", text)
        raise _Unknown

    def call(self, name: str, args: list):
        if name == "timestamp" and len(args) == 1 and args[0][0] == "str":
            try:
                return ("time", dt.datetime.fromisoformat(args[0][1].replace("Z", "+00:00")))
            except ValueError:
                return ("unknown", None)
        if name == "resource.name.startsWith" and len(args) == 1 and args[0][0] == "str":
            return ("bool", self._starts(args[0][1]))
        return ("unknown", None)

    def _starts(self, prefix: str) -> bool | None:
        results = []
        for bucket in self.buckets:
            res = f"projects/_/buckets/{bucket}"
            on_bucket = res.startswith(prefix)  # storage.objects.list is checked on the bucket
            obj = f"{res}/objects/"
            on_objects = True if obj.startswith(prefix) else (None if prefix.startswith(obj) else False)
            results.append(True if on_bucket and on_objects is True else
                           False if not on_bucket and on_objects is False else None)
        if results and all(r is True for r in results):
            return None if self.project else True
        if results and all(r is False for r in results):
            return False
        return None

    def compare(self, left, op: str, right):
        if left[0] == "var" and right[0] == "time":
            left, right, op = right, left, {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if left[0] == "time" and right == ("var", "request.time") and left[1] is not None:
            t, now = left[1], _now()
            if t.tzinfo is None:
                t = t.replace(tzinfo=dt.timezone.utc)
            # left OP request.time: "T < request.time" holds from T on
            if op in (">", ">="):  # request.time before T: never again once T has passed
                return False if t <= now else None
            if op in ("<", "<="):  # request.time after T: always, once T has passed
                return True if t <= now else None
            return None
        if left[0] == "var" and left[1] == "resource.service" and right[0] == "str":
            same = right[1] == "storage.googleapis.com"
            return same if op == "==" else (not same if op == "!=" else None)
        if left[0] in ("str", "num", "bool") and right[0] == left[0] and op in ("==", "!="):
            return (left[1] == right[1]) == (op == "==")
        if left[0] == "num" and right[0] == "num":
            a, b_ = left[1], right[1]
            return {"<": a < b_, "<=": a <= b_, ">": a > b_, ">=": a >= b_}[op]
        return None


def condition_value(expression: str, buckets: list[str], project: bool = False) -> bool | None:
    """True when the condition always holds for Hub's reads of these buckets, False when it never does,
    None when it depends on the request (or hubgate cannot tell)."""
    try:
        return _Cel(expression, buckets, project).run()
    except (_Unknown, RecursionError, UnicodeDecodeError):
        return None


def _condition_value(bd: dict, bucket: Bucket | None, b: Bundle) -> bool | None:
    cond = bd.get("condition")
    if not isinstance(cond, dict) or not isinstance(cond.get("expression"), str):
        return True
    names = [bucket.name] if bucket is not None else [x.name for x in b.buckets]
    return condition_value(cond["expression"], names or [BUCKET])


@register
class TrivialCondition(Rule):
    id = "HG606"
    severity = "error"
    title = "IAM condition never (or always) true"
    family = "gcp"
    what = (
        "The condition of a binding that grants Hub's service account is evaluated for Hub's reads of the "
        "bundle's buckets (a CEL subset: literals, `!`, `&&`, `||`, `request.time` against `timestamp(...)`, "
        "`resource.name.startsWith(...)`). Never true (an expiry in the past, a prefix of another bucket, "
        "`false`) is an error; always true (`true`, a start time already passed) is a warning: the condition "
        "restricts nothing."
    )
    why = (
        "A condition that can never hold silently removes Hub's access while the binding looks right; one "
        "that always holds looks like a restriction (an expiry, a prefix) that is not there."
    )
    fix = "Correct the condition's expression (the timestamp or the bucket in resource.name), or remove it."
    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(
            GCP_ROLE, SA, condition='request.time < timestamp("2020-01-01T00:00:00Z")'), version=3)),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(
            GCP_ROLE, SA, condition='resource.name.startsWith("projects/_/buckets/other-bucket")'), version=3)),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, condition="true"), version=3)),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(
            GCP_ROLE, SA, condition='request.time < timestamp("2099-01-01T00:00:00Z")'), version=3)),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(
            GCP_ROLE, SA, condition=f'resource.name.startsWith("projects/_/buckets/{BUCKET}/objects/images/")'),
            version=3)),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        sa = service_account(b)
        scopes = {id(d): bs for d, bs, _ in _policies(b)}
        for doc, ptr, bd, where in _sa_grants(b, sa):
            cond = bd.get("condition")
            if not isinstance(cond, dict) or not isinstance(cond.get("expression"), str):
                continue
            names = [x.name for x in scopes.get(id(doc)) or b.buckets] or [BUCKET]
            value = condition_value(cond["expression"], names, project=doc is b.project_iam_policy)
            if value is None:
                continue
            expr = cond["expression"]
            eptr = join_pointer(ptr, "condition", "expression")
            if value is False:
                yield self.finding(
                    doc, eptr,
                    f"The condition {expr!r} on {bd.get('role')} for {sa} in {where} can never be true for Hub's "
                    f"reads of {', '.join(repr(n) for n in names)}, so the grant gives Hub nothing",
                    fix="Fix the expression (a future expiry, the bucket's own resource name "
                        f"\"projects/_/buckets/{names[0]}\") or remove the condition",
                )
            else:
                yield self.finding(
                    doc, eptr,
                    f"The condition {expr!r} on {bd.get('role')} for {sa} in {where} is always true, so it "
                    f"restricts nothing",
                    fix="Remove the condition, or write the restriction you meant (e.g. a future expiry)",
                    severity="warning",
                )


# --- HG607 ------------------------------------------------------------------------------------------------


@register
class UniformAccessOff(Rule):
    id = "HG607"
    severity = "warning"
    title = "Uniform bucket-level access is off"
    family = "gcp"
    what = (
        "When the bundle states it (`uniform_bucket_level_access`, on the bundle or a bucket), uniform "
        "bucket-level access must be on. Unknown (not stated) is not a finding."
    )
    why = (
        "With fine-grained access, object ACLs grant access besides IAM: a single object made public-read, or "
        "readable by another account, is invisible in the IAM policy this check reviews. IAM conditions also "
        "need uniform access."
    )
    fix = "gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access"
    fail_examples = (gcp_bundle(uniform_bucket_level_access=False),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(), "uniform_bucket_level_access": False}]))
    pass_examples = (gcp_bundle(), gcp_bundle(uniform_bucket_level_access=None))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        by_ptr: dict[str, list[str]] = {}
        for bucket in b.buckets:
            if b.uniform_access_for(bucket) is not False:
                continue
            ptr = (join_pointer(bucket.pointer, "uniform_bucket_level_access")
                   if bucket.uniform_bucket_level_access is not None else b.doc.pointer("uniform_bucket_level_access"))
            by_ptr.setdefault(ptr, []).append(bucket.name)
        for ptr, names in by_ptr.items():
            many = len(names) > 1
            yield self.finding(
                b.doc, ptr,
                f"Bucket{'s' if many else ''} {', '.join(repr(n) for n in names)} ha{'ve' if many else 's'} uniform "
                f"bucket-level access off, so object ACLs can grant access that the IAM policy does not show",
                fix="; ".join(f"gcloud storage buckets update gs://{n} --uniform-bucket-level-access" for n in names)
                    + " (and set uniform_bucket_level_access: true)",
            )


# --- HG608-HG611: bucket CORS (gcloud JSON) -------------------------------------------------------------


def gcs_entries(doc: Document | None) -> list[tuple[str, dict]]:
    if doc is None:
        return []
    data = doc.data
    base = doc.base
    if isinstance(data, dict):
        key = "cors" if "cors" in data else "cors_config" if "cors_config" in data else None
        if key is None:
            return []
        data, base = data[key], doc.pointer(key)
    if not isinstance(data, list):
        return []
    return [(join_pointer(base, i), e) for i, e in enumerate(data) if isinstance(e, dict)]


def _origin_ok(entry: dict, origin: str) -> bool:
    return any(o == "*" or o == origin for o in entry.get("origin") or ())


def _method_ok(entry: dict, method: str) -> bool:
    return any(m == "*" or str(m).upper() == method.upper() for m in entry.get("method") or ())


def _gcs_buckets(target: Target) -> list[Bucket]:
    b = _gcp(target)
    return b.buckets if b is not None else []


def _suggest(profile) -> str:
    return json.dumps([{"origin": list(profile.cors_origins), "method": list(profile.cors_methods),
                        "responseHeader": ["Content-Type"], "maxAgeSeconds": 3600}])


@register
class GcsNoCors(Rule):
    id = "HG608"
    severity = "error"
    title = "GCS bucket has no (usable) CORS configuration"
    family = "gcp"
    what = (
        "Each bucket of a `gcp` bundle needs a CORS configuration in gcloud's JSON form (`[{\"origin\", "
        "\"method\", \"responseHeader\", \"maxAgeSeconds\"}]`) with at least one entry. An S3 document "
        "(`CORSRules`/`AllowedOrigins`) given for a GCS bucket is a finding too: GCS does not accept it."
    )
    why = (
        "Hub's web app loads assets from the bucket in the browser; without CORS headers from GCS the browser "
        "refuses them, so assets do not display even when IAM is right."
    )
    fix = "Set the bucket's CORS with `gcloud storage buckets update gs://BUCKET --cors-file=cors.json`."
    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET}]), gcp_bundle(buckets=[{"name": BUCKET, "cors": cors()}]))
    pass_examples = (gcp_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        for bucket in _gcs_buckets(target):
            fix = (f"Write {_suggest(target.profile)} to cors.json and run gcloud storage buckets update "
                   f"gs://{bucket.name} --cors-file=cors.json")
            if bucket.cors is not None and bucket.cors_form == "s3":
                yield self.finding(
                    bucket.cors, bucket.cors.base,
                    f"The CORS configuration of GCS bucket {bucket.name!r} is in S3's form (CORSRules), which GCS "
                    f"does not accept", fix=fix,
                )
            elif bucket.cors is None or not gcs_entries(bucket.cors):
                doc = bucket.cors if bucket.cors is not None else target.bundle.doc
                ptr = bucket.cors.base if bucket.cors is not None else bucket.pointer
                state = "an empty CORS configuration" if bucket.cors is not None else "no CORS configuration"
                yield self.finding(
                    doc, ptr,
                    f"GCS bucket {bucket.name!r} has {state}, so browsers on "
                    f"{', '.join(target.profile.cors_origins)} cannot load its objects", fix=fix,
                )


@register
class GcsOriginMissing(Rule):
    id = "HG609"
    severity = "error"
    title = "Hub origin allowed by no GCS CORS entry"
    family = "gcp"
    what = (
        "Every origin of the profile (`https://hub.ango.ai`, `https://api.ango.ai`) must be in the `origin` "
        "list of some CORS entry of each GCS bucket, exactly or as `*` (GCS has no partial wildcards). One "
        "finding per missing origin."
    )
    why = "An origin Hub runs on that no entry allows gets no CORS headers, and the browser blocks the asset."
    fix = "Add the origin to the `origin` list of the entry that allows GET."
    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://hub.ango.ai")}]),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://*.ango.ai")}]))
    pass_examples = (gcp_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        for bucket in _gcs_buckets(target):
            entries = gcs_entries(bucket.cors) if bucket.cors_form == "gcs" else []
            if not entries:
                continue  # HG608
            getters = [(p, e) for p, e in entries if _method_ok(e, "GET")] or entries
            ptr0, e0 = getters[0]
            for origin in target.profile.cors_origins:
                if any(_origin_ok(e, origin) for _, e in entries):
                    continue
                yield self.finding(
                    bucket.cors, join_pointer(ptr0, "origin") if "origin" in e0 else ptr0,
                    f"No CORS entry of GCS bucket {bucket.name!r} allows origin {origin!r}",
                    fix=f"Add \"{origin}\" to the origin list of CORS entry {ptr0.rsplit('/', 1)[-1]}",
                )


@register
class GcsMethodMissing(Rule):
    id = "HG610"
    severity = "error"
    title = "GCS CORS entry for a Hub origin does not allow GET"
    family = "gcp"
    what = (
        "For each profile origin some entry allows (else HG609), an entry must allow both the origin and each "
        "profile method (`GET`, or `*`). The finding points at the first entry matching the origin."
    )
    why = "Hub's browser fetches assets with GET; an entry for Hub's origin without GET gives the GET no CORS headers."
    fix = 'Add "GET" to the method list of the entry that matches the Hub origin.'
    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(methods=("PUT",))}]),)
    pass_examples = (gcp_bundle(), gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(methods=("*",))}]))

    def check(self, target: Target) -> Iterable[Finding]:
        profile = target.profile
        for bucket in _gcs_buckets(target):
            entries = gcs_entries(bucket.cors) if bucket.cors_form == "gcs" else []
            problems: dict[tuple[str, str], list[str]] = {}
            for origin in profile.cors_origins:
                matching = [(p, e) for p, e in entries if _origin_ok(e, origin)]
                if not matching:
                    continue
                for method in profile.cors_methods:
                    if not any(_method_ok(e, method) for _, e in matching):
                        problems.setdefault((matching[0][0], method), []).append(origin)
            for (ptr, method), origins in problems.items():
                entry = next(e for p, e in entries if p == ptr)
                allowed = ", ".join(str(m) for m in entry.get("method") or ()) or "no method"
                yield self.finding(
                    bucket.cors, join_pointer(ptr, "method") if "method" in entry else ptr,
                    f"CORS entry {ptr.rsplit('/', 1)[-1]} of GCS bucket {bucket.name!r} matches "
                    f"{', '.join(repr(o) for o in origins)} but allows only {allowed}, not {method}",
                    fix=f"Add \"{method}\" to the method list of CORS entry {ptr.rsplit('/', 1)[-1]}",
                )


@register
class GcsOriginTooWide(Rule):
    id = "HG611"
    severity = "warning"
    title = "GCS CORS allows any origin or origins outside the profile"
    family = "gcp"
    what = "Every `origin` of every CORS entry of a GCS bucket should be a profile origin; `*` and other sites are findings."
    why = (
        "CORS decides which web pages may read what the bucket returns to a browser: `*` or another site lets "
        "pages that are not Hub read responses, for example from signed URLs that leak into them."
    )
    fix = "List exactly the Hub origins in the entry's origin list."
    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("*")}]),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://hub.ango.ai", "https://api.ango.ai",
                                                                            "https://example.com")}]))
    pass_examples = (gcp_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        wanted = list(target.profile.cors_origins)
        shown = ", ".join(f'"{o}"' for o in wanted)
        for bucket in _gcs_buckets(target):
            if bucket.cors_form != "gcs":
                continue
            for ptr, entry in gcs_entries(bucket.cors):
                for j, origin in enumerate(entry.get("origin") or ()):
                    if origin in wanted:
                        continue
                    idx = ptr.rsplit("/", 1)[-1]
                    if origin == "*":
                        msg = f"CORS entry {idx} of GCS bucket {bucket.name!r} allows any origin ('*')"
                        fix = f"Replace '*' with the Hub origins {shown}"
                    else:
                        msg = f"CORS entry {idx} of GCS bucket {bucket.name!r} allows origin {origin!r}, which is not a Hub origin"
                        fix = f"Remove {origin!r} from the origin list of CORS entry {idx}"
                    yield self.finding(bucket.cors, join_pointer(ptr, "origin", j), msg, fix=fix)


# --- HG612-HG613: credentials and service account ------------------------------------------------------


@lru_cache(maxsize=None)
def _key_validator():
    from hubgate.validation import validator

    return validator("gcp-service-account-key")


_KEY_TYPES = {
    "authorized_user": "a user credential (from `gcloud auth application-default login`), not a service account key",
    "external_account": "a workload identity federation configuration, not a service account key",
    "impersonated_service_account": "an impersonation configuration, not a service account key",
    "gdch_service_account": "a Distributed Cloud service identity, not a service account key",
}


@register
class KeyFile(Rule):
    id = "HG612"
    severity = "error"
    title = "Key file malformed or not a service account key"
    family = "gcp"
    what = (
        "When `credentials` is given, it must have the shape of a service account JSON key (schema "
        "`gcp-service-account-key`): `type: service_account`, `project_id`, a 40-hex `private_key_id`, a PEM "
        "`private_key`, `client_email` of a service account, `client_id`, `token_uri`; and its `client_email` "
        "must be the bundle's `service_account`. Only the shape is checked; no value of the key is ever printed."
    )
    why = (
        "Hub signs V4 URLs with the service account's private key. A user credential (`authorized_user`) has "
        "no private key and carries a person's full access; a truncated or hand-edited key fails at upload; a "
        "key of another account makes every IAM check here describe the wrong identity."
    )
    fix = "Create a key for the service account (`gcloud iam service-accounts keys create key.json --iam-account=SA`) and give that file."
    fail_examples = (
        gcp_bundle(credentials={"type": "authorized_user", "client_id": "1234.apps.googleusercontent.com",
                                "client_secret": "example-client-secret", "refresh_token": "example-refresh-token"}),
        gcp_bundle(credentials=gcp_key(private_key="not a key")),
        gcp_bundle(credentials=gcp_key(client_email=f"other@{GCP_PROJECT}.iam.gserviceaccount.com")),
    )
    pass_examples = (gcp_bundle(), gcp_bundle(credentials=None))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None or b.credentials is None:
            return
        doc = b.credentials
        data = doc.data
        fix = (f"Create a key for {b.service_account or 'the service account'} with gcloud iam service-accounts "
               f"keys create key.json --iam-account={b.service_account or 'SA_EMAIL'} and point credentials: at it")
        if not isinstance(data, dict):
            yield self.finding(doc, doc.base, "The credentials are not a JSON key object (a service account key is a JSON object)", fix=fix)
            return
        kind = data.get("type")
        if kind != target.profile.gcp_credential_type:
            what = _KEY_TYPES.get(str(kind), f"of type {kind!r}, not a service account key" if kind else "without a type, not a service account key")
            yield self.finding(doc, doc.pointer("type") if "type" in data else doc.base,
                               f"The credentials file is {what}", fix=fix)
            return
        errors = sorted(_key_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        missing = sorted({m for e in errors if e.validator == "required" for m in e.validator_value if m not in data})
        bad = sorted({str(e.absolute_path[0]) for e in errors if e.absolute_path})
        if missing:
            yield self.finding(doc, doc.base,
                               f"The service account key lacks {', '.join(missing)}", fix=fix)
        for name in bad:
            # name the field, never its value (private_key above all)
            yield self.finding(doc, doc.pointer(name),
                               f"Field {name} of the service account key is malformed (value not shown)", fix=fix)
        email = data.get("client_email")
        if isinstance(email, str) and b.service_account and email.strip().lower() != b.service_account.strip().lower():
            yield self.finding(
                doc, doc.pointer("client_email"),
                f"The key belongs to {email}, but service_account is {b.service_account}",
                fix="Give the key of the service account the bucket grants, or correct service_account",
            )


@register
class ServiceAccountField(Rule):
    id = "HG613"
    severity = "error"
    title = "service_account missing or not a service account"
    family = "gcp"
    what = (
        "A `gcp` bundle names Hub's identity in `service_account` (or through the key file's `client_email`): "
        "the e-mail of a service account, `NAME@PROJECT.iam.gserviceaccount.com` (or another "
        "`*.gserviceaccount.com` account). A person's or group's address, a `serviceAccount:` member string or "
        "a missing value are findings."
    )
    why = (
        "The docs hand Hub a service account key; every IAM rule here looks for that account in the bucket's "
        "policy. A user account cannot be given to Hub as a key, and without the account nothing can be checked."
    )
    fix = f"Set service_account to the service account's e-mail, e.g. {GCP_SERVICE_ACCOUNT}."
    fail_examples = (gcp_bundle(service_account=None, credentials=None),
                     gcp_bundle(service_account="alice@example.com"),
                     gcp_bundle(service_account=f"serviceAccount:{GCP_SERVICE_ACCOUNT}"))
    pass_examples = (gcp_bundle(), gcp_bundle(service_account=None))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        fix = f"Set service_account to the service account's e-mail, e.g. {GCP_SERVICE_ACCOUNT}"
        if b.service_account is None:
            if service_account(b) is None:
                yield self.finding(b.doc, b.doc.base,
                                   f"GCP bundle {b.name!r} names no service account (service_account, or a key file's client_email)",
                                   fix=fix)
            return
        value = b.service_account.strip()
        ptr = b.doc.pointer("service_account")
        if value.lower().startswith("serviceaccount:"):
            yield self.finding(b.doc, ptr, f"service_account {value!r} is an IAM member string, not an e-mail",
                               fix=f"Use {value.split(':', 1)[1]!r}")
        elif "@" not in value:
            yield self.finding(b.doc, ptr, f"service_account {value!r} is not an e-mail address", fix=fix)
        elif not _SA_EMAIL.fullmatch(value.lower()):
            yield self.finding(b.doc, ptr,
                               f"service_account {value!r} is not a service account (those end in .gserviceaccount.com)",
                               fix="Create a service account for Hub (gcloud iam service-accounts create) and use its e-mail")


# --- HG614 ------------------------------------------------------------------------------------------------



@register
class ForeignFieldsGcp(Rule):
    id = "HG614"
    severity = "warning"
    title = "Fields of another provider in a GCP bundle"
    family = "gcp"
    what = (
        "A `gcp` bundle should carry no AWS fields (`role_arn`, `external_id`, `trust_policy`, "
        "`permission_policy`, keys, `access_type`, `endpoint`) and no Azure fields (`account`, `container`, "
        "`sas`, `cors`, `public_access`). One finding per field."
    )
    why = (
        "Hub's GCP storage dialog takes a service account key and nothing else: such fields are not part of "
        "the integration, are not what Hub uses, and usually mean the bundle was copied from another provider."
    )
    fix = "Remove the field, or set provider to the provider it belongs to."
    fail_examples = (gcp_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnly"),)
    pass_examples = (gcp_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _gcp(target)
        if b is None:
            return
        yield from foreign_fields(self, b, "GCP")
