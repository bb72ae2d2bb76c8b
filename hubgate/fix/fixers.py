"""Fixers by rule id: ``finding + the file's data -> edits``, for the fixes that are mechanical and safe.

A fixer derives its edits from the finding's pointer and the document (the rule modules are not touched):
it returns the edits, or raises ``NotFixable`` with the reason a person has to decide. Rules without a
fixer (placeholders, principals, wildcards in resources, ...) are never fixed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..iam import actions as act
from ..iam.arn import s3_bucket_and_key
from ..rules import Target
from .edits import AddKey, Append, Remove, _get, _parent


class NotFixable(Exception):
    """Why the finding needs a human decision."""


@dataclass
class Context:
    finding: Finding
    data: Any  # the whole file's data
    target: Target | None = None  # the bundle or bare policy the finding came from
    findings: list[Finding] = field(default_factory=list)  # every finding of the run
    strong_record_id: Callable[[Target], str | None] = lambda t: None

    def value(self, pointer: str | None = None) -> Any:
        try:
            return _get(self.data, self.finding.pointer if pointer is None else pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            raise NotFixable(f"{pointer or self.finding.pointer} is not in the file") from None


FIXERS: dict[str, Callable[[Context], list]] = {}


def fixer(rule_id: str):
    def deco(fn):
        FIXERS[rule_id] = fn
        return fn

    return deco


def _statement_of(ptr: str) -> str:
    """The statement pointer of a pointer inside it (``.../Statement/0/Action/3`` -> ``.../Statement/0``)."""
    head, sep, tail = ptr.rpartition("/Statement")
    first = tail.split("/")[1:2]
    return head + sep + ("/" + first[0] if first and first[0].isdigit() else "")


# --- HG101: remove non-read actions -------------------------------------------------------------------------
@fixer("HG101")
def remove_write_action(ctx: Context) -> list:
    ptr = ctx.finding.pointer
    head, last = _parent(ptr)
    if not head.endswith("/Action") or not last.isdigit():
        raise NotFixable("the action is the statement's only one, or a NotAction")
    value = ctx.value()
    if act.has_wildcard(value):
        raise NotFixable(f"{value!r} is a wildcard: which read actions to keep is a human decision")
    return [Remove(ptr)]


# --- HG102: add a missing required read action ---------------------------------------------------------------
@fixer("HG102")
def add_required_action(ctx: Context) -> list:
    ptr = ctx.finding.pointer
    if ctx.target is None or not ptr.endswith("/Action"):
        raise NotFixable("no statement to add the action to")
    action = next((a for a in ctx.target.profile.required_actions if repr(a) in ctx.finding.message), None)
    info = act.lookup(action) if action else None
    if info is None:
        raise NotFixable("the required action is unknown")
    stmt = ctx.value(_statement_of(ptr))
    if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow" or "Condition" in stmt:
        raise NotFixable("the statement is conditional")
    resources = stmt.get("Resource")
    resources = [resources] if isinstance(resources, str) else resources or []
    kinds = {("bucket" if p[1] is None else "object") for r in resources if (p := s3_bucket_and_key(r))}
    if not kinds & set(info.resource_types):
        raise NotFixable(f"the statement names no {'/'.join(info.resource_types)} ARN for {action}")
    return [Append(ptr, action)]


# --- HG103: add the missing ARN of a bucket/object pair -------------------------------------------------------
def _bucket_of(value: Any) -> str | None:
    p = s3_bucket_and_key(value) if isinstance(value, str) else None
    return p[0] if p else None


@fixer("HG103")
def add_arn_pair(ctx: Context) -> list:
    ptr = ctx.finding.pointer
    value = ctx.value()
    parsed = s3_bucket_and_key(value) if isinstance(value, str) else None
    if not parsed or "*" in parsed[0] or "?" in parsed[0] or "$" in parsed[0]:
        raise NotFixable("the bucket name is a pattern")
    bucket, key = parsed
    others = set()
    for f in ctx.findings:
        if f.rule == "HG103" and f.file == ctx.finding.file and f.pointer != ptr:
            try:
                others.add(_bucket_of(_get(ctx.data, f.pointer)))
            except (KeyError, IndexError, ValueError, TypeError):
                continue
    others.discard(None)
    others.discard(bucket)
    if difflib.get_close_matches(bucket, sorted(others), n=1, cutoff=0.85):
        raise NotFixable("a bucket name looks misspelt: which spelling is right is a human decision")
    want = f"{value}/*" if key is None else value.split(":::", 1)[0] + f":::{bucket}"
    head, last = _parent(ptr)
    resource = head if last.isdigit() and head.endswith("/Resource") else ptr
    if not resource.endswith("/Resource"):
        raise NotFixable("the ARN is not in a Resource element")
    return [Append(resource, want)]


# --- HG202: the sts:ExternalId condition with the record's strong ID ---------------------------------------
@fixer("HG202")
def add_external_id(ctx: Context) -> list:
    t = ctx.target
    if t is None or t.bundle is None:
        raise NotFixable("a bare trust policy: no storage record gives the external ID")
    ext = ctx.strong_record_id(t)
    if ext is None:
        raise NotFixable("the record's external ID is missing, a placeholder, from the environment, or guessable")
    key = t.profile.external_id_key
    ptr = ctx.finding.pointer
    if ptr.endswith("/Condition"):
        cond = ctx.value()
        if not isinstance(cond, dict):
            raise NotFixable("the Condition is not a mapping")
        same = [k for k in cond if k.lower() == "stringequals"]
        if same and same != ["StringEquals"]:
            raise NotFixable("the Condition spells StringEquals in another case")
        if same:
            return [AddKey(ptr + "/StringEquals", key, ext)]
        return [AddKey(ptr, "StringEquals", ((key, ext),))]
    stmt = ctx.value()
    if not isinstance(stmt, dict) or "Condition" in stmt:
        raise NotFixable("the statement's shape is unexpected")
    return [AddKey(ptr, "Condition", (("StringEquals", ((key, ext),)),))]


# --- HG302/HG303: the Hub origin, the GET method -------------------------------------------------------------
@fixer("HG302")
def add_origin(ctx: Context) -> list:
    ptr = ctx.finding.pointer
    if ctx.target is None or not ptr.endswith("/AllowedOrigins") or not isinstance(ctx.value(), list):
        raise NotFixable("the CORS rule has no AllowedOrigins list")
    origin = next((o for o in ctx.target.profile.cors_origins if repr(o) in ctx.finding.message), None)
    if origin is None:
        raise NotFixable("the missing origin is not the profile's")
    return [Append(ptr, origin)]


@fixer("HG303")
def add_method(ctx: Context) -> list:
    ptr = ctx.finding.pointer
    if ctx.target is None or not ptr.endswith("/AllowedMethods"):
        raise NotFixable("the CORS rule's headers refuse the preflight: which headers to allow is a human decision")
    rule = ctx.value(ptr.rsplit("/", 1)[0])
    if any("*" in str(o) for o in (rule.get("AllowedOrigins") or []) if isinstance(rule, dict)):
        raise NotFixable("the CORS rule allows origins by wildcard: GET for every origin is a human decision")
    methods = ctx.value()
    if not isinstance(methods, list):
        raise NotFixable("AllowedMethods is not a list")
    missing = [m for m in ctx.target.profile.cors_methods
               if m not in methods and ctx.finding.message.endswith(f"not {m}")]
    if not missing:
        raise NotFixable("no profile method is missing")
    return [Append(ptr, m) for m in missing]
