"""HG706-HG709: the Blob service CORS rules of Azure Blob Storage integrations."""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.azure.record import azure_of
from hubgate.bundle import Bundle
from hubgate.cors import BLOB, checks as base
from hubgate.example import azure_bundle, azure_cors
from hubgate.rules import Target, register
from hubgate.source import join_pointer


class BlobCors:
    """The Blob service CORS rules of an ``azure`` bundle's storage account."""

    dialect = BLOB

    def sites(self, target: Target) -> Iterable[base.CorsSite]:
        b = azure_of(target)
        if b is not None:
            yield base.CorsSite(b.account or "?", b.cors, BLOB.rules(b.cors), b.doc, b.doc.base, bundle=b)


def _cors_cli(b: Bundle, profile) -> str:
    return (f"az storage cors add --services b --account-name {b.account or '<account>'} --origins "
            f"{' '.join(profile.cors_origins)} --methods {' '.join(profile.cors_methods)} HEAD OPTIONS "
            f"--allowed-headers '*' --exposed-headers '*' --max-age 3600")


@register("HG706", "error", family="azure", references=(ref.AZ_CORS,))
class BlobNoCors(BlobCors, base.NoCorsCheck):
    """Blob service has no CORS rules

    ## What it checks
    An `azure` bundle needs the Blob service CORS rules (`cors:`) with at least one rule.

    ## Why it matters
    Hub's web app loads blobs in the browser; without CORS headers from the Blob service the browser refuses
    them, so assets do not display even with a valid SAS.

    ## Fix
    Add a Blob service CORS rule for the Hub origins with GET (az storage cors add --services b ...).
    """

    fail_examples = (azure_bundle(cors=None), azure_bundle(cors={"corsRules": []}))
    pass_examples = (azure_bundle(),)

    states = ("no CORS rules (cors:)", "empty CORS rules")

    def message(self, site: base.CorsSite, state: str, origins: str) -> str:
        return f"The Blob service of account {site.name!r} has {state}, so browsers on {origins} cannot load its blobs"

    def fix_for(self, site: base.CorsSite, profile) -> str:
        return f"{_cors_cli(site.bundle, profile)}; in the bundle: cors: {self.suggestion(profile)}"


@register("HG707", "error", family="azure", references=(ref.AZ_CORS,))
class BlobOriginMissing(BlobCors, base.OriginMissingCheck):
    """Hub origin allowed by no Blob CORS rule

    ## What it checks
    Every profile origin must be in the `allowedOrigins` of some Blob CORS rule (exactly, or `*`). One finding
    per missing origin.

    ## Why it matters
    An origin Hub runs on that no rule allows gets no CORS headers, and the browser blocks the asset.

    ## Fix
    Add the origin to allowedOrigins of the rule that allows GET.
    """

    fail_examples = (azure_bundle(cors=azure_cors("https://hub.ango.ai")),)
    pass_examples = (azure_bundle(),)

    def message(self, site: base.CorsSite, origin: str) -> str:
        return f"No Blob CORS rule of account {site.name!r} allows origin {origin!r}"

    def fix_for(self, site: base.CorsSite, origin: str, rule) -> str:
        return f"Add \"{origin}\" to allowedOrigins of CORS rule {rule.index}"


@register("HG708", "error", family="azure", references=(ref.AZ_CORS,))
class BlobMethodMissing(BlobCors, base.MethodMissingCheck):
    """Blob CORS rule for a Hub origin does not allow GET

    ## What it checks
    For each profile origin some rule allows (else HG707), a rule must allow the origin with each profile
    method (`GET`). The finding points at the first rule matching the origin.

    ## Why it matters
    Hub's browser fetches blobs with GET; a rule for Hub's origin without GET gives the GET no CORS headers.

    ## Fix
    Add "GET" to allowedMethods of the rule that matches the Hub origin.
    """

    fail_examples = (azure_bundle(cors=azure_cors(methods=("PUT",))),)
    pass_examples = (azure_bundle(),)

    def method_finding(self, site, rule, method, origins):
        return (join_pointer(rule.pointer, rule.methods_key) if rule.methods_key else rule.pointer,
                f"Blob CORS rule {rule.index} matches {', '.join(repr(o) for o in origins)} but allows "
                f"only {', '.join(rule.methods) or 'no method'}, not {method}",
                f"Add \"{method}\" to allowedMethods of CORS rule {rule.index}")


@register("HG709", "warning", family="azure", references=(ref.AZ_CORS,))
class BlobOriginTooWide(BlobCors, base.OriginTooWideCheck):
    """Blob CORS allows any origin or origins outside the profile

    ## What it checks
    Every allowed origin of every Blob CORS rule should be a profile origin; `*`, wildcard patterns and other
    sites are findings.

    ## Why it matters
    CORS decides which web pages may read what the Blob service returns to a browser: `*` or another site lets
    pages that are not Hub read responses, for example from SAS URLs that leak into them.

    ## Fix
    List exactly the Hub origins in allowedOrigins.
    """

    fail_examples = (azure_bundle(cors=azure_cors("*")),)
    pass_examples = (azure_bundle(),)

    def wide(self, site, rule, origin, wanted):
        if origin == "*":
            return (f"Blob CORS rule {rule.index} allows any origin ('*')",
                    f"Replace '*' with the Hub origins {', '.join(wanted)}")
        return (f"Blob CORS rule {rule.index} allows origin {origin!r}, which is not a Hub origin",
                f"Remove {origin!r} from allowedOrigins of CORS rule {rule.index}")
