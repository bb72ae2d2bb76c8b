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

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.cors import S3, checks as base
from hubgate.example import cors, good_bundle
from hubgate.providers import S3_PROVIDERS
from hubgate.rules import Target, register
from hubgate.source import join_pointer

HUB = ("https://hub.ango.ai", "https://api.ango.ai")


class S3Cors:
    """The CORS configuration of each bucket of an ``aws`` or ``s3-compatible`` bundle."""

    dialect = S3

    def sites(self, target: Target) -> Iterable[base.CorsSite]:
        b = target.bundle
        if b is None or b.provider not in S3_PROVIDERS:
            return
        for bucket in b.buckets:
            yield base.CorsSite(bucket.name, bucket.cors, S3.rules(bucket.cors), b.doc, bucket.pointer, bucket=bucket)


def _origins(origins: list[str]) -> str:
    return ("origin " if len(origins) == 1 else "origins ") + ", ".join(repr(o) for o in origins)


@register("HG301", "error", references=(ref.ANGO_AWS, ref.S3_CORS, ref.S3_CORS_CONFIG))
class NoCors(S3Cors, base.NoCorsCheck):
    """Bucket has no CORS configuration

    ## What it checks
    Each bucket of an `aws` or `s3-compatible` bundle must have a CORS configuration (`cors:`) with at least
    one rule. An empty rule list counts as none.

    ## Why it matters
    The docs call CORS the "Mandatory step": Hub's web app loads assets straight from your bucket in the
    browser, and without CORS headers from the bucket the browser refuses the responses, so assets do not
    display even when IAM is right.

    ## Fix
    Add a CORS configuration allowing GET from the Hub origins (the fix prints one).
    """

    fail_examples = (good_bundle(buckets=[{"name": "my-bucket"}]), good_bundle(buckets=[{"name": "my-bucket", "cors": []}]))
    pass_examples = (good_bundle(), good_bundle(provider="gcp", buckets=[{"name": "my-bucket"}]))

    def message(self, site: base.CorsSite, state: str, origins: str) -> str:
        return f"Bucket {site.name!r} has {state}, so browsers on {origins} cannot load its objects"

    def fix_for(self, site: base.CorsSite, profile) -> str:
        return f"Set the bucket's CORS (and cors: in the bundle) to {self.suggestion(profile)}"


@register("HG302", "error", references=(ref.ANGO_AWS, ref.S3_CORS, ref.S3_CORS_CONFIG))
class OriginNotAllowed(S3Cors, base.OriginMissingCheck):
    """Hub origin allowed by no CORS rule

    ## What it checks
    Every origin of the profile (Ango Hub: `https://hub.ango.ai`, `https://api.ango.ai`) must be matched by
    the `AllowedOrigins` of some rule, exactly or through S3's single `*` wildcard (one finding per missing
    origin; origin matching is case-sensitive, as S3 compares it).

    ## Why it matters
    The docs' CORS configuration "allows your cloud storage to explicitly allow requests from Hub". If an
    origin Hub runs on is in no rule, S3 answers without CORS headers and the browser blocks the asset for
    users of that origin.

    ## Fix
    Add the origin to the AllowedOrigins of the rule that allows GET.
    """

    fail_examples = (good_bundle(buckets=[{"name": "my-bucket", "cors": cors("https://hub.ango.ai")}]),)
    pass_examples = (
        good_bundle(),
        good_bundle(buckets=[{"name": "my-bucket", "cors": [
            {"AllowedOrigins": ["https://hub.ango.ai"], "AllowedMethods": ["GET"]},
            {"AllowedOrigins": ["https://api.ango.ai"], "AllowedMethods": ["GET"]}]}]),
    )

    def message(self, site: base.CorsSite, origin: str) -> str:
        return f"No CORS rule of bucket {site.name!r} allows origin {origin!r}"

    def fix_for(self, site: base.CorsSite, origin: str, rule) -> str:
        return f"Add \"{origin}\" to AllowedOrigins of CORS rule {rule.index}"


