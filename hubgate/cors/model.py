"""The CORS model: a provider's CORS document read into rules, and matching as that provider does it.

S3 (user guide, "How does Amazon S3 evaluate the CORS configuration on a bucket?"): rules are tried in
order; the first one matches whose ``AllowedOrigins`` match the request's Origin (equal, or with a single
``*`` standing for any run of characters), whose ``AllowedMethods`` hold the method and, for a preflight,
whose ``AllowedHeaders`` cover every requested header (case-insensitive, same wildcard).

GCS (gcloud's JSON: ``[{"origin", "method", "responseHeader", "maxAgeSeconds"}]``): an origin is allowed
exactly or by ``*`` (no partial wildcards); ``method`` may hold ``*``.

Azure Blob service (``corsRules`` / ``CorsRules``, camelCase or PascalCase fields, values as lists or
comma-separated strings): origins exactly, ``*``, or one ``*`` inside a pattern; methods exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..source import Document, join_pointer


def single_star(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """S3's (and Azure's) wildcard: at most one ``*``, standing for any run of characters."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    stars = pattern.count("*")
    if stars == 0:
        return pattern == value
    if stars > 1:  # S3 refuses such a configuration; it matches nothing
        return False
    pre, suf = pattern.split("*")
    return len(value) >= len(pre) + len(suf) and value.startswith(pre) and value.endswith(suf)


@dataclass(frozen=True, eq=False)
class CorsRule:
    """One rule (S3, Azure) or entry (GCS) of a CORS configuration, as its dialect reads it."""

    pointer: str
    dialect: Dialect
    origins: tuple[Any, ...] = ()  # the origins the rule allows, as the provider compares them
    methods: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    origins_key: str | None = None  # the field as written in the rule, None when absent
    methods_key: str | None = None
    # (pointer, origin as written) for each listed origin: where a finding about one origin points
    origin_entries: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def index(self) -> str:
        """The rule's position in its list, as messages name it."""
        return self.pointer.rsplit("/", 1)[-1]

    def allows_origin(self, origin: str) -> bool:
        return self.dialect.origin_matches(self, origin)

    def allows_method(self, method: str) -> bool:
        return self.dialect.method_matches(self, method)

    def allows_headers(self, headers: Sequence[str]) -> bool:
        return all(any(single_star(a, h, ignore_case=True) for a in self.headers) for h in headers)


def matching_rule(rules: Iterable[CorsRule], origin: str, method: str,
                  headers: Sequence[str] = ()) -> CorsRule | None:
    """The rule the provider uses for a request (the first match in order), or None: no CORS headers."""
    for rule in rules:
        if rule.allows_origin(origin) and rule.allows_method(method) and rule.allows_headers(headers):
            return rule
    return None


class Dialect:
    """How one provider writes and matches CORS: an adapter from its document to :class:`CorsRule`."""

    name = ""

    def rules(self, doc: Document | None) -> list[CorsRule]:  # pragma: no cover - abstract
        raise NotImplementedError

    def suggest(self, origins: Sequence[str], methods: Sequence[str]) -> str:  # pragma: no cover - abstract
        """A CORS configuration in the provider's form that allows the origins with the methods."""
        raise NotImplementedError

    def origin_matches(self, rule: CorsRule, origin: str) -> bool:
        return any(isinstance(o, str) and single_star(o, origin) for o in rule.origins)

    def method_matches(self, rule: CorsRule, method: str) -> bool:
        return method.upper() in {m.upper() for m in rule.methods}


