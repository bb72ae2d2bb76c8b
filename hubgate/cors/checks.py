"""The four shapes every provider's CORS rules share, as base classes (checkov style).

A provider's rule is one of these shapes plus a ``sites`` method (which CORS configurations a target has,
read by the provider's dialect) and the few lines that word its message and fix. The shapes hold the
judgement: whether a configuration exists, whether each profile origin is allowed, whether the provider's
own evaluation lets each profile method through, and which listed origins are not the profile's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..bundle import Bucket, Bundle
from ..findings import Finding
from ..profile import Profile
from ..rules import Rule, Target
from ..source import Document, join_pointer
from .model import CorsRule, Dialect, matching_rule


@dataclass
class CorsSite:
    """One CORS configuration under judgement: a bucket's (S3, GCS) or a storage account's Blob service's."""

    name: str  # the bucket, or the storage account, as messages name it
    doc: Document | None  # the CORS document; None when the bundle gives none
    rules: list[CorsRule]  # read by the provider's dialect; empty when absent, empty or of another form
    owner: Document  # where a missing configuration is reported
    owner_pointer: str
    bucket: Bucket | None = None
    bundle: Bundle | None = None
    form: str | None = None  # the form the document was recognised in, when the provider accepts several


class CorsCheck(Rule):
    """A rule over the CORS configurations of a target (one ``CorsSite`` each)."""

    dialect: Dialect

    def sites(self, target: Target) -> Iterable[CorsSite]:  # pragma: no cover - abstract
        raise NotImplementedError

    def suggestion(self, profile: Profile) -> str:
        """A configuration of this provider that allows the profile's origins and methods."""
        return self.dialect.suggest(profile.cors_origins, profile.cors_methods)


class NoCorsCheck(CorsCheck):
    """Each site must have a CORS configuration with at least one rule."""

    states = ("no CORS configuration", "an empty CORS configuration")  # (absent, present but empty)

    def message(self, site: CorsSite, state: str, origins: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def fix_for(self, site: CorsSite, profile: Profile) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def misfit(self, site: CorsSite) -> str | None:
        """A message when the configuration is present but in a form the provider does not accept."""
        return None

    def check(self, target: Target) -> Iterator[Finding]:
        profile = target.profile
        for site in self.sites(target):
            wrong = self.misfit(site)
            if wrong is not None:
                yield self.finding(site.doc, site.doc.base, wrong, fix=self.fix_for(site, profile))
            elif not site.rules:
                present = site.doc is not None
                yield self.finding(
                    site.doc if present else site.owner, site.doc.base if present else site.owner_pointer,
                    self.message(site, self.states[present], ", ".join(profile.cors_origins)),
                    fix=self.fix_for(site, profile),
                )


class OriginMissingCheck(CorsCheck):
    """Every profile origin must be allowed by some rule; one finding per missing origin, pointing at the
    first rule that allows GET (else the first rule)."""

    def message(self, site: CorsSite, origin: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def fix_for(self, site: CorsSite, origin: str, rule: CorsRule) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, target: Target) -> Iterator[Finding]:
        for site in self.sites(target):
            if not site.rules:
                continue  # the no-CORS rule's finding
            first = next((r for r in site.rules if r.allows_method("GET")), site.rules[0])
            ptr = join_pointer(first.pointer, first.origins_key) if first.origins_key else first.pointer
            for origin in target.profile.cors_origins:
                if any(r.allows_origin(origin) for r in site.rules):
                    continue
                yield self.finding(site.doc, ptr, self.message(site, origin), fix=self.fix_for(site, origin, first))


class MethodMissingCheck(CorsCheck):
    """For each profile origin some rule allows, the provider's evaluation must find a rule for the origin
    with each profile method (and, where the provider checks them, the profile's request headers). One
    finding per rule and method, naming the origins."""

    def request_headers(self, profile: Profile) -> tuple[str, ...]:
        """Headers the preflight asks for, where the provider's rules list allowed headers."""
        return ()

    def method_finding(self, site: CorsSite, rule: CorsRule, method: str,
                       origins: list[str]) -> tuple[str, str, str]:  # pragma: no cover - abstract
        """(pointer, message, fix) for a rule that matches the origins but not the method."""
        raise NotImplementedError

    def headers_finding(self, site: CorsSite, rule: CorsRule, method: str, origins: list[str],
                        headers: Sequence[str]) -> tuple[str, str, str]:  # pragma: no cover - abstract
        """(pointer, message, fix) for a rule that allows the method but refuses the preflight's headers."""
        raise NotImplementedError

    def check(self, target: Target) -> Iterator[Finding]:
        profile = target.profile
        headers = self.request_headers(profile)
        for site in self.sites(target):
            by_ptr = {r.pointer: r for r in site.rules}
            # (rule pointer, method, problem) -> origins, to report each rule and method once
            problems: dict[tuple[str, str, str], list[str]] = {}
            for origin in profile.cors_origins:
                matching = [r for r in site.rules if r.allows_origin(origin)]
                if not matching:
                    continue  # the missing-origin rule's finding
                for method in profile.cors_methods:
                    if matching_rule(site.rules, origin, method, headers) is not None:
                        continue
                    by_method = [r for r in matching if r.allows_method(method)]
                    if by_method:  # allowed for simple requests; the preflight's headers are refused
                        problems.setdefault((by_method[0].pointer, method, "headers"), []).append(origin)
                    else:
                        problems.setdefault((matching[0].pointer, method, "method"), []).append(origin)
            for (ptr, method, kind), origins in problems.items():
                if kind == "method":
                    where, message, fix = self.method_finding(site, by_ptr[ptr], method, origins)
                else:
                    where, message, fix = self.headers_finding(site, by_ptr[ptr], method, origins, headers)
                yield self.finding(site.doc, where, message, fix=fix)


class OriginTooWideCheck(CorsCheck):
    """Every listed origin should be a profile origin; one finding per other origin (``*``, patterns,
    other sites)."""

    def wide(self, site: CorsSite, rule: CorsRule, origin: str, wanted: list[str]) -> tuple[str, str]:
        """(message, fix) for one origin that is not the profile's."""
        raise NotImplementedError  # pragma: no cover - abstract

    def check(self, target: Target) -> Iterator[Finding]:
        wanted = list(target.profile.cors_origins)
        for site in self.sites(target):
            for rule in site.rules:
                for ptr, origin in rule.origin_entries:
                    if origin in wanted:
                        continue
                    message, fix = self.wide(site, rule, origin, wanted)
                    yield self.finding(site.doc, ptr, message, fix=fix)
