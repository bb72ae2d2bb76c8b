"""HG710 and HG712: the container's public access, and fields of other providers in an Azure bundle."""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.bundle import Bundle
from hubgate.example import azure_bundle
from hubgate.findings import Finding
from hubgate.rules import ForeignFieldsRule, ProviderRule, Target, register


@register("HG710", "error", family="azure", references=(ref.AZ_ANONYMOUS,))
class PublicContainer(ProviderRule):
    """Container allows anonymous public access

    ## What it checks
    When the bundle states it, the container's public access level must be private (`private`/`off`/`None`);
    `blob` or `container` is a finding.

    ## Why it matters
    Hub reads through its SAS; anonymous access makes every blob (`blob`) -- and with `container` the listing
    too -- readable by anyone with the URL, with no token to revoke.

    ## Fix
    az storage container set-permission --name CONTAINER --public-access off (or disallow blob public access
    on the account).
    """

    fail_examples = (azure_bundle(public_access="container"), azure_bundle(public_access="blob"))
    pass_examples = (azure_bundle(), azure_bundle(public_access=None))

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        if b.public_access is None or b.public_access == target.profile.azure_public_access:
            return
        scope = "its blobs and their listing" if b.public_access == "container" else "its blobs"
        yield self.finding(
            b.doc, b.doc.pointer("public_access"),
            f"Container {b.container or '?'!r} has public access level {b.data.get('public_access')!r}: anyone can read {scope} without a SAS",
            fix=f"az storage container set-permission --account-name {b.account or '<account>'} --name "
                f"{b.container or '<container>'} --public-access off (and set public_access: private)",
        )


@register("HG712", "warning", family="azure", references=(ref.AZ_SERVICE_SAS,))
class ForeignFieldsAzure(ForeignFieldsRule):
    """Fields of another provider in an Azure bundle

    ## What it checks
    An `azure` bundle should carry no AWS fields (`role_arn`, `external_id`, `trust_policy`,
    `permission_policy`, keys, `access_type`, `endpoint`) and no GCP fields (`service_account`, `credentials`,
    IAM policies, `uniform_bucket_level_access`). One finding per field.

    ## Why it matters
    Hub's Azure dialog takes an account, a container and a SAS: such fields are not what Hub uses, and usually
    mean the bundle was copied from another provider.

    ## Fix
    Remove the field, or set provider to the provider it belongs to.
    """

    fail_examples = (azure_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnly"),)
    pass_examples = (azure_bundle(),)
    own = "Azure"

