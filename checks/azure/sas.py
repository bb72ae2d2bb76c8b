"""HG701-HG705, HG711: the shared access signature (SAS) of Azure Blob Storage integrations.

Hub reads an Azure container with a shared access signature (SAS) it is given together with the storage
account and container names; its browser app loads blobs, so the Blob service's CORS rules must allow the
Hub origins. Permission letters, protocols and lifetimes follow Microsoft's SAS reference ("Create a service
SAS", "Create an account SAS": https://learn.microsoft.com/rest/api/storageservices/create-service-sas and
.../create-account-sas); what Hub may hold (``rl``), the protocol (``https``), the longest lifetime and the
blob host come from the vendor profile (``azure:``). The SAS signature (``sig``) is a secret: it is never
printed; messages quote SAS fields by name and value, except ``sig``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.azure.record import azure_of, bundle_sas, sas_pointer
from hubgate.azure.sas import SERVICES, letters, parse_time, shown
from hubgate.bundle import Bundle
from hubgate.example import AZURE_ACCOUNT, AZURE_CONTAINER, azure_bundle, azure_sas
from hubgate.findings import Finding
from hubgate.rules import ProviderRule, Rule, Target, register


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _new_sas_fix(b: Bundle, profile) -> str:
    days = min(profile.max_sas_lifetime_days, 180)
    return (f"az storage container generate-sas --account-name {b.account or '<account>'} --name "
            f"{b.container or '<container>'} --permissions {profile.sas_permissions} --https-only --expiry "
            f"<date within {days} days> (with --auth-mode login --as-user for a user delegation SAS), and give Hub the new token")


# --- HG701-HG705: the SAS --------------------------------------------------------------------------------


class SasRule(ProviderRule):
    """An HG70x rule: it judges the SAS of an azure bundle once the SAS parses (HG711 reports one that does
    not); each finding points at the SAS and its fix is the command that issues a new one."""

    family = "azure"

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        sas = bundle_sas(b)
        if sas is None or sas.problem:
            return
        yield from self.judge_sas(b, sas, target.profile)

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        raise NotImplementedError

    def sas_finding(self, b: Bundle, profile, message: str, **kw) -> Finding:
        return self.finding(b.doc, sas_pointer(b), message, fix=_new_sas_fix(b, profile), **kw)


@register("HG701", "error", references=(ref.AZ_SERVICE_SAS, ref.AZ_SAS_OVERVIEW))
class SasTooWide(SasRule):
    """SAS grants more than read and list

    ## What it checks
    The SAS permissions (`sp`) must be a subset of the profile's (`rl`: read, list). Any other letter (`a`dd,
    `c`reate, `w`rite, `d`elete, `x`, `y`, `t`ags, `m`ove, `o`wnership, `p`ermissions, `i`mmutability, ...) is
    a finding.

    ## Why it matters
    Hub only reads. A SAS that can also write or delete lets anyone holding Hub's token -- Hub, or whoever
    obtains it -- change or destroy the labeled data; a SAS cannot be narrowed after it is issued.

    ## Fix
    Issue a new SAS with permissions rl only (and revoke the old one by rotating the key or its stored access
    policy).
    """

    fail_examples = (azure_bundle(sas=azure_sas(sp="racwdl")), azure_bundle(sas=azure_sas(sp="rlw")))
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(sp="r")))

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        if sas.get("sp") is None:
            return
        allowed = set(profile.sas_permissions)
        extra = "".join(c for c in sas.get("sp") if c not in allowed)
        if extra:
            yield self.sas_finding(
                b, profile, f"The SAS permissions sp={sas.get('sp')} include {letters(extra)}, beyond read and list")


@register("HG702", "error", references=(ref.AZ_SERVICE_SAS,))
class SasCannotRead(SasRule):
    """SAS lacks read or list

    ## What it checks
    The SAS permissions (`sp`) must hold every profile letter (`r` to read blobs, `l` to list the container),
    and a service SAS must be for the container (`sr=c`): a blob SAS (`sr=b`) cannot list. A SAS tied to a
    stored access policy (`si`) without `sp` is not judged.

    ## Why it matters
    Hub lists the container to import and reads each blob; without either the import or the display fails.

    ## Fix
    Issue a container SAS with permissions rl.
    """

    fail_examples = (azure_bundle(sas=azure_sas(sp="r")), azure_bundle(sas=azure_sas(sr="b")))
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(sp=None, si="ango-hub-read")))

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        sp = sas.get("sp")
        if sp is not None:
            missing = "".join(c for c in profile.sas_permissions if c not in sp)
            if missing:
                yield self.sas_finding(
                    b, profile,
                    f"The SAS permissions sp={sp} lack {letters(missing)}, so Hub cannot "
                    f"{'list the container' if missing == 'l' else 'read the blobs' if missing == 'r' else 'read or list'}",
                )
        sr = sas.get("sr")
        if sr is not None and sr != "c":
            yield self.sas_finding(
                b, profile,
                f"The SAS is for sr={sr} (a single {'blob' if sr.startswith('b') else 'directory' if sr == 'd' else 'resource'}), "
                f"not the container (sr=c), so Hub cannot list {b.container or 'the container'!r}",
            )


@register("HG703", "warning", references=(ref.AZ_SERVICE_SAS, ref.AZ_SAS_OVERVIEW))
class SasHttp(SasRule):
    """SAS allows HTTP

    ## What it checks
    The SAS must set the protocol the profile requires (`spr=https`). A missing `spr` allows HTTP as well as
    HTTPS.

    ## Why it matters
    A SAS used over plain HTTP travels in clear text: anyone on the path reads the token (and the data) and
    can reuse it until it expires.

    ## Fix
    Issue the SAS with --https-only (spr=https).
    """

    fail_examples = (azure_bundle(sas=azure_sas(spr="https,http")), azure_bundle(sas=azure_sas(spr=None)))
    pass_examples = (azure_bundle(),)

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        spr = sas.get("spr")
        want = profile.sas_protocol
        if spr == want or (want == "https,http" and spr in ("https", "http,https")):
            return
        state = f"spr={spr}" if spr is not None else "no spr (HTTP and HTTPS)"
        yield self.sas_finding(b, profile, f"The SAS allows {state}, not only {want}")


@register("HG704", "error", references=(ref.AZ_SERVICE_SAS, ref.AZ_SAS_OVERVIEW))
class SasExpiry(SasRule):
    """SAS expiry missing, past, or too far

    ## What it checks
    An ad hoc SAS must carry an expiry (`se`) that parses and lies in the future (error otherwise); its
    lifetime, from `st` (or now) to `se`, should not exceed the profile's `max_sas_lifetime_days` (warning). A
    SAS tied to a stored access policy (`si`) keeps its expiry there and is not judged.

    ## Why it matters
    An expired SAS stops every import and asset display at once; one valid for years cannot be revoked except
    by rotating the account key, so a leaked token stays useful for its whole lifetime.

    ## Fix
    Issue a SAS with an expiry within the profile's bound, and renew it before it ends (or use a stored access
    policy).
    """

    fail_examples = (
        azure_bundle(sas=azure_sas(se=None)),
        azure_bundle(sas=azure_sas(st="2019-01-01T00:00:00Z", se="2020-01-01T00:00:00Z")),
        azure_bundle(sas=azure_sas(st=None, se="2099-12-31T00:00:00Z")),
    )
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(se=None, st=None, sp=None, si="ango-hub-read")))

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        se = sas.get("se")
        if se is None:
            if sas.get("si") is None:
                yield self.sas_finding(b, profile, "The SAS has no expiry (se) and no stored access policy (si)")
            return
        end = parse_time(se)
        if end is None:
            yield self.sas_finding(b, profile, f"The SAS expiry se={se} is not an ISO 8601 UTC time")
            return
        now = _now()
        if end <= now:
            yield self.sas_finding(b, profile, f"The SAS expired at se={se}: Hub can no longer read")
            return
        st = parse_time(sas.get("st") or "") if sas.get("st") else None
        start = st if st is not None and st > now else now
        days = (end - start).total_seconds() / 86400
        limit = profile.max_sas_lifetime_days
        if days > limit:
            yield self.sas_finding(
                b, profile,
                f"The SAS is valid until se={se}, {int(days)} days from {'its start' if start is st else 'now'}, "
                f"longer than the profile's {limit} days",
                severity="warning",
            )


@register("HG705", "error", references=(ref.AZ_ACCOUNT_SAS, ref.AZ_SAS_OVERVIEW))
class AccountSas(SasRule):
    """Account-level SAS

    ## What it checks
    Hub should get a service SAS for its container, not an account SAS (one with `ss`/`srt`). An account SAS
    for services other than Blob (`ss` with f, q, t) or for service-level operations (`srt` with s) is an
    error; one for Blob containers and objects only is a warning: it still reaches every container of the
    account.

    ## Why it matters
    An account SAS is signed with the account key and covers every container (and with `ss`/`srt` beyond
    `b`/`co`, file shares, queues, tables and the account's service settings): far more than the one container
    Hub imports from.

    ## Fix
    Issue a service SAS for the container (az storage container generate-sas) instead.
    """

    fail_examples = (
        azure_bundle(sas=azure_sas(sr=None, ss="bfqt", srt="sco")),
        azure_bundle(sas=azure_sas(sr=None, ss="b", srt="co")),
    )
    pass_examples = (azure_bundle(),)

    def judge_sas(self, b: Bundle, sas, profile) -> Iterable[Finding]:
        ss, srt = sas.get("ss"), sas.get("srt")
        if ss is None and srt is None:
            return
        other = [SERVICES.get(c, c) for c in (ss or "") if c != "b"]
        service_level = "s" in (srt or "")
        fields = shown(sas, "ss", "srt")
        if other or service_level:
            parts = []
            if other:
                parts.append(f"the {', '.join(other)} service{'s' if len(other) > 1 else ''}")
            if service_level:
                parts.append("service-level operations (srt=s)")
            yield self.sas_finding(b, profile, f"The SAS is an account SAS ({fields}) that also reaches {' and '.join(parts)}")
        else:
            yield self.sas_finding(b, profile,
                                   f"The SAS is an account SAS ({fields}): it reaches every container of account "
                                   f"{b.account or '?'!r}, not only {b.container or 'the container'!r}",
                                   severity="warning")


_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_CONTAINER = re.compile(r"\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")


@register("HG711", "error", family="azure",
          references=(ref.AZ_SERVICE_SAS, ref.AZ_NAMING, ref.AZ_ACCOUNT_NAME))
class SasRecord(Rule):
    """Storage account, container or SAS missing, malformed or mismatched

    ## What it checks
    An `azure` bundle needs `account` (3-24 lower-case letters and digits), `container` (3-63 lower-case
    letters, digits and single hyphens) and `sas`, a token (`sv=...&sig=...`) or a SAS URL. The SAS needs `sv`
    and `sig`, and either `sp` or a stored access policy `si`; a SAS URL must be on
    `https://<account>.blob.core.windows.net/<container>` of the bundle's account and container.

    ## Why it matters
    Hub's Azure dialog takes the account, the container and the SAS; a SAS of another account or container, or
    one missing its signature, is refused at every request.

    ## Fix
    Copy the container's SAS token (or SAS URL) as the portal or az prints it, with the account and container
    it was made for.
    """

    fail_examples = (
        azure_bundle(sas=None),
        azure_bundle(sas=azure_sas(sig=None)),
        azure_bundle(sas=f"https://otheraccount.blob.core.windows.net/{AZURE_CONTAINER}?{azure_sas()}"),
        azure_bundle(account="Acme_Labeling"),
    )
    pass_examples = (
        azure_bundle(),
        azure_bundle(sas=f"https://{AZURE_ACCOUNT}.blob.core.windows.net/{AZURE_CONTAINER}?{azure_sas()}"),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = azure_of(target)
        if b is None:
            return
        missing = [k for k in ("account", "container", "sas") if not b.data.get(k)]
        if missing:
            yield self.finding(b.doc, b.doc.base, f"Azure bundle {b.name!r} lacks {', '.join(missing)}",
                               fix="Add " + ", ".join(missing) + " (the storage account, container and SAS given to Hub)")
        if b.account and not _ACCOUNT.fullmatch(b.account):
            yield self.finding(b.doc, b.doc.pointer("account"),
                               f"Storage account name {b.account!r} is not 3-24 lower-case letters and digits",
                               fix="Use the storage account's name as the portal shows it")
        if b.container and not _CONTAINER.fullmatch(b.container):
            yield self.finding(b.doc, b.doc.pointer("container"),
                               f"Container name {b.container!r} is not 3-63 lower-case letters, digits and single hyphens",
                               fix="Use the container's name as the portal shows it")
        sas = bundle_sas(b)
        if sas is None:
            return
        ptr = sas_pointer(b)
        if sas.problem:
            yield self.finding(b.doc, ptr, f"The SAS {sas.problem} (value not shown)", fix=self.fix)
            return
        lacking = [k for k in ("sv", "sig") if not sas.get(k)]
        if sas.get("sp") is None and sas.get("si") is None:
            lacking.append("sp (or si)")
        if lacking:
            yield self.finding(b.doc, ptr, f"The SAS lacks {', '.join(lacking)} (value not shown)", fix=self.fix)
        if sas.url:
            suffix = "." + target.profile.blob_host_suffix
            host = sas.host or ""
            if not host.endswith(suffix):
                yield self.finding(b.doc, ptr, f"The SAS URL is on host {host!r}, not <account>{suffix}",
                                   fix=f"Use https://{b.account or '<account>'}{suffix}/{b.container or '<container>'}?<token>")
            elif b.account and host[: -len(suffix)] != b.account:
                yield self.finding(b.doc, ptr,
                                   f"The SAS URL is for account {host[: -len(suffix)]!r}, but account is {b.account!r}",
                                   fix="Give the SAS of this account, or correct account")
            first = (sas.path or "").strip("/").split("/", 1)[0]
            if first and b.container and first != b.container:
                yield self.finding(b.doc, ptr,
                                   f"The SAS URL is for container {first!r}, but container is {b.container!r}",
                                   fix="Give the SAS of this container, or correct container")
