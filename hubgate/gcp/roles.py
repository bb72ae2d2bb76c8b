"""Cloud Storage roles and their storage permissions, for judging what a binding grants.

Role -> permission data: no maintained offline source exists on PyPI (``google-cloud-iam`` and
``google-iam-admin-v1`` are API clients that ask the live IAM API), so ``PREDEFINED_ROLES`` below is a
small table of the predefined Cloud Storage roles and the basic roles only, with their ``storage.*``
permissions, taken from Google Cloud's reference pages:
  https://cloud.google.com/storage/docs/access-control/iam-roles
  https://cloud.google.com/iam/docs/roles-permissions/storage
  https://cloud.google.com/iam/docs/roles-overview#basic (roles/owner, roles/editor, roles/viewer)
Any other role (custom roles, other services' roles) is unknown (None).
"""

from __future__ import annotations

import re

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
CONVENIENCE = ("projectOwner:", "projectEditor:", "projectViewer:")  # default members of every bucket policy
PUBLIC = ("allUsers", "allAuthenticatedUsers")


def role_permissions(role: str) -> tuple[str, ...] | None:
    """The storage permissions of a known role; None for a role hubgate has no data for."""
    return PREDEFINED_ROLES.get(role)


def maybe_storage(role: str) -> bool:
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