def _listed(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


class S3Dialect(Dialect):
    """``{"CORSRules": [...]}`` or the bare list of rules."""

    name = "s3"

    def rules(self, doc: Document | None) -> list[CorsRule]:
        if doc is None:
            return []
        data = doc.data
        if isinstance(data, dict):
            raw, base = data.get("CORSRules") or [], doc.pointer("CORSRules")
        elif isinstance(data, list):
            raw, base = data, doc.base
        else:
            return []
        return [self.rule(r, join_pointer(base, i)) for i, r in enumerate(raw) if isinstance(r, dict)]

    def rule(self, r: dict, ptr: str = "") -> CorsRule:
        listed = _listed(r.get("AllowedOrigins"))
        return CorsRule(
            pointer=ptr, dialect=self,
            origins=tuple(o for o in listed if isinstance(o, str)),
            methods=tuple(str(m) for m in _listed(r.get("AllowedMethods"))),
            headers=tuple(str(h) for h in _listed(r.get("AllowedHeaders"))),
            origins_key="AllowedOrigins" if "AllowedOrigins" in r else None,
            methods_key="AllowedMethods" if "AllowedMethods" in r else None,
            origin_entries=tuple((join_pointer(ptr, "AllowedOrigins", j), o) for j, o in enumerate(listed)
                                 if isinstance(o, str)),
        )

    def suggest(self, origins: Sequence[str], methods: Sequence[str]) -> str:
        return json.dumps({"CORSRules": [{"AllowedOrigins": list(origins), "AllowedMethods": list(methods),
                                          "AllowedHeaders": ["*"]}]})


class GcsDialect(Dialect):
    """gcloud's JSON: the bare list, or ``{"cors": [...]}`` / ``{"cors_config": [...]}``."""

    name = "gcs"

    def rules(self, doc: Document | None) -> list[CorsRule]:
        if doc is None:
            return []
        data, base = doc.data, doc.base
        if isinstance(data, dict):
            key = "cors" if "cors" in data else "cors_config" if "cors_config" in data else None
            if key is None:
                return []
            data, base = data[key], doc.pointer(key)
        if not isinstance(data, list):
            return []
        return [self.rule(e, join_pointer(base, i)) for i, e in enumerate(data) if isinstance(e, dict)]

    def rule(self, e: dict, ptr: str = "") -> CorsRule:
        listed = _listed(e.get("origin"))
        return CorsRule(
            pointer=ptr, dialect=self, origins=listed,
            methods=tuple(str(m) for m in _listed(e.get("method"))),
            origins_key="origin" if "origin" in e else None,
            methods_key="method" if "method" in e else None,
            origin_entries=tuple((join_pointer(ptr, "origin", j), o) for j, o in enumerate(listed)),
        )

    def origin_matches(self, rule: CorsRule, origin: str) -> bool:
        return any(o == "*" or o == origin for o in rule.origins)

    def method_matches(self, rule: CorsRule, method: str) -> bool:
        return any(m == "*" or m.upper() == method.upper() for m in rule.methods)

    def suggest(self, origins: Sequence[str], methods: Sequence[str]) -> str:
        return json.dumps([{"origin": list(origins), "method": list(methods),
                            "responseHeader": ["Content-Type"], "maxAgeSeconds": 3600}])


class BlobDialect(Dialect):
    """Azure Blob service CORS: the rule list, ``{"corsRules": [...]}`` (or ``CorsRules``), optionally
    inside ``{"cors": ...}``."""

    name = "azure-blob"

    def rules(self, doc: Document | None) -> list[CorsRule]:
        if doc is None:
            return []
        data, base = doc.data, doc.base
        if isinstance(data, dict) and "cors" in data:
            data, base = data["cors"], doc.pointer("cors")
        if isinstance(data, dict):
            key = "corsRules" if "corsRules" in data else "CorsRules" if "CorsRules" in data else None
            if key is None:
                return []
            data, base = data[key], join_pointer(base, key)
        if not isinstance(data, list):
            return []
        return [self.rule(r, join_pointer(base, i)) for i, r in enumerate(data) if isinstance(r, dict)]

    @staticmethod
    def _field(rule: dict, name: str) -> tuple[str | None, list[str]]:
        """(key as written, values) of a rule field, camelCase or PascalCase; comma-separated strings split."""
        for key in (name, name[:1].upper() + name[1:]):
            if key in rule:
                v = rule[key]
                values = [s.strip() for s in v.split(",")] if isinstance(v, str) else [str(x).strip() for x in v or ()]
                return key, [x for x in values if x]
        return None, []

    def rule(self, r: dict, ptr: str = "") -> CorsRule:
        okey, origins = self._field(r, "allowedOrigins")
        mkey, methods = self._field(r, "allowedMethods")
        listed = isinstance(r.get(okey), list) if okey else False
        return CorsRule(
            pointer=ptr, dialect=self, origins=tuple(origins), methods=tuple(methods),
            headers=tuple(self._field(r, "allowedHeaders")[1]),
            origins_key=okey, methods_key=mkey,
            origin_entries=tuple((join_pointer(ptr, okey, j) if listed else join_pointer(ptr, okey), o)
                                 for j, o in enumerate(origins)),
        )

    def suggest(self, origins: Sequence[str], methods: Sequence[str]) -> str:
        return json.dumps({"corsRules": [{"allowedOrigins": list(origins),
                                          "allowedMethods": sorted(set(methods) | {"HEAD", "OPTIONS"}),
                                          "allowedHeaders": ["*"], "exposedHeaders": ["*"], "maxAgeInSeconds": 3600}]})


S3 = S3Dialect()
GCS = GcsDialect()
BLOB = BlobDialect()
