"""HG601-HG607: IAM of Google Cloud Storage integrations (``provider: gcp``).

Docs (Ango Hub, "Set up a storage integration with GCP" and "Importing private cloud assets"): a service
account the customer creates, whose JSON key is handed to Hub, is granted Storage Object Viewer
(``storage.objects.get``, ``storage.objects.list``) on the bucket; the bucket's CORS (gcloud's JSON form)
allows the Hub origins with GET; assets are ``https://storage.googleapis.com/<bucket>/<object>`` read
through V4 signed URLs. The role, permissions and origins come from the vendor profile.
Role data: :mod:`hubgate.gcp.roles` (its docstring cites the sources).
"""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.bundle import Bundle
from hubgate.example import (
    BUCKET,
    GCP_PROJECT,
    GCP_ROLE,
    GCP_SERVICE_ACCOUNT,
    gcp_binding,
    gcp_bundle,
    gcp_iam_policy,
    gcs_cors,
)
from hubgate.findings import Finding
from hubgate.gcp.bindings import (
    binding_condition,
    bindings,
    bucket_policies,
    is_service_account,
    member_pointer,
    sa_grants,
    service_account,
)
from hubgate.gcp.cel import condition_value
from hubgate.gcp.roles import (
    BASIC_WRITE,
    CONVENIENCE,
    PREDEFINED_ROLES,
    PUBLIC,
    grants,
    maybe_storage,
    role_permissions,
    write_permissions,
)
from hubgate.rules import ProviderRule, Target, register
from hubgate.source import join_pointer

SA = f"serviceAccount:{GCP_SERVICE_ACCOUNT}"

# --- HG601 ------------------------------------------------------------------------------------------------


@register("HG601", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCS_IAM_ROLES, ref.GCP_BASIC_ROLES))
class RoleNotReadOnly(ProviderRule):
    """Service account role grants more than read

    ## What it checks
    Every role that a bucket or project IAM policy grants Hub's service account must be read-only: no
    permission that creates, deletes, updates, restores or sets IAM policies (`roles/storage.admin`,
    `roles/storage.objectAdmin`, `roles/storage.objectUser`, `roles/storage.objectCreator`, legacy
    writer/owner roles, the basic roles `roles/owner` and `roles/editor`). Role data: a cited table of the
    predefined Cloud Storage roles and the basic roles; any other role (custom roles, other services) cannot
    be judged and is a warning.

    ## Why it matters
    The docs grant the service account Storage Object Viewer: Hub only reads. A key that can also write,
    delete or change IAM turns a leaked or misused Hub credential into a way to destroy or expose the data.
    """

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

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        sa = service_account(b)
        want = target.profile.gcp_role
        for doc, ptr, bd, where in sa_grants(b, sa):
            role = str(bd.get("role", ""))
            bad = write_permissions(role)
            role_ptr = join_pointer(ptr, "role")
            if bad is None:
                if doc is b.project_iam_policy and not maybe_storage(role):
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


@register("HG602", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCS_IAM_ROLES))
class ReadRoleMissing(ProviderRule):
    """Service account cannot read the bucket

    ## What it checks
    For each bucket, some role granted to Hub's service account (on the bucket's IAM policy, or on the project
    when `project_iam_policy` is given) must hold every profile permission (`storage.objects.get`,
    `storage.objects.list`). Bindings whose condition can never be true do not count (HG606 says why). Skipped
    when a granted role is unknown (HG601 warns) or no IAM policy is given.

    ## Why it matters
    Hub lists the bucket to import and signs URLs for objects with the key it was given. Without both
    permissions for that service account imports find nothing or every asset fails to load; granting the role
    to another member (a user, the wrong service account) does not help Hub.
    """

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

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        if (b.bucket_iam_policy is None and b.project_iam_policy is None
                and all(x.iam_policy is None for x in b.buckets)):
            return
        sa = service_account(b)
        if sa is None:
            return  # HG613
        needed = target.profile.gcp_permissions
        want = target.profile.gcp_role
        project = [(bd, "project") for _, bd in bindings(b.project_iam_policy) if any(is_service_account(m, sa) for m in bd.get("members") or ())]
        for doc, buckets, _label in bucket_policies(b) or [(None, list(b.buckets), "")]:
            own = [(bd, "bucket") for _, bd in bindings(doc) if any(is_service_account(m, sa) for m in bd.get("members") or ())]
            for bucket in buckets or [None]:
                granted = [bd for bd, _ in own + project if binding_condition(bd, bucket, b) is not False]
                roles = [str(bd.get("role", "")) for bd in granted]
                if any(role_permissions(r) is None for r in roles):
                    continue  # HG601 warns: cannot tell
                missing = [p for p in needed if not any(grants(r, p) for r in roles)]
                if not missing:
                    continue
                name = bucket.name if bucket is not None else "the bucket"
                others = [m for _, bd in bindings(doc) if str(bd.get("role")) == want
                          for m in bd.get("members") or () if not is_service_account(m, sa)]
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


