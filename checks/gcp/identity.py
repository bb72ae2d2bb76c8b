"""HG612-HG614: the service account key, the service account, and fields of other providers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.bundle import Bundle
from hubgate.example import GCP_PROJECT, GCP_SERVICE_ACCOUNT, gcp_bundle, gcp_key
from hubgate.findings import Finding
from hubgate.gcp.bindings import account_email, service_account
from hubgate.gcp.key import KEY_TYPES, key_validator
from hubgate.rules import ForeignFieldsRule, ProviderRule, Target, register

_SA_EMAIL = re.compile(r"[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.-]+\.gserviceaccount\.com")

@register("HG612", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCP_SA_KEYS))
class KeyFile(ProviderRule):
    """Key file malformed or not a service account key

    ## What it checks
    When `credentials` is given, it must have the shape of a service account JSON key (schema
    `gcp-service-account-key`): `type: service_account`, `project_id`, a 40-hex `private_key_id`, a PEM
    `private_key`, `client_email` of a service account, `client_id`, `token_uri`; and its `client_email` must
    be the bundle's `service_account`. Only the shape is checked; no value of the key is ever printed.

    ## Why it matters
    Hub signs V4 URLs with the service account's private key. A user credential (`authorized_user`) has no
    private key and carries a person's full access; a truncated or hand-edited key fails at upload; a key of
    another account makes every IAM check here describe the wrong identity.

    ## Fix
    Create a key for the service account (`gcloud iam service-accounts keys create key.json --iam-account=SA`)
    and give that file.
    """

    fail_examples = (
        gcp_bundle(credentials={"type": "authorized_user", "client_id": "1234.apps.googleusercontent.com",
                                "client_secret": "example-client-secret", "refresh_token": "example-refresh-token"}),
        gcp_bundle(credentials=gcp_key(private_key="not a key")),
        gcp_bundle(credentials=gcp_key(client_email=f"other@{GCP_PROJECT}.iam.gserviceaccount.com")),
    )
    pass_examples = (gcp_bundle(), gcp_bundle(credentials=None))

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        if b.credentials is None:
            return
        doc = b.credentials
        data = doc.data
        fix = (f"Create a key for {b.service_account or 'the service account'} with gcloud iam service-accounts "
               f"keys create key.json --iam-account={b.service_account or 'SA_EMAIL'} and point credentials: at it")
        if not isinstance(data, dict):
            yield self.finding(doc, doc.base, "The credentials are not a JSON key object (a service account key is a JSON object)", fix=fix)
            return
        kind = data.get("type")
        if kind != target.profile.gcp_credential_type:
            what = KEY_TYPES.get(str(kind), f"of type {kind!r}, not a service account key" if kind else "without a type, not a service account key")
            yield self.finding(doc, doc.pointer("type") if "type" in data else doc.base,
                               f"The credentials file is {what}", fix=fix)
            return
        errors = sorted(key_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        missing = sorted({m for e in errors if e.validator == "required" for m in e.validator_value if m not in data})
        bad = sorted({str(e.absolute_path[0]) for e in errors if e.absolute_path})
        if missing:
            yield self.finding(doc, doc.base,
                               f"The service account key lacks {', '.join(missing)}", fix=fix)
        for name in bad:
            # name the field, never its value (private_key above all)
            yield self.finding(doc, doc.pointer(name),
                               f"Field {name} of the service account key is malformed (value not shown)", fix=fix)
        email = data.get("client_email")
        if isinstance(email, str) and b.service_account and email.strip().lower() != account_email(b.service_account).lower():
            yield self.finding(
                doc, doc.pointer("client_email"),
                f"The key belongs to {email}, but service_account is {b.service_account}",
                fix="Give the key of the service account the bucket grants, or correct service_account",
            )


@register("HG613", "error", family="gcp", references=(ref.ANGO_GCP, ref.GCP_SERVICE_ACCOUNTS))
class ServiceAccountField(ProviderRule):
    """service_account missing or not a service account

    ## What it checks
    A `gcp` bundle names Hub's identity in `service_account` (or through the key file's `client_email`): the
    e-mail of a service account, `NAME@PROJECT.iam.gserviceaccount.com` (or another `*.gserviceaccount.com`
    account). A person's or group's address, a `serviceAccount:` member string or a missing value are
    findings.

    ## Why it matters
    The docs hand Hub a service account key; every IAM rule here looks for that account in the bucket's
    policy. A user account cannot be given to Hub as a key, and without the account nothing can be checked.
    """

    fix = f"Set service_account to the service account's e-mail, e.g. {GCP_SERVICE_ACCOUNT}."
    fail_examples = (gcp_bundle(service_account=None, credentials=None),
                     gcp_bundle(service_account="alice@example.com"),
                     gcp_bundle(service_account=f"serviceAccount:{GCP_SERVICE_ACCOUNT}"))
    pass_examples = (gcp_bundle(), gcp_bundle(service_account=None))

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        fix = f"Set service_account to the service account's e-mail, e.g. {GCP_SERVICE_ACCOUNT}"
        if b.service_account is None:
            if service_account(b) is None:
                yield self.finding(b.doc, b.doc.base,
                                   f"GCP bundle {b.name!r} names no service account (service_account, or a key file's client_email)",
                                   fix=fix)
            return
        value = b.service_account.strip()
        ptr = b.doc.pointer("service_account")
        if value.lower().startswith("serviceaccount:"):
            yield self.finding(b.doc, ptr, f"service_account {value!r} is an IAM member string, not an e-mail",
                               fix=f"Use {value.split(':', 1)[1]!r}")
        elif "@" not in value:
            yield self.finding(b.doc, ptr, f"service_account {value!r} is not an e-mail address", fix=fix)
        elif not _SA_EMAIL.fullmatch(value.lower()):
            yield self.finding(b.doc, ptr,
                               f"service_account {value!r} is not a service account (those end in .gserviceaccount.com)",
                               fix="Create a service account for Hub (gcloud iam service-accounts create) and use its e-mail")


# --- HG614 ------------------------------------------------------------------------------------------------


@register("HG614", "warning", family="gcp", references=(ref.ANGO_GCP,))
class ForeignFieldsGcp(ForeignFieldsRule):
    """Fields of another provider in a GCP bundle

    ## What it checks
    A `gcp` bundle should carry no AWS fields (`role_arn`, `external_id`, `trust_policy`, `permission_policy`,
    keys, `access_type`, `endpoint`) and no Azure fields (`account`, `container`, `sas`, `cors`,
    `public_access`). One finding per field.

    ## Why it matters
    Hub's GCP storage dialog takes a service account key and nothing else: such fields are not part of the
    integration, are not what Hub uses, and usually mean the bundle was copied from another provider.

    ## Fix
    Remove the field, or set provider to the provider it belongs to.
    """

    fail_examples = (gcp_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnly"),)
    pass_examples = (gcp_bundle(),)
    own = "GCP"

