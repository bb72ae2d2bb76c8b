"""HG608-HG611: GCS bucket CORS (gcloud's JSON form)."""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.cors import GCS, checks as base
from hubgate.example import BUCKET, cors, gcp_bundle, gcs_cors
from hubgate.gcp.bindings import gcp_of
from hubgate.rules import Target, register
from hubgate.source import join_pointer


class GcsCors:
    """The CORS configuration of each bucket of a ``gcp`` bundle, when it is in gcloud's form."""

    dialect = GCS

    def sites(self, target: Target) -> Iterable[base.CorsSite]:
        b = gcp_of(target)
        for bucket in b.buckets if b is not None else ():
            rules = GCS.rules(bucket.cors) if bucket.cors_form == "gcs" else []
            yield base.CorsSite(bucket.name, bucket.cors, rules, b.doc, bucket.pointer, bucket=bucket, form=bucket.cors_form)


@register("HG608", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCS_CORS, ref.GCS_USING_CORS))
class GcsNoCors(GcsCors, base.NoCorsCheck):
    """GCS bucket has no (usable) CORS configuration

    ## What it checks
    Each bucket of a `gcp` bundle needs a CORS configuration in gcloud's JSON form (`[{"origin", "method",
    "responseHeader", "maxAgeSeconds"}]`) with at least one entry. An S3 document
    (`CORSRules`/`AllowedOrigins`) given for a GCS bucket is a finding too: GCS does not accept it.

    ## Why it matters
    Hub's web app loads assets from the bucket in the browser; without CORS headers from GCS the browser
    refuses them, so assets do not display even when IAM is right.

    ## Fix
    Set the bucket's CORS with `gcloud storage buckets update gs://BUCKET --cors-file=cors.json`.
    """

    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET}]), gcp_bundle(buckets=[{"name": BUCKET, "cors": cors()}]))
    pass_examples = (gcp_bundle(),)

    def misfit(self, site: base.CorsSite) -> str | None:
        if site.doc is not None and site.form == "s3":
            return (f"The CORS configuration of GCS bucket {site.name!r} is in S3's form (CORSRules), which GCS "
                    f"does not accept")
        return None

    def message(self, site: base.CorsSite, state: str, origins: str) -> str:
        return f"GCS bucket {site.name!r} has {state}, so browsers on {origins} cannot load its objects"

    def fix_for(self, site: base.CorsSite, profile) -> str:
        return (f"Write {self.suggestion(profile)} to cors.json and run gcloud storage buckets update "
                f"gs://{site.name} --cors-file=cors.json")


@register("HG609", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCS_CORS, ref.GCS_USING_CORS))
class GcsOriginMissing(GcsCors, base.OriginMissingCheck):
    """Hub origin allowed by no GCS CORS entry

    ## What it checks
    Every origin of the profile (`https://hub.ango.ai`, `https://api.ango.ai`) must be in the `origin` list of
    some CORS entry of each GCS bucket, exactly or as `*` (GCS has no partial wildcards). One finding per
    missing origin.

    ## Why it matters
    An origin Hub runs on that no entry allows gets no CORS headers, and the browser blocks the asset.

    ## Fix
    Add the origin to the `origin` list of the entry that allows GET.
    """

    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://hub.ango.ai")}]),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://*.ango.ai")}]))
    pass_examples = (gcp_bundle(),)

    def message(self, site: base.CorsSite, origin: str) -> str:
        return f"No CORS entry of GCS bucket {site.name!r} allows origin {origin!r}"

    def fix_for(self, site: base.CorsSite, origin: str, rule) -> str:
        return f"Add \"{origin}\" to the origin list of CORS entry {rule.index}"


@register("HG610", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCS_CORS, ref.GCS_USING_CORS))
class GcsMethodMissing(GcsCors, base.MethodMissingCheck):
    """GCS CORS entry for a Hub origin does not allow GET

    ## What it checks
    For each profile origin some entry allows (else HG609), an entry must allow both the origin and each
    profile method (`GET`, or `*`). The finding points at the first entry matching the origin.

    ## Why it matters
    Hub's browser fetches assets with GET; an entry for Hub's origin without GET gives the GET no CORS
    headers.

    ## Fix
    Add "GET" to the method list of the entry that matches the Hub origin.
    """

    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(methods=("PUT",))}]),)
    pass_examples = (gcp_bundle(), gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors(methods=("*",))}]))

    def method_finding(self, site, rule, method, origins):
        allowed = ", ".join(rule.methods) or "no method"
        return (join_pointer(rule.pointer, rule.methods_key) if rule.methods_key else rule.pointer,
                f"CORS entry {rule.index} of GCS bucket {site.name!r} matches {', '.join(repr(o) for o in origins)} "
                f"but allows only {allowed}, not {method}",
                f"Add \"{method}\" to the method list of CORS entry {rule.index}")


@register("HG611", "warning", family="gcp", references=(ref.GCS_CORS, ref.GCS_USING_CORS))
class GcsOriginTooWide(GcsCors, base.OriginTooWideCheck):
    """GCS CORS allows any origin or origins outside the profile

    ## What it checks
    Every `origin` of every CORS entry of a GCS bucket should be a profile origin; `*` and other sites are
    findings.

    ## Why it matters
    CORS decides which web pages may read what the bucket returns to a browser: `*` or another site lets pages
    that are not Hub read responses, for example from signed URLs that leak into them.

    ## Fix
    List exactly the Hub origins in the entry's origin list.
    """

    fail_examples = (gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("*")}]),
                     gcp_bundle(buckets=[{"name": BUCKET, "cors": gcs_cors("https://hub.ango.ai", "https://api.ango.ai",
                                                                            "https://example.com")}]))
    pass_examples = (gcp_bundle(),)

    def wide(self, site, rule, origin, wanted):
        where = f"CORS entry {rule.index} of GCS bucket {site.name!r}"
        if origin == "*":
            shown = ", ".join(f'"{o}"' for o in wanted)
            return f"{where} allows any origin ('*')", f"Replace '*' with the Hub origins {shown}"
        return (f"{where} allows origin {origin!r}, which is not a Hub origin",
                f"Remove {origin!r} from the origin list of CORS entry {rule.index}")