@register("HG603", "error", family="gcp", references=(ref.GCS_PUBLIC,))
class PublicMember(ProviderRule):
    """Bucket IAM grants allUsers or allAuthenticatedUsers

    ## What it checks
    No binding of a bucket IAM policy (or of the project IAM policy, when given) may name `allUsers` or
    `allAuthenticatedUsers`, whatever the role. One finding per binding.

    ## Why it matters
    Hub reads private buckets through its service account and signed URLs. `allUsers` makes the objects public
    on the internet and `allAuthenticatedUsers` opens them to any Google account: the data is exposed whether
    or not Hub is configured.

    ## Fix
    Remove allUsers / allAuthenticatedUsers from the binding (gcloud storage buckets
    remove-iam-policy-binding).
    """

    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, "allUsers"))),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding("roles/storage.legacyObjectReader", "allAuthenticatedUsers"))),
    )
    pass_examples = (gcp_bundle(),)

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        docs = [(d, label) for d, _, label in bucket_policies(b)]
        if b.project_iam_policy is not None:
            docs.append((b.project_iam_policy, "the project IAM policy"))
        for doc, where in docs:
            for ptr, bd in bindings(doc):
                public = [m for m in bd.get("members") or () if m in PUBLIC]
                if not public:
                    continue
                yield self.finding(
                    doc, member_pointer(ptr, bd, lambda m: m in PUBLIC),
                    f"{where[:1].upper() + where[1:]} grants {bd.get('role')!r} to {' and '.join(public)}: "
                    f"{'anyone on the internet' if 'allUsers' in public else 'any Google account'} can use it",
                    fix=f"Remove {' and '.join(public)} from the {bd.get('role')} binding",
                )


# --- HG604 ------------------------------------------------------------------------------------------------


@register("HG604", "warning", family="gcp", references=(ref.ANGO_GCP, ref.GCS_IAM_ROLES))
class ReadRoleSharedWithOthers(ProviderRule):
    """Hub's role also granted to other members

    ## What it checks
    The binding of the profile role (`roles/storage.objectViewer`) in a bucket IAM policy should name only
    Hub's service account. Other users, groups, domains or service accounts in it are findings (one per
    binding); the project convenience members (`projectViewer:` ...) and public members (HG603) are not.

    ## Why it matters
    The docs create a service account for Hub alone. Members sharing Hub's binding read the same data and are
    removed or audited together with Hub's access, which is how a grant outlives its purpose.

    ## Fix
    Keep only Hub's service account in this binding; grant other readers in their own binding if needed.
    """

    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA, "user:alice@example.com"))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA),
                                                    gcp_binding("roles/storage.objectViewer", "group:team@example.com",
                                                                condition='request.time < timestamp("2099-01-01T00:00:00Z")'))),
    )

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        sa = service_account(b)
        want = target.profile.gcp_role
        for doc, _, label in bucket_policies(b):
            for ptr, bd in bindings(doc):
                members = bd.get("members") or ()
                if str(bd.get("role")) != want or not any(is_service_account(m, sa) for m in members):
                    continue

                def other(m: str) -> bool:
                    return not is_service_account(m, sa) and m not in PUBLIC and not m.startswith(CONVENIENCE)

                extra = [m for m in members if other(m)]
                if not extra:
                    continue
                yield self.finding(
                    doc, member_pointer(ptr, bd, other),
                    f"The {want} binding in {label} that grants Hub's service account also grants "
                    f"{', '.join(extra)}",
                    fix=f"Remove {', '.join(extra)} from this binding (give them a binding of their own if they need access)",
                )


