"""A GCP bundle's IAM policies read for Hub's service account: which policy covers which buckets, which
bindings name the account, and whether a binding's condition lets Hub's reads through."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bucket, Bundle
from ..example import BUCKET
from ..rules import Target
from ..source import Document, join_pointer
from .cel import condition_value


def gcp_of(target: Target) -> Bundle | None:
    b = target.bundle
    return b if b is not None and b.provider == "gcp" else None


def account_email(value: str) -> str:
    """The e-mail a ``service_account`` value names: written as the IAM member string
    ``serviceAccount:EMAIL`` it is still that account (HG613 reports the form, the other rules look for the
    account)."""
    value = value.strip()
    if value.lower().startswith("serviceaccount:"):
        value = value.split(":", 1)[1].strip()
    return value


def service_account(b: Bundle) -> str | None:
    """The service account Hub uses: the bundle's ``service_account`` (its e-mail, see ``account_email``), else
    the key file's ``client_email``."""
    if b.service_account and account_email(b.service_account):
        return account_email(b.service_account)
    data = b.credentials.data if b.credentials is not None else None
    if isinstance(data, dict) and isinstance(data.get("client_email"), str):
        return data["client_email"].strip()
    return None


def is_service_account(member: str, sa: str | None) -> bool:
    return sa is not None and member.strip().lower() == f"serviceaccount:{sa.lower()}"


def bindings(doc: Document | None) -> list[tuple[str, dict]]:
    if doc is None or not isinstance(doc.data, dict):
        return []
    return [(doc.pointer("bindings", i), bd) for i, bd in enumerate(doc.data.get("bindings") or ())
            if isinstance(bd, dict)]


def bucket_policies(b: Bundle) -> list[tuple[Document, list[Bucket], str]]:
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


def sa_grants(b: Bundle, sa: str | None, include_project: bool = True) -> Iterator[tuple[Document, str, dict, str]]:
    """(document, binding pointer, binding, where) for every binding that names Hub's service account."""
    if sa is None:
        return
    for doc, _, label in bucket_policies(b):
        for ptr, bd in bindings(doc):
            if any(is_service_account(m, sa) for m in bd.get("members") or ()):
                yield doc, ptr, bd, label
    if include_project and b.project_iam_policy is not None:
        for ptr, bd in bindings(b.project_iam_policy):
            if any(is_service_account(m, sa) for m in bd.get("members") or ()):
                yield b.project_iam_policy, ptr, bd, "the project IAM policy"


def member_pointer(ptr: str, bd: dict, pred) -> str:
    for j, m in enumerate(bd.get("members") or ()):
        if pred(m):
            return join_pointer(ptr, "members", j)
    return ptr



def binding_condition(bd: dict, bucket: Bucket | None, b: Bundle) -> bool | None:
    cond = bd.get("condition")
    if not isinstance(cond, dict) or not isinstance(cond.get("expression"), str):
        return True
    names = [bucket.name] if bucket is not None else [x.name for x in b.buckets]
    return condition_value(cond["expression"], names or [BUCKET])