@register("HG303", "error", references=(ref.ANGO_AWS, ref.S3_CORS, ref.S3_CORS_CONFIG))
class MethodNotAllowed(S3Cors, base.MethodMissingCheck):
    """CORS rule for a Hub origin does not allow GET

    ## What it checks
    For each profile origin that some rule matches (else HG302), S3's own evaluation must find a rule for the
    origin with each profile method (`GET`) and, when the profile lists request headers (`cors.headers`), with
    those headers in `AllowedHeaders` (the preflight). The finding points at the first rule matching the
    origin.

    ## Why it matters
    Hub's browser fetches assets with GET (signed URLs). A rule that matches Hub's origin but only allows,
    say, PUT gives no CORS headers to the GET, and the browser blocks the asset.

    ## Fix
    Add "GET" to the AllowedMethods of the rule that matches the Hub origin.
    """

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

    def request_headers(self, profile) -> tuple[str, ...]:
        """Headers Hub's browser requests carry (profile ``cors.headers``; none by default: simple GETs)."""
        return profile.cors_headers

    def method_finding(self, site, rule, method, origins):
        methods = ", ".join(rule.methods) or "no method"
        return (join_pointer(rule.pointer, "AllowedMethods"),
                f"CORS rule {rule.index} of bucket {site.name!r} matches {_origins(origins)} but allows only "
                f"{methods}, not {method}",
                f"Add \"{method}\" to AllowedMethods of CORS rule {rule.index}")

    def headers_finding(self, site, rule, method, origins, headers):
        allowed = ", ".join(rule.headers) or "none"
        return (join_pointer(rule.pointer, "AllowedHeaders"),
                f"CORS rule {rule.index} of bucket {site.name!r} allows {method} from {_origins(origins)} but its "
                f"AllowedHeaders ({allowed}) refuse the preflight for {', '.join(headers)}",
                f"Add {', '.join(repr(h) for h in headers)} (or \"*\") to AllowedHeaders of CORS rule {rule.index}")


@register("HG304", "warning", references=(ref.S3_CORS, ref.S3_CORS_CONFIG))
class OriginTooWide(S3Cors, base.OriginTooWideCheck):
    """CORS allows any origin or origins outside the profile

    ## What it checks
    Every `AllowedOrigins` entry of every rule should be one of the profile's origins. Findings: `*`, wildcard
    patterns (`https://*.ango.ai` also allows hosts that are not Hub), and other origins (including `http://`
    variants of Hub's).

    ## Why it matters
    CORS decides which web pages may read what your bucket returns to a signed-in browser. The docs allow
    Hub's origins; `*` or another site lets pages that are not Hub read responses, for example from signed
    URLs that leak into them.

    ## Fix
    List exactly the Hub origins in AllowedOrigins.
    """

    fail_examples = (
        good_bundle(buckets=[{"name": "my-bucket", "cors": cors("*")}]),
        good_bundle(buckets=[{"name": "my-bucket", "cors": cors(*HUB, "https://example.com")}]),
    )
    pass_examples = (good_bundle(),)

    def wide(self, site, rule, origin, wanted):
        where = f"CORS rule {rule.index} of bucket {site.name!r}"
        if origin == "*":
            message = f"{where} allows any origin ('*')"
        elif "*" in origin:
            message = f"{where} allows every origin matching {origin!r}, not only the Hub origins"
        else:
            message = f"{where} allows origin {origin!r}, which is not a Hub origin"
        if "*" in origin or not all(rule.allows_origin(o) for o in wanted):
            shown = ", ".join(f'"{o}"' for o in wanted)
            return message, f"Replace {origin!r} with the Hub origins {shown}"
        return message, f"Remove {origin!r} from AllowedOrigins of CORS rule {rule.index}"