# --- HG605 ------------------------------------------------------------------------------------------------


@register("HG605", "warning", family="gcp", references=(ref.GCP_RESOURCE_HIERARCHY, ref.GCS_IAM_ROLES))
class ProjectLevelGrant(ProviderRule):
    """Service account granted on the project, not the bucket

    ## What it checks
    When `project_iam_policy` is given, no binding in it may grant Hub's service account a role with storage
    permissions (a Cloud Storage role or a basic role): a project grant reaches every bucket of the project.

    ## Why it matters
    The docs grant the role on the bucket Hub imports from. Granted on the project, the same key reads every
    bucket, including ones never meant for labeling.

    ## Fix
    Remove the project binding and grant the role on each bucket instead.
    """

    fail_examples = (
        gcp_bundle(bucket_iam_policy=gcp_iam_policy(gcp_binding("roles/storage.legacyBucketReader", f"projectViewer:{GCP_PROJECT}")),
                   project_iam_policy=gcp_iam_policy(gcp_binding(GCP_ROLE, SA))),
    )
    pass_examples = (
        gcp_bundle(),
        gcp_bundle(project_iam_policy=gcp_iam_policy(gcp_binding("roles/logging.viewer", SA),
                                                     gcp_binding("roles/storage.admin", "user:owner@example.com"))),
    )

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        if b.project_iam_policy is None:
            return
        sa = service_account(b)
        doc = b.project_iam_policy
        for ptr, bd in bindings(doc):
            if not any(is_service_account(m, sa) for m in bd.get("members") or ()):
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


@register("HG606", "error", family="gcp", references=(ref.GCP_CONDITIONS,))
class TrivialCondition(ProviderRule):
    """IAM condition never (or always) true

    ## What it checks
    The condition of a binding that grants Hub's service account is evaluated for Hub's reads of the bundle's
    buckets (a CEL subset: literals, `!`, `&&`, `||`, `request.time` against `timestamp(...)`,
    `resource.name.startsWith(...)`). Never true (an expiry in the past, a prefix of another bucket, `false`)
    is an error; always true (`true`, a start time already passed) is a warning: the condition restricts
    nothing.

    ## Why it matters
    A condition that can never hold silently removes Hub's access while the binding looks right; one that
    always holds looks like a restriction (an expiry, a prefix) that is not there.

    ## Fix
    Correct the condition's expression (the timestamp or the bucket in resource.name), or remove it.
    """

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

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        sa = service_account(b)
        scopes = {id(d): bs for d, bs, _ in bucket_policies(b)}
        for doc, ptr, bd, where in sa_grants(b, sa):
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


@register("HG607", "warning", family="gcp", references=(ref.GCS_UNIFORM,))
class UniformAccessOff(ProviderRule):
    """Uniform bucket-level access is off

    ## What it checks
    When the bundle states it (`uniform_bucket_level_access`, on the bundle or a bucket), uniform bucket-level
    access must be on. Unknown (not stated) is not a finding.

    ## Why it matters
    With fine-grained access, object ACLs grant access besides IAM: a single object made public-read, or
    readable by another account, is invisible in the IAM policy this check reviews. IAM conditions also need
    uniform access.

    ## Fix
    gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access
    """

    fail_examples = (gcp_bundle(uniform_bucket_level_access=False),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(), "uniform_bucket_level_access": False}]))
    pass_examples = (gcp_bundle(), gcp_bundle(uniform_bucket_level_access=None))

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
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
