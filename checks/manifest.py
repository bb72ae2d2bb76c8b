"""HG5xx: the import manifest (a JSON array of assets Hub imports from the integrated buckets).

Docs (Ango Hub, "Importing private cloud assets", section "Preparing the JSON"): each asset has its
external ID and "the asset's full absolute path, plus optionally the image's width and height";
"Ensure your URLs are percent-encoded in the UTF-8 format"; "If your filenames contain spaces, for
example, ensure they are encoded as %20, and not as pluses (+)"; "The URL must be in the format
https://<bucket-name>.s3.<region>.amazonaws.com/<path-to-file>"; "If you do not provide region
information, Hub will assume the region is us-east-1"; "There is no upper bound to the number of assets".

The validation itself lives in ``hubgate.manifest`` (it streams files of any size). Over a bundle, these
rules validate the bundle's ``manifest:`` -- inline, or a file relative to the bundle's folder -- and
return nothing when the bundle has none. ``hubgate manifest FILE [--bundle PATH]`` runs them over a
manifest file directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref, manifest as m
from hubgate.example import BUCKET, good_bundle, read_policy
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, register

GOOD_URL = f"https://{BUCKET}.s3.eu-central-1.amazonaws.com/cats/cute-cat.jpg"


def _asset(data: str = GOOD_URL, external_id: str = "cute-cat.jpg", **extra) -> dict:
    a = {"data": data, "externalId": external_id}
    a.update(extra)
    return a


def _with(*assets) -> dict:
    return good_bundle(manifest=list(assets))


GOOD = _with(_asset(width=603, height=450), _asset(GOOD_URL.replace("cute-cat", "file%202"), "cute-dog.jpg"))


class ManifestRule(Rule):
    family = "manifest"
    targets = ("bundle",)
    pass_examples = (GOOD,)

    @classmethod
    def default_severity(cls, rule_id: str) -> str:
        return m.SEVERITY[rule_id]  # one table of severities, shared with `hubgate manifest`

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or ("manifest" not in b.data):
            return []
        return [f for f in m.bundle_findings(b) if f.rule == self.id]


@register(m.NOT_ARRAY, references=(ref.ANGO_AWS,))
class NotAnArray(ManifestRule):
    """Manifest is not a readable JSON array

    ## What it checks
    The manifest's top level must be a JSON array of asset objects. Over a bundle, a `manifest:` file that
    does not exist or whose JSON is malformed is also reported here, with the byte offset of the error
    (`hubgate manifest FILE` reports malformed JSON as an input error, exit code 2, after the findings for the
    assets before it).

    ## Why it matters
    The docs: "This is what the JSON should look like: [ { "data": ..., "externalId": ... }, ... ]". Hub
    rejects any other shape.

    ## Fix
    Wrap the assets in one top-level array: [{"data": "https://...", "externalId": "..."}, ...].
    """

    fail_examples = (good_bundle(manifest="missing-assets.json"),)


@register(m.NOT_OBJECT, references=(ref.ANGO_AWS,))
class NotAnObject(ManifestRule):
    """Manifest element is not an object

    ## What it checks
    Every element of the manifest array must be a JSON object (a bare URL string, number or nested array is a
    finding).

    ## Why it matters
    Hub reads each asset's `data` and `externalId` fields; an element without fields imports nothing.

    ## Fix
    Turn the element into {"data": "<url>", "externalId": "<unique id>"}.
    """

    fail_examples = (_with(_asset(), GOOD_URL),)


@register(m.DATA_MISSING, references=(ref.ANGO_AWS,))
class DataMissing(ManifestRule):
    """Asset URL (`data`) missing, not a string, or naming no object

    ## What it checks
    Each asset needs `data`: a string holding the asset's URL, with a bucket and a non-empty key.

    ## Why it matters
    The docs: the JSON contains "each asset's external ID as well as the asset's full absolute path".

    ## Fix
    Add "data": "https://<bucket>.s3.<region>.amazonaws.com/<key>".
    """

    fail_examples = (_with({"externalId": "cute-cat.jpg"}), _with(_asset(f"https://{BUCKET}.s3.eu-central-1.amazonaws.com/")))


@register(m.NOT_HTTPS, references=(ref.ANGO_AWS, ref.S3_VIRTUAL_HOSTING))
class NotHttps(ManifestRule):
    """Asset URL is not https

    ## What it checks
    The URL must be absolute and use `https://`. `http://`, `s3://bucket/key` and `gs://bucket/object` are
    rewritten in the fix; relative paths and other schemes cannot be.

    ## Why it matters
    The docs: "The URL must be in the format https://<bucket-name>.s3.<region>.amazonaws.com/<path-to-file>".

    ## Fix
    Use the https URL given in the finding's fix (`hubgate manifest fix` rewrites them).
    """

    fail_examples = (_with(_asset(f"s3://{BUCKET}/cats/cute-cat.jpg")), _with(_asset(GOOD_URL.replace("https:", "http:"))))


@register(m.NOT_VIRTUAL_HOSTED, references=(ref.ANGO_AWS, ref.S3_VIRTUAL_HOSTING))
class NotVirtualHosted(ManifestRule):
    """Asset URL is not in the virtual-hosted form

    ## What it checks
    An S3 URL must be virtual-hosted: `https://<bucket>.s3.<region>.amazonaws.com/<key>`. Path-style
    (`https://s3.<region>.amazonaws.com/<bucket>/<key>`, `https://s3.amazonaws.com/<bucket>/<key>`), legacy
    `s3-<region>` and `s3-external-1` hosts, dual-stack and website endpoints are rewritten in the fix. For a
    GCP integration the form is `https://storage.googleapis.com/<bucket>/<object>`. Other hosts (CDNs, web
    servers), and URLs of another provider than the bundle's, cannot be rewritten.

    ## Why it matters
    The docs: "The URL must be in the format https://<bucket-name>.s3.<region>.amazonaws.com/<path-to-file>".
    Hub takes the bucket and region from the host name to sign the request; in any other form it cannot find
    the bucket of the integration.

    ## Fix
    Use the rewritten URL given in the finding's fix (`hubgate manifest fix` rewrites the whole file).
    """

    fail_examples = (_with(_asset(f"https://s3.eu-central-1.amazonaws.com/{BUCKET}/cats/cute-cat.jpg")),)


@register(m.REGION_MISSING, references=(ref.ANGO_AWS, ref.S3_VIRTUAL_HOSTING))
class RegionMissing(ManifestRule):
    """Asset URL has no region (us-east-1 assumed)

    ## What it checks
    A URL of the form `https://<bucket>.s3.amazonaws.com/<key>` names no region, so Hub assumes us-east-1. The
    message names the bucket's real region when the bundle knows it, and the fix adds it.

    ## Why it matters
    The docs: "Ensure the region information is present in the URLs"; "If you do not provide region
    information, Hub will assume the region is us-east-1". For a bucket elsewhere, signed URLs fail.

    ## Fix
    Put the bucket's region in the host: https://<bucket>.s3.<region>.amazonaws.com/<key>.
    """

    fail_examples = (_with(_asset(f"https://{BUCKET}.s3.amazonaws.com/cats/cute-cat.jpg")),)


@register(m.BAD_ESCAPE, references=(ref.RFC3986, ref.S3_OBJECT_KEYS))
class BadPercentEscape(ManifestRule):
    """Malformed percent escape in the asset URL

    ## What it checks
    Every '%' in the key must start a `%XX` escape (two hex digits); a literal percent is `%25`.

    ## Why it matters
    The docs: "Ensure your URLs are percent-encoded in the UTF-8 format." A stray % makes the key undecodable.

    ## Fix
    Write a literal '%' as %25 (the finding's fix does).
    """

    fail_examples = (_with(_asset(GOOD_URL.replace("cute-cat", "100%-cat"))),)


@register(m.NOT_UTF8, references=(ref.RFC3986, ref.S3_OBJECT_KEYS))
class EscapeNotUtf8(ManifestRule):
    """Percent escapes in the asset URL are not UTF-8

    ## What it checks
    The bytes the key's escapes decode to must be valid UTF-8 (e.g. `%E9` alone is Latin-1 'é'; UTF-8 is
    `%C3%A9`).

    ## Why it matters
    The docs: "Ensure your URLs are percent-encoded in the UTF-8 format." S3 keys are UTF-8; another encoding
    names another (missing) object.

    ## Fix
    Percent-encode the key's UTF-8 bytes; the fix shows the Latin-1 reading re-encoded as UTF-8.
    """

    fail_examples = (_with(_asset(GOOD_URL.replace("cute-cat", "caf%E9"))),)


@register(m.RAW_CHARS, references=(ref.RFC3986, ref.S3_OBJECT_KEYS))
class RawCharacters(ManifestRule):
    r"""Raw space or other unencoded character in the asset URL

    ## What it checks
    Spaces, non-ASCII characters, '#', quotes, '<', '>', '{', '}', '|', '\\', '^', '`' and control characters
    must be percent-encoded (UTF-8) in the key; leading or trailing whitespace is reported too.

    ## Why it matters
    The docs: "If your filenames contain spaces, for example, ensure they are encoded as %20, and not as
    pluses (+)." and "Ensure your URLs are percent-encoded in the UTF-8 format."

    ## Fix
    Use the encoded URL given in the fix (spaces become %20).
    """

    fail_examples = (_with(_asset(GOOD_URL.replace("cute-cat", "cute cat"))),)


@register(m.PLUS_IN_KEY, references=(ref.S3_OBJECT_KEYS, ref.RFC3986))
class PlusInKey(ManifestRule):
    """'+' in the asset URL's key

    ## What it checks
    A '+' in the key is read as a literal plus. When it was meant as an encoded space it names a missing
    object; when the key really holds a plus it must be written `%2B` to be unambiguous. The fix gives both.

    ## Why it matters
    The docs: "If your filenames contain spaces ... ensure they are encoded as %20, and not as pluses (+)."

    ## Fix
    Replace '+' with %20 where it stands for a space, or %2B for a literal plus (`hubgate manifest fix
    --literal-plus`).
    """

    fail_examples = (_with(_asset(GOOD_URL.replace("cute-cat", "cute+cat"))),)


@register(m.EXTERNAL_ID, references=(ref.ANGO_AWS,))
class ExternalIdMissing(ManifestRule):
    """externalId missing, empty or not a string

    ## What it checks
    Each asset needs `externalId`: a non-empty string.

    ## Why it matters
    The docs: the JSON contains "each asset's external ID"; Hub identifies and exports assets by it.

    ## Fix
    Add "externalId": "<unique name>", e.g. the file name.
    """

    fail_examples = (_with({"data": GOOD_URL}), _with(_asset(external_id=42)))


@register(m.DUPLICATE_ID, references=(ref.ANGO_AWS,))
class DuplicateExternalId(ManifestRule):
    """Duplicate externalId

    ## What it checks
    No two assets may share an `externalId`. The finding is on each repeat and names the first asset that used
    the id. Detection keeps an 8-byte digest per id, so it works for manifests of any length.

    ## Why it matters
    The external ID is how Hub and its exports identify an asset; duplicates make annotations ambiguous or
    overwrite each other.

    ## Fix
    Give each asset its own externalId, or remove the repeated asset.
    """

    fail_examples = (_with(_asset(), _asset(GOOD_URL.replace("cute-cat", "other-cat"))),)


@register(m.DIMENSIONS, references=(ref.ANGO_AWS,))
class BadDimensions(ManifestRule):
    """width or height is not a positive integer

    ## What it checks
    `width` and `height` are optional; when present they must be positive integers (pixels), not strings, zero
    or fractions.

    ## Why it matters
    The docs: "optionally the image's width and height"; "only necessary if you plan on exporting polygon
    annotations as image bitmasks" -- a wrong size gives wrong masks.

    ## Fix
    Give the size in pixels as a JSON number, e.g. "width": 603, or remove the field.
    """

    fail_examples = (_with(_asset(width="603", height=0)),)


@register(m.FIELD_TYPES, references=(ref.ANGO_AWS,))
class FieldTypes(ManifestRule):
    """metadata, batches, attachments or contextData of the wrong type

    ## What it checks
    Optional fields Hub's import API accepts must have their types: `metadata` an object (its `frameRate` a
    positive number), `batches` a list of strings, `attachments` a list of objects, `contextData` an object.

    ## Why it matters
    Hub's asset import rejects or ignores fields of the wrong type, so the batch, attachment or metadata is
    lost.

    ## Fix
    Use the documented types, e.g. "batches": ["batch-1"], "metadata": {"frameRate": 30}.
    """

    fail_examples = (_with(_asset(batches="batch-1", metadata={"frameRate": "30"})),)


@register(m.BUCKET_UNREACHABLE, references=(ref.ANGO_AWS, ref.S3_POLICY_RESOURCES))
class BucketNotReachable(ManifestRule):
    """Manifest bucket not reachable by the permission policy

    ## What it checks
    For each bucket the manifest's URLs name, the bundle's permission policy is evaluated (as HG108 does): if
    none of the required read actions can be allowed on it, the bucket is unreachable. Reported once per
    bucket, at its first asset, with the number of assets that use it. Over a bundle, a bucket the bundle
    declares is HG108's finding, not this rule's; `hubgate manifest --bundle` reports both cases here.

    ## Why it matters
    Hub reads assets with the integration's role; an asset in a bucket the policy does not cover cannot be
    displayed.

    ## Fix
    Add the bucket ARN and the bucket ARN with /* to the read statement (and the bucket to the bundle), or
    move the assets.
    """

    fail_examples = (_with(_asset("https://other-bucket.s3.eu-central-1.amazonaws.com/cat.jpg")),)


@register(m.BUCKET_NO_CORS, references=(ref.ANGO_AWS, ref.S3_CORS))
class BucketWithoutCors(ManifestRule):
    """Manifest bucket not in the bundle or without CORS

    ## What it checks
    Each bucket the manifest's URLs name must be one of the bundle's buckets and have a CORS configuration
    (HG3xx then checks its content). Reported once per bucket, at its first asset. Over a bundle, a declared
    bucket without CORS is HG301's finding, not this rule's; `hubgate manifest --bundle` reports both cases
    here.

    ## Why it matters
    The browser loads assets from the bucket directly; without a CORS rule for the Hub origins nothing
    displays.

    ## Fix
    Add the bucket with its cors: document to the bundle's buckets.
    """

    fail_examples = (
        good_bundle(permission_policy=read_policy(BUCKET, "archive-bucket"),
                    manifest=[_asset(), _asset(GOOD_URL.replace(BUCKET, "archive-bucket"), "old-cat.jpg")]),
    )


@register(m.REGION_DIFFERS, references=(ref.S3_VIRTUAL_HOSTING, ref.S3_ENDPOINTS))
class RegionDiffers(ManifestRule):
    """Asset URL names another region than the bucket's

    ## What it checks
    The region in the URL's host must be the bucket's region as the bundle states it (bucket `region`, else
    the bundle's).

    ## Why it matters
    Hub signs the request for the region in the URL; S3 rejects a signature scoped to another region
    (AuthorizationHeaderMalformed), so the asset does not load.

    ## Fix
    Use the bucket's region in the host (the fix gives the URL).
    """

    fail_examples = (_with(_asset(GOOD_URL.replace("eu-central-1", "us-west-2"))),)
