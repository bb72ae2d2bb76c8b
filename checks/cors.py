"""HG3xx: S3 bucket CORS configurations.

Docs (Ango Hub, "Set up a storage integration with AWS S3"): "Configure CORS (Mandatory step). The CORS
header below allows Ango Hub to send a request to your cloud storage, and allows your cloud storage to
explicitly allow requests from Hub."

Evaluation follows the S3 user guide ("How does Amazon S3 evaluate the CORS configuration on a
bucket?"): the rules are tried in order and the first one matches whose ``AllowedOrigins`` match the
request's Origin (an entry equal to it, or one with S3's single ``*`` wildcard), whose ``AllowedMethods``
hold the method (or the preflight's Access-Control-Request-Method), and, for a preflight, whose
``AllowedHeaders`` cover every header in Access-Control-Request-Headers.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from hubgate.example import cors, good_bundle
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, register
from hubgate.source import Document, join_pointer

S3_PROVIDERS = ("aws", "s3-compatible")
HUB = ("https://hub.ango.ai", "https://api.ango.ai")


def cors_rules(doc: Document) -> list[tuple[str, dict]]:
    """(pointer, rule) for each rule of a CORS document ({"CORSRules": [...]} or the bare list)."""
    data = doc.data
    if isinstance(data, dict):
        rules, base = data.get("CORSRules") or [], doc.pointer("CORSRules")
    elif isinstance(data, list):
        rules, base = data, doc.base
    else:
        return []
    return [(join_pointer(base, i), r) for i, r in enumerate(rules) if isinstance(r, dict)]


def _single_star(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """S3's wildcard: at most one ``*``, standing for any run of characters."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    stars = pattern.count("*")
    if stars == 0:
        return pattern == value
    if stars > 1:  # S3 refuses such a configuration; it matches nothing
        return False
    pre, suf = pattern.split("*")
    return len(value) >= len(pre) + len(suf) and value.startswith(pre) and value.endswith(suf)


def origin_allowed(rule: dict, origin: str) -> bool:
    return any(isinstance(o, str) and _single_star(o, origin) for o in rule.get("AllowedOrigins") or ())


def method_allowed(rule: dict, method: str) -> bool:
    return method.upper() in {str(m).upper() for m in rule.get("AllowedMethods") or ()}


def headers_allowed(rule: dict, headers: Sequence[str]) -> bool:
    allowed = [str(h) for h in rule.get("AllowedHeaders") or ()]
    return all(any(_single_star(a, h, ignore_case=True) for a in allowed) for h in headers)


def matching_rule(rules: list[tuple[str, dict]], origin: str, method: str,
                  headers: Sequence[str] = ()) -> tuple[str, dict] | None:
    """The rule S3 uses for a request (first match in order), or None when S3 sends no CORS headers."""
    for ptr, rule in rules:
        if origin_allowed(rule, origin) and method_allowed(rule, method) and headers_allowed(rule, headers):
            return ptr, rule
    return None


def _bundle_buckets(target: Target):
    b = target.bundle
    if b is None or b.provider not in S3_PROVIDERS:
        return []
    return b.buckets


def _suggested(profile) -> str:
    return json.dumps({"CORSRules": [{"AllowedOrigins": list(profile.cors_origins),
                                      "AllowedMethods": list(profile.cors_methods),
                                      "AllowedHeaders": ["*"]}]})


def _request_headers(profile) -> tuple[str, ...]:
    """Headers Hub's browser requests carry (profile ``cors.headers``; none by default: simple GETs)."""
    return profile.cors_headers


@register
class NoCors(Rule):
    id = "HG301"
    severity = "error"
    title = "Bucket has no CORS configuration"
    what = (
        "Each bucket of an `aws` or `s3-compatible` bundle must have a CORS configuration (`cors:`) with at "
        "least one rule. An empty rule list counts as none."
    )
    why = (
        'The docs call CORS the "Mandatory step": Hub\'s web app loads assets straight from your bucket in '
        "the browser, and without CORS headers from the bucket the browser refuses the responses, so assets "
        "do not display even when IAM is right."
    )
    fix = "Add a CORS configuration allowing GET from the Hub origins (the fix prints one)."
    fail_examples = (good_bundle(buckets=[{"name": "my-bucket"}]), good_bundle(buckets=[{"name": "my-bucket", "cors": []}]))
    pass_examples = (good_bundle(), good_bundle(provider="gcp", buckets=[{"name": "my-bucket"}]))

    def check(self, target: Target) -> Iterable[Finding]:
        for bucket in _bundle_buckets(target):
            if bucket.cors is not None and cors_rules(bucket.cors):
                continue
            doc = bucket.cors if bucket.cors is not None else target.bundle.doc
            ptr = bucket.cors.base if bucket.cors is not None else bucket.pointer
            state = "an empty CORS configuration" if bucket.cors is not None else "no CORS configuration"
            yield self.finding(
                doc, ptr,
                f"Bucket {bucket.name!r} has {state}, so browsers on "
                f"{', '.join(target.profile.cors_origins)} cannot load its objects",
                fix=f"Set the bucket's CORS (and cors: in the bundle) to {_suggested(target.profile)}",
            )


