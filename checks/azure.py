"""HG7xx: Azure Blob Storage integrations (``provider: azure``).

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
import json
import re
from typing import Iterable

from hubgate.bundle import Bundle, Sas, parse_sas
from hubgate.example import AZURE_ACCOUNT, AZURE_CONTAINER, azure_bundle, azure_cors, azure_sas
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, foreign_fields, register
from hubgate.source import Document, join_pointer

PERMISSION_NAMES = {
    "r": "read", "a": "add", "c": "create", "w": "write", "d": "delete", "x": "delete version",
    "y": "permanent delete", "l": "list", "t": "tags", "f": "filter by tags", "m": "move", "e": "execute",
    "o": "change ownership", "p": "permissions or process", "i": "set immutability policy", "u": "update",
}
SERVICES = {"b": "Blob", "f": "File", "q": "Queue", "t": "Table"}


def _azure(target: Target) -> Bundle | None:
    b = target.bundle
    return b if b is not None and b.provider == "azure" else None


def _sas(b: Bundle) -> Sas | None:
    return parse_sas(b.sas.value) if b.sas is not None else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def parse_time(value: str) -> dt.datetime | None:
    """A SAS time (``st``/``se``): ISO 8601 UTC, date only or with time (``2027-05-22T00:00:00Z``)."""
    text = value.strip()
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


def _sas_ptr(b: Bundle) -> str:
    return b.doc.pointer("sas")


def _shown(sas: Sas, *keys: str) -> str:
    """SAS fields for a message (never ``sig``)."""
    return "&".join(f"{k}={sas.get(k)}" for k in keys if k != "sig" and sas.get(k) is not None)


def _letters(perms: str) -> str:
    return ", ".join(f"{c} ({PERMISSION_NAMES.get(c, 'unknown')})" for c in perms)


def _new_sas_fix(b: Bundle, profile) -> str:
    days = min(profile.max_sas_lifetime_days, 180)
    return (f"az storage container generate-sas --account-name {b.account or '<account>'} --name "
            f"{b.container or '<container>'} --permissions {profile.sas_permissions} --https-only --expiry "
            f"<date within {days} days> (with --auth-mode login --as-user for a user delegation SAS), and give Hub the new token")


# --- HG701-HG705: the SAS --------------------------------------------------------------------------------


@register
class SasTooWide(Rule):
    id = "HG701"
    severity = "error"
    title = "SAS grants more than read and list"
    family = "azure"
    what = (
        "The SAS permissions (`sp`) must be a subset of the profile's (`rl`: read, list). Any other letter "
        "(`a`dd, `c`reate, `w`rite, `d`elete, `x`, `y`, `t`ags, `m`ove, `o`wnership, `p`ermissions, `i`mmutability, "
        "...) is a finding."
    )
    why = (
        "Hub only reads. A SAS that can also write or delete lets anyone holding Hub's token -- Hub, or whoever "
        "obtains it -- change or destroy the labeled data; a SAS cannot be narrowed after it is issued."
    )
    fix = "Issue a new SAS with permissions rl only (and revoke the old one by rotating the key or its stored access policy)."
    fail_examples = (azure_bundle(sas=azure_sas(sp="racwdl")), azure_bundle(sas=azure_sas(sp="rlw")))
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(sp="r")))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        sas = _sas(b) if b else None
        if sas is None or sas.problem or sas.get("sp") is None:
            return
        allowed = set(target.profile.sas_permissions)
        extra = "".join(c for c in sas.get("sp") if c not in allowed)
        if extra:
            yield self.finding(
                b.doc, _sas_ptr(b),
                f"The SAS permissions sp={sas.get('sp')} include {_letters(extra)}, beyond read and list",
                fix=_new_sas_fix(b, target.profile),
            )


@register
class SasCannotRead(Rule):
    id = "HG702"
    severity = "error"
    title = "SAS lacks read or list"
    family = "azure"
    what = (
        "The SAS permissions (`sp`) must hold every profile letter (`r` to read blobs, `l` to list the "
        "container), and a service SAS must be for the container (`sr=c`): a blob SAS (`sr=b`) cannot list. "
        "A SAS tied to a stored access policy (`si`) without `sp` is not judged."
    )
    why = "Hub lists the container to import and reads each blob; without either the import or the display fails."
    fix = "Issue a container SAS with permissions rl."
    fail_examples = (azure_bundle(sas=azure_sas(sp="r")), azure_bundle(sas=azure_sas(sr="b")))
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(sp=None, si="ango-hub-read")))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        sas = _sas(b) if b else None
        if sas is None or sas.problem:
            return
        sp = sas.get("sp")
        if sp is not None:
            missing = "".join(c for c in target.profile.sas_permissions if c not in sp)
            if missing:
                yield self.finding(
                    b.doc, _sas_ptr(b),
                    f"The SAS permissions sp={sp} lack {_letters(missing)}, so Hub cannot "
                    f"{'list the container' if missing == 'l' else 'read the blobs' if missing == 'r' else 'read or list'}",
                    fix=_new_sas_fix(b, target.profile),
                )
        sr = sas.get("sr")
        if sr is not None and sr != "c":
            yield self.finding(
                b.doc, _sas_ptr(b),
                f"The SAS is for sr={sr} (a single {'blob' if sr.startswith('b') else 'directory' if sr == 'd' else 'resource'}), "
                f"not the container (sr=c), so Hub cannot list {b.container or 'the container'!r}",
                fix=_new_sas_fix(b, target.profile),
            )


@register
class SasHttp(Rule):
    id = "HG703"
    severity = "warning"
    title = "SAS allows HTTP"
    family = "azure"
    what = "The SAS must set the protocol the profile requires (`spr=https`). A missing `spr` allows HTTP as well as HTTPS."
    why = (
        "A SAS used over plain HTTP travels in clear text: anyone on the path reads the token (and the "
        "data) and can reuse it until it expires."
    )
    fix = "Issue the SAS with --https-only (spr=https)."
    fail_examples = (azure_bundle(sas=azure_sas(spr="https,http")), azure_bundle(sas=azure_sas(spr=None)))
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        sas = _sas(b) if b else None
        if sas is None or sas.problem:
            return
        spr = sas.get("spr")
        want = target.profile.sas_protocol
        if spr == want or (want == "https,http" and spr in ("https", "http,https")):
            return
        state = f"spr={spr}" if spr is not None else "no spr (HTTP and HTTPS)"
        yield self.finding(b.doc, _sas_ptr(b), f"The SAS allows {state}, not only {want}",
                           fix=_new_sas_fix(b, target.profile))


@register
class SasExpiry(Rule):
    id = "HG704"
    severity = "error"
    title = "SAS expiry missing, past, or too far"
    family = "azure"
    what = (
        "An ad hoc SAS must carry an expiry (`se`) that parses and lies in the future (error otherwise); its "
        "lifetime, from `st` (or now) to `se`, should not exceed the profile's `max_sas_lifetime_days` "
        "(warning). A SAS tied to a stored access policy (`si`) keeps its expiry there and is not judged."
    )
    why = (
        "An expired SAS stops every import and asset display at once; one valid for years cannot be revoked "
        "except by rotating the account key, so a leaked token stays useful for its whole lifetime."
    )
    fix = "Issue a SAS with an expiry within the profile's bound, and renew it before it ends (or use a stored access policy)."
    fail_examples = (
        azure_bundle(sas=azure_sas(se=None)),
        azure_bundle(sas=azure_sas(st="2019-01-01T00:00:00Z", se="2020-01-01T00:00:00Z")),
        azure_bundle(sas=azure_sas(st=None, se="2099-12-31T00:00:00Z")),
    )
    pass_examples = (azure_bundle(), azure_bundle(sas=azure_sas(se=None, st=None, sp=None, si="ango-hub-read")))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        sas = _sas(b) if b else None
        if sas is None or sas.problem:
            return
        fix = _new_sas_fix(b, target.profile)
        se = sas.get("se")
        if se is None:
            if sas.get("si") is None:
                yield self.finding(b.doc, _sas_ptr(b), "The SAS has no expiry (se) and no stored access policy (si)", fix=fix)
            return
        end = parse_time(se)
        if end is None:
            yield self.finding(b.doc, _sas_ptr(b), f"The SAS expiry se={se} is not an ISO 8601 UTC time", fix=fix)
            return
        now = _now()
        if end <= now:
            yield self.finding(b.doc, _sas_ptr(b), f"The SAS expired at se={se}: Hub can no longer read", fix=fix)
            return
        st = parse_time(sas.get("st") or "") if sas.get("st") else None
        start = st if st is not None and st > now else now
        days = (end - start).total_seconds() / 86400
        limit = target.profile.max_sas_lifetime_days
        if days > limit:
            yield self.finding(
                b.doc, _sas_ptr(b),
                f"The SAS is valid until se={se}, {int(days)} days from {'its start' if start is st else 'now'}, "
                f"longer than the profile's {limit} days",
                fix=fix, severity="warning",
            )


@register
class AccountSas(Rule):
    id = "HG705"
    severity = "error"
    title = "Account-level SAS"
    family = "azure"
    what = (
        "Hub should get a service SAS for its container, not an account SAS (one with `ss`/`srt`). An account "
        "SAS for services other than Blob (`ss` with f, q, t) or for service-level operations (`srt` with s) "
        "is an error; one for Blob containers and objects only is a warning: it still reaches every container "
        "of the account."
    )
    why = (
        "An account SAS is signed with the account key and covers every container (and with `ss`/`srt` beyond "
        "`b`/`co`, file shares, queues, tables and the account's service settings): far more than the one "
        "container Hub imports from."
    )
    fix = "Issue a service SAS for the container (az storage container generate-sas) instead."
    fail_examples = (
        azure_bundle(sas=azure_sas(sr=None, ss="bfqt", srt="sco")),
        azure_bundle(sas=azure_sas(sr=None, ss="b", srt="co")),
    )
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        sas = _sas(b) if b else None
        if sas is None or sas.problem:
            return
        ss, srt = sas.get("ss"), sas.get("srt")
        if ss is None and srt is None:
            return
        other = [SERVICES.get(c, c) for c in (ss or "") if c != "b"]
        service_level = "s" in (srt or "")
        fix = _new_sas_fix(b, target.profile)
        shown = _shown(sas, "ss", "srt")
        if other or service_level:
            parts = []
            if other:
                parts.append(f"the {', '.join(other)} service{'s' if len(other) > 1 else ''}")
            if service_level:
                parts.append("service-level operations (srt=s)")
            yield self.finding(b.doc, _sas_ptr(b),
                               f"The SAS is an account SAS ({shown}) that also reaches {' and '.join(parts)}", fix=fix)
        else:
            yield self.finding(b.doc, _sas_ptr(b),
                               f"The SAS is an account SAS ({shown}): it reaches every container of account "
                               f"{b.account or '?'!r}, not only {b.container or 'the container'!r}",
                               fix=fix, severity="warning")


# --- HG706-HG709: Blob service CORS -----------------------------------------------------------------------


def cors_rules(doc: Document | None) -> list[tuple[str, dict]]:
    """(pointer, rule) for each rule of a Blob CORS document, in any of the accepted forms."""
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
    return [(join_pointer(base, i), r) for i, r in enumerate(data) if isinstance(r, dict)]


def _field(rule: dict, name: str) -> tuple[str | None, list[str]]:
    """(key as written, values) of a rule field, camelCase or PascalCase; comma-separated strings split."""
    for key in (name, name[:1].upper() + name[1:]):
        if key in rule:
            v = rule[key]
            values = [s.strip() for s in v.split(",")] if isinstance(v, str) else [str(x).strip() for x in v or ()]
            return key, [x for x in values if x]
    return None, []


def _origin_ok(rule: dict, origin: str) -> bool:
    for o in _field(rule, "allowedOrigins")[1]:
        if o == "*" or o == origin:
            return True
        if o.count("*") == 1:
            pre, suf = o.split("*")
            if len(origin) >= len(pre) + len(suf) and origin.startswith(pre) and origin.endswith(suf):
                return True
    return False


def _method_ok(rule: dict, method: str) -> bool:
    return method.upper() in {m.upper() for m in _field(rule, "allowedMethods")[1]}


def _suggest(profile) -> str:
    return json.dumps({"corsRules": [{"allowedOrigins": list(profile.cors_origins),
                                      "allowedMethods": sorted(set(profile.cors_methods) | {"HEAD", "OPTIONS"}),
                                      "allowedHeaders": ["*"], "exposedHeaders": ["*"], "maxAgeInSeconds": 3600}]})


def _cors_cli(b: Bundle, profile) -> str:
    return (f"az storage cors add --services b --account-name {b.account or '<account>'} --origins "
            f"{' '.join(profile.cors_origins)} --methods {' '.join(profile.cors_methods)} HEAD OPTIONS "
            f"--allowed-headers '*' --exposed-headers '*' --max-age 3600")


@register
class BlobNoCors(Rule):
    id = "HG706"
    severity = "error"
    title = "Blob service has no CORS rules"
    family = "azure"
    what = "An `azure` bundle needs the Blob service CORS rules (`cors:`) with at least one rule."
    why = (
        "Hub's web app loads blobs in the browser; without CORS headers from the Blob service the browser "
        "refuses them, so assets do not display even with a valid SAS."
    )
    fix = "Add a Blob service CORS rule for the Hub origins with GET (az storage cors add --services b ...)."
    fail_examples = (azure_bundle(cors=None), azure_bundle(cors={"corsRules": []}))
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        if b is None or cors_rules(b.cors):
            return
        doc = b.cors if b.cors is not None else b.doc
        ptr = b.cors.base if b.cors is not None else b.doc.base
        state = "empty CORS rules" if b.cors is not None else "no CORS rules (cors:)"
        yield self.finding(doc, ptr,
                           f"The Blob service of account {b.account or '?'!r} has {state}, so browsers on "
                           f"{', '.join(target.profile.cors_origins)} cannot load its blobs",
                           fix=f"{_cors_cli(b, target.profile)}; in the bundle: cors: {_suggest(target.profile)}")


@register
class BlobOriginMissing(Rule):
    id = "HG707"
    severity = "error"
    title = "Hub origin allowed by no Blob CORS rule"
    family = "azure"
    what = "Every profile origin must be in the `allowedOrigins` of some Blob CORS rule (exactly, or `*`). One finding per missing origin."
    why = "An origin Hub runs on that no rule allows gets no CORS headers, and the browser blocks the asset."
    fix = "Add the origin to allowedOrigins of the rule that allows GET."
    fail_examples = (azure_bundle(cors=azure_cors("https://hub.ango.ai")),)
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        rules = cors_rules(b.cors) if b else []
        if not rules:
            return
        getters = [(p, r) for p, r in rules if _method_ok(r, "GET")] or rules
        ptr0, r0 = getters[0]
        key = _field(r0, "allowedOrigins")[0]
        for origin in target.profile.cors_origins:
            if any(_origin_ok(r, origin) for _, r in rules):
                continue
            yield self.finding(b.cors, join_pointer(ptr0, key) if key else ptr0,
                               f"No Blob CORS rule of account {b.account or '?'!r} allows origin {origin!r}",
                               fix=f"Add \"{origin}\" to allowedOrigins of CORS rule {ptr0.rsplit('/', 1)[-1]}")


@register
class BlobMethodMissing(Rule):
    id = "HG708"
    severity = "error"
    title = "Blob CORS rule for a Hub origin does not allow GET"
    family = "azure"
    what = (
        "For each profile origin some rule allows (else HG707), a rule must allow the origin with each profile "
        "method (`GET`). The finding points at the first rule matching the origin."
    )
    why = "Hub's browser fetches blobs with GET; a rule for Hub's origin without GET gives the GET no CORS headers."
    fix = 'Add "GET" to allowedMethods of the rule that matches the Hub origin.'
    fail_examples = (azure_bundle(cors=azure_cors(methods=("PUT",))),)
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        rules = cors_rules(b.cors) if b else []
        problems: dict[tuple[str, str], list[str]] = {}
        for origin in target.profile.cors_origins:
            matching = [(p, r) for p, r in rules if _origin_ok(r, origin)]
            if not matching:
                continue
            for method in target.profile.cors_methods:
                if not any(_method_ok(r, method) for _, r in matching):
                    problems.setdefault((matching[0][0], method), []).append(origin)
        for (ptr, method), origins in problems.items():
            rule = next(r for p, r in rules if p == ptr)
            key, methods = _field(rule, "allowedMethods")
            yield self.finding(
                b.cors, join_pointer(ptr, key) if key else ptr,
                f"Blob CORS rule {ptr.rsplit('/', 1)[-1]} matches {', '.join(repr(o) for o in origins)} but allows "
                f"only {', '.join(methods) or 'no method'}, not {method}",
                fix=f"Add \"{method}\" to allowedMethods of CORS rule {ptr.rsplit('/', 1)[-1]}",
            )


@register
class BlobOriginTooWide(Rule):
    id = "HG709"
    severity = "warning"
    title = "Blob CORS allows any origin or origins outside the profile"
    family = "azure"
    what = "Every allowed origin of every Blob CORS rule should be a profile origin; `*`, wildcard patterns and other sites are findings."
    why = (
        "CORS decides which web pages may read what the Blob service returns to a browser: `*` or another site "
        "lets pages that are not Hub read responses, for example from SAS URLs that leak into them."
    )
    fix = "List exactly the Hub origins in allowedOrigins."
    fail_examples = (azure_bundle(cors=azure_cors("*")),)
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        if b is None:
            return
        wanted = list(target.profile.cors_origins)
        for ptr, rule in cors_rules(b.cors):
            key, origins = _field(rule, "allowedOrigins")
            raw = rule.get(key) if key else None
            for j, origin in enumerate(origins):
                if origin in wanted:
                    continue
                idx = ptr.rsplit("/", 1)[-1]
                where = join_pointer(ptr, key, j) if isinstance(raw, list) else join_pointer(ptr, key)
                if origin == "*":
                    msg = f"Blob CORS rule {idx} allows any origin ('*')"
                    fix = f"Replace '*' with the Hub origins {', '.join(wanted)}"
                else:
                    msg = f"Blob CORS rule {idx} allows origin {origin!r}, which is not a Hub origin"
                    fix = f"Remove {origin!r} from allowedOrigins of CORS rule {idx}"
                yield self.finding(b.cors, where, msg, fix=fix)


# --- HG710-HG712 ---------------------------------------------------------------------------------------------


@register
class PublicContainer(Rule):
    id = "HG710"
    severity = "error"
    title = "Container allows anonymous public access"
    family = "azure"
    what = "When the bundle states it, the container's public access level must be private (`private`/`off`/`None`); `blob` or `container` is a finding."
    why = (
        "Hub reads through its SAS; anonymous access makes every blob (`blob`) -- and with `container` the "
        "listing too -- readable by anyone with the URL, with no token to revoke."
    )
    fix = "az storage container set-permission --name CONTAINER --public-access off (or disallow blob public access on the account)."
    fail_examples = (azure_bundle(public_access="container"), azure_bundle(public_access="blob"))
    pass_examples = (azure_bundle(), azure_bundle(public_access=None))

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        if b is None or b.public_access is None or b.public_access == target.profile.azure_public_access:
            return
        scope = "its blobs and their listing" if b.public_access == "container" else "its blobs"
        yield self.finding(
            b.doc, b.doc.pointer("public_access"),
            f"Container {b.container or '?'!r} has public access level {b.data.get('public_access')!r}: anyone can read {scope} without a SAS",
            fix=f"az storage container set-permission --account-name {b.account or '<account>'} --name "
                f"{b.container or '<container>'} --public-access off (and set public_access: private)",
        )


_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_CONTAINER = re.compile(r"\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")


@register
class SasRecord(Rule):
    id = "HG711"
    severity = "error"
    title = "Storage account, container or SAS missing, malformed or mismatched"
    family = "azure"
    what = (
        "An `azure` bundle needs `account` (3-24 lower-case letters and digits), `container` (3-63 lower-case "
        "letters, digits and single hyphens) and `sas`, a token (`sv=...&sig=...`) or a SAS URL. The SAS needs "
        "`sv` and `sig`, and either `sp` or a stored access policy `si`; a SAS URL must be on "
        "`https://<account>.blob.core.windows.net/<container>` of the bundle's account and container."
    )
    why = (
        "Hub's Azure dialog takes the account, the container and the SAS; a SAS of another account or "
        "container, or one missing its signature, is refused at every request."
    )
    fix = "Copy the container's SAS token (or SAS URL) as the portal or az prints it, with the account and container it was made for."
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
        b = _azure(target)
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
        sas = _sas(b)
        if sas is None:
            return
        ptr = _sas_ptr(b)
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




@register
class ForeignFieldsAzure(Rule):
    id = "HG712"
    severity = "warning"
    title = "Fields of another provider in an Azure bundle"
    family = "azure"
    what = (
        "An `azure` bundle should carry no AWS fields (`role_arn`, `external_id`, `trust_policy`, "
        "`permission_policy`, keys, `access_type`, `endpoint`) and no GCP fields (`service_account`, "
        "`credentials`, IAM policies, `uniform_bucket_level_access`). One finding per field."
    )
    why = (
        "Hub's Azure dialog takes an account, a container and a SAS: such fields are not what Hub uses, and "
        "usually mean the bundle was copied from another provider."
    )
    fix = "Remove the field, or set provider to the provider it belongs to."
    fail_examples = (azure_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnly"),)
    pass_examples = (azure_bundle(),)

    def check(self, target: Target) -> Iterable[Finding]:
        b = _azure(target)
        if b is None:
            return
        yield from foreign_fields(self, b, "Azure")