@register
class OriginNotAllowed(Rule):
    id = "HG302"
    severity = "error"
    title = "Hub origin allowed by no CORS rule"
    what = (
        "Every origin of the profile (Ango Hub: `https://hub.ango.ai`, `https://api.ango.ai`) must be "
        "matched by the `AllowedOrigins` of some rule, exactly or through S3's single `*` wildcard (one "
        "finding per missing origin; origin matching is case-sensitive, as S3 compares it)."
    )
    why = (
        "The docs' CORS configuration \"allows your cloud storage to explicitly allow requests from Hub\". "
        "If an origin Hub runs on is in no rule, S3 answers without CORS headers and the browser blocks "
        "the asset for users of that origin."
    )
    fix = "Add the origin to the AllowedOrigins of the rule that allows GET."
    fail_examples = (good_bundle(buckets=[{"name": "my-bucket", "cors": cors("https://hub.ango.ai")}]),)
    pass_examples = (
        good_bundle(),
        good_bundle(buckets=[{"name": "my-bucket", "cors": [
            {"AllowedOrigins": ["https://hub.ango.ai"], "AllowedMethods": ["GET"]},
            {"AllowedOrigins": ["https://api.ango.ai"], "AllowedMethods": ["GET"]}]}]),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        for bucket in _bundle_buckets(target):
            if bucket.cors is None:
                continue
            rules = cors_rules(bucket.cors)
            if not rules:
                continue  # HG301
            getters = [(p, r) for p, r in rules if method_allowed(r, "GET")] or rules
            first_ptr, first_rule = getters[0]
            for origin in target.profile.cors_origins:
                if any(origin_allowed(r, origin) for _, r in rules):
                    continue
                ptr = join_pointer(first_ptr, "AllowedOrigins") if "AllowedOrigins" in first_rule else first_ptr
                yield self.finding(
                    bucket.cors, ptr,
                    f"No CORS rule of bucket {bucket.name!r} allows origin {origin!r}",
                    fix=f"Add \"{origin}\" to AllowedOrigins of CORS rule {_idx(first_ptr)}",
                )


@register
class MethodNotAllowed(Rule):
    id = "HG303"
    severity = "error"
    title = "CORS rule for a Hub origin does not allow GET"
    what = (
        "For each profile origin that some rule matches (else HG302), S3's own evaluation must find a rule "
        "for the origin with each profile method (`GET`) and, when the profile lists request headers "
        "(`cors.headers`), with those headers in `AllowedHeaders` (the preflight). The finding points at "
        "the first rule matching the origin."
    )
    why = (
        "Hub's browser fetches assets with GET (signed URLs). A rule that matches Hub's origin but only "
        "allows, say, PUT gives no CORS headers to the GET, and the browser blocks the asset."
    )
    fix = 'Add "GET" to the AllowedMethods of the rule that matches the Hub origin.'
    fail_examples = (
        good_bundle(buckets=[{"name": "my-bucket", "cors": cors(methods=("PUT", "POST"))}]),
        good_bundle(buckets=[{"name": "my-bucket", "cors": [
            {"AllowedOrigins": ["https://hub.ango.ai", "https://api.ango.ai"], "AllowedMethods": ["HEAD"]}]}]),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(buckets=[{"name": "my-bucket", "cors": [
            {"AllowedOrigins": ["https://hub.ango.ai", "https://api.ango.ai"], "AllowedMethods": ["PUT"]},
            {"AllowedOrigins": ["https://hub.ango.ai", "https://api.ango.ai"], "AllowedMethods": ["GET"]}]}]),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        profile = target.profile
        headers = _request_headers(profile)
        for bucket in _bundle_buckets(target):
            if bucket.cors is None:
                continue
            rules = cors_rules(bucket.cors)
            # (rule pointer, method, problem) -> origins, to report each rule and method once
            problems: dict[tuple[str, str, str], list[str]] = {}
            for origin in profile.cors_origins:
                matching = [(p, r) for p, r in rules if origin_allowed(r, origin)]
                if not matching:
                    continue  # HG302
                for method in profile.cors_methods:
                    if matching_rule(rules, origin, method, headers) is not None:
                        continue
                    by_method = [(p, r) for p, r in matching if method_allowed(r, method)]
                    if by_method:  # allowed for simple requests; the preflight's headers are refused
                        problems.setdefault((by_method[0][0], method, "headers"), []).append(origin)
                    else:
                        problems.setdefault((matching[0][0], method, "method"), []).append(origin)
            for (ptr, method, kind), origins in problems.items():
                rule = _rule_at(rules, ptr)
                if kind == "method":
                    methods = ", ".join(str(m) for m in rule.get("AllowedMethods") or ()) or "no method"
                    yield self.finding(
                        bucket.cors, join_pointer(ptr, "AllowedMethods"),
                        f"CORS rule {_idx(ptr)} of bucket {bucket.name!r} matches {_origins(origins)} but allows only "
                        f"{methods}, not {method}",
                        fix=f"Add \"{method}\" to AllowedMethods of CORS rule {_idx(ptr)}",
                    )
                else:
                    allowed = ", ".join(rule.get("AllowedHeaders") or ()) or "none"
                    yield self.finding(
                        bucket.cors, join_pointer(ptr, "AllowedHeaders"),
                        f"CORS rule {_idx(ptr)} of bucket {bucket.name!r} allows {method} from {_origins(origins)} but its "
                        f"AllowedHeaders ({allowed}) refuse the preflight for {', '.join(headers)}",
                        fix=f"Add {', '.join(repr(h) for h in headers)} (or \"*\") to AllowedHeaders of CORS rule {_idx(ptr)}",
                    )


def _origins(origins: list[str]) -> str:
    return ("origin " if len(origins) == 1 else "origins ") + ", ".join(repr(o) for o in origins)


def _idx(ptr: str) -> str:
    return ptr.rsplit("/", 1)[-1]


def _rule_at(rules: list[tuple[str, dict]], ptr: str) -> dict[str, Any]:
    return next(r for p, r in rules if p == ptr)


@register
class OriginTooWide(Rule):
    id = "HG304"
    severity = "warning"
    title = "CORS allows any origin or origins outside the profile"
    what = (
        "Every `AllowedOrigins` entry of every rule should be one of the profile's origins. Findings: `*`, "
        "wildcard patterns (`https://*.ango.ai` also allows hosts that are not Hub), and other origins "
        "(including `http://` variants of Hub's)."
    )
    why = (
        "CORS decides which web pages may read what your bucket returns to a signed-in browser. The docs "
        "allow Hub's origins; `*` or another site lets pages that are not Hub read responses, for example "
        "from signed URLs that leak into them."
    )
    fix = "List exactly the Hub origins in AllowedOrigins."
    fail_examples = (
        good_bundle(buckets=[{"name": "my-bucket", "cors": cors("*")}]),
        good_bundle(buckets=[{"name": "my-bucket", "cors": cors(*HUB, "https://example.com")}]),
    )
    pass_examples = (good_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        profile = target.profile
        wanted = list(profile.cors_origins)
        shown = ", ".join(f'"{o}"' for o in wanted)
        for bucket in _bundle_buckets(target):
            if bucket.cors is None:
                continue
            for ptr, rule in cors_rules(bucket.cors):
                for j, origin in enumerate(rule.get("AllowedOrigins") or ()):
                    if not isinstance(origin, str) or origin in wanted:
                        continue
                    if origin == "*":
                        msg = f"CORS rule {_idx(ptr)} of bucket {bucket.name!r} allows any origin ('*')"
                    elif "*" in origin:
                        msg = (f"CORS rule {_idx(ptr)} of bucket {bucket.name!r} allows every origin matching "
                               f"{origin!r}, not only the Hub origins")
                    else:
                        msg = f"CORS rule {_idx(ptr)} of bucket {bucket.name!r} allows origin {origin!r}, which is not a Hub origin"
                    if "*" in origin or not all(origin_allowed(rule, o) for o in wanted):
                        fix = f"Replace {origin!r} with the Hub origins {shown}"
                    else:
                        fix = f"Remove {origin!r} from AllowedOrigins of CORS rule {_idx(ptr)}"
                    yield self.finding(bucket.cors, join_pointer(ptr, "AllowedOrigins", j), msg, fix=fix)
