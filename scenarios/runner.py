"""Run the live scenarios for one bundle on one backend.

The bundle drives everything: its buckets (renamed with a unique run suffix), its permission policy
(bucket ARNs rewritten to the renamed buckets), its trust policy (the profile's trusted principal
rewritten to a delegate user created on the backend), its CORS rules and its external ID are what gets
provisioned. The Hub identity that reads objects is a user carrying the permission policy (the
policy a role session would carry); the trust side is proven separately with a role.

Honest results: each scenario first runs a negative control on canonical resources (a tampered
signature, a missing external ID, a write by a read-only identity, ...). A check whose control the
backend did not get right cannot be judged on this backend: it is ``not-enforced``, never ``pass``.
A scenario is ``fail`` when a check whose controls held shows the integration wrong, ``not-enforced``
when some check could not be judged, ``pass`` otherwise. Everything created gets a unique name and is
removed in ``finally``; nothing else is touched.
"""

from __future__ import annotations

import functools
import json
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlparse

from botocore.exceptions import ClientError

from .backends import Backend, BackendError, Credentials
from .catalog import SCENARIOS
from .journal import Journal
from .probes import denied, http_get, poll_status, preflight, show_url, tamper
from .provision import (
    ASSUME_ANY,
    cors_rules,
    read_only_policy,
    remove_action,
    rewrite_buckets,
    rewrite_principal,
    unique_bucket,
)
from .signals import critical

PROBE_KEY = "hubgate/probe.txt"
VICTIM_KEY = "hubgate/delete-me.txt"
ENCODING_KEYS = ("hubgate/file 2.jpg", "hubgate/a+b c.jpg", "hubgate/ünïcode dir/猫 1.jpg")
CONTROL_ORIGIN = "https://allowed.hubgate.invalid"
OTHER_ORIGIN = "https://not-the-hub.hubgate.invalid"
RUN_TAG = "hubgate-run"


@dataclass
class Result:
    scenario: str
    backend: str
    result: str
    evidence: list[str] = field(default_factory=list)
    bundle: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = {"scenario": self.scenario, "backend": self.backend, "result": self.result, "evidence": self.evidence}
        if self.bundle is not None:
            d["bundle"] = self.bundle
        return d


class Verdict:
    """Controls and checks of one scenario, and the honest result they add up to."""

    def __init__(self) -> None:
        self.controls: dict[str, bool] = {}
        self.checks: list[tuple[str, bool, tuple[str, ...] | None]] = []
        self.evidence: list[str] = []

    def control(self, name: str, held: bool, evidence: str) -> bool:
        self.controls[name] = held
        self.evidence.append(f"control {name}: {evidence} -> {'enforced' if held else 'NOT enforced by this backend'}")
        return held

    def check(self, name: str, ok: bool, evidence: str, needs: tuple[str, ...] | None = None) -> bool:
        self.checks.append((name, ok, needs))
        if ok:
            mark = "ok"
        elif self.held(needs):
            mark = "WRONG"
        else:
            mark = "not judged (this backend does not enforce the control)"
        self.evidence.append(f"check {name}: {evidence} -> {mark}")
        return ok

    def note(self, text: str) -> None:
        self.evidence.append(text)

    def held(self, needs: tuple[str, ...] | None) -> bool:
        names = self.controls if needs is None else needs
        return all(self.controls.get(n, False) for n in names)

    def result(self) -> str:
        if any(not ok and self.held(needs) for _, ok, needs in self.checks):
            return "fail"
        if any(not self.held(needs) for _, _, needs in self.checks):
            return "not-enforced"
        return "pass" if self.checks else "not-enforced"


# -- provisioning -----------------------------------------------------------------------------------------
class Context:
    """One bundle provisioned on one backend; ``cleanup()`` removes exactly what ``provision()`` made."""

    def __init__(self, bundle, backend: Backend, run: str | None = None):
        self.bundle = bundle
        self.backend = backend
        self.run = run or secrets.token_hex(3)
        self.created: list[tuple[str, str]] = []
        self._names: dict[str, int] = {}
        self.buckets: dict[str, str] = {}  # bundle name -> unique name
        self.regions: dict[str, str] = {}
        self.hub_policy: dict | None = None
        self.hub: Credentials | None = None
        self.control: Credentials | None = None
        self.ctl_bucket = f"hubgate-ctl-{self.run}"
        self.out_bucket = f"hubgate-out-{self.run}"
        self.hub_user = f"hubgate-hub-{self.run}"
        self.ctl_user = f"hubgate-ctl-{self.run}"

    def name(self, kind: str) -> str:
        """hubgate-KIND-RUN, with a counter after KIND when a scenario runs again in the same context."""
        n = self._names.get(kind, 0)
        self._names[kind] = n + 1
        return f"hubgate-{kind}{n if n else ''}-{self.run}"

    def _bucket(self, name: str, region: str | None = None) -> None:
        with critical():  # made and remembered together: a signal cannot leave it unremoved
            self.backend.create_bucket(name, region)
            self.created.append(("bucket", name))
        try:  # the journal's secret token: --cleanup removes a bucket only when it carries it
            self.backend.tag_bucket(name, {RUN_TAG: self.backend.run_token or self.run})
        except Exception:  # tagging is for --cleanup of stragglers only
            pass

    def user(self, kind: str, policy: dict | None) -> Credentials:
        name = self.name(kind)
        with critical():
            creds = self.backend.create_user(name, policy)
            self.created.append(("user", name))
        return creds

    def role(self, kind: str, trust: dict, policy: dict | None = None) -> str:
        name = self.name(kind)
        with critical():
            arn = self.backend.create_role(name, trust, policy)
            self.created.append(("role", name))
        return arn

    def provision(self) -> None:
        b = self.bundle
        for bucket in b.buckets:
            unique = unique_bucket(bucket.name, self.run)
            self.buckets[bucket.name] = unique
            self.regions[bucket.name] = b.bucket_region(bucket)
        for bucket in b.buckets:
            unique = self.buckets[bucket.name]
            self._bucket(unique, self.regions[bucket.name])
            self.backend.put_object(unique, PROBE_KEY, f"hubgate probe {bucket.name} {self.run}".encode())
            self.backend.put_object(unique, VICTIM_KEY, b"hubgate: a read-only identity must not delete this")
            rules = cors_rules(bucket.cors.data if bucket.cors is not None else None)
            if rules:
                self.backend.put_cors(unique, rules)
        self._bucket(self.ctl_bucket)
        self.backend.put_object(self.ctl_bucket, PROBE_KEY, b"hubgate control")
        self.backend.put_cors(self.ctl_bucket, [{"AllowedOrigins": [CONTROL_ORIGIN], "AllowedMethods": ["GET", "HEAD"],
                                                 "AllowedHeaders": ["*"], "MaxAgeSeconds": 60}])
        self._bucket(self.out_bucket)
        self.backend.put_object(self.out_bucket, PROBE_KEY, b"hubgate outside the bundle")
        raw = b.permission_policy.doc.data if b.permission_policy is not None else None
        self.hub_policy = rewrite_buckets(raw, self.buckets) if raw is not None else None
        self.hub = self.user("hub", self.hub_policy)
        self.control = self.user("ctl", read_only_policy(self.ctl_bucket))

    def cleanup(self) -> list[str]:
        problems = []
        for kind, name in reversed(self.created):
            try:
                {"bucket": self.backend.delete_bucket, "user": self.backend.delete_user,
                 "role": self.backend.delete_role}[kind](name)
            except Exception as exc:
                problems.append(f"could not remove {kind} {name}: {exc}")
        self.created.clear()
        return problems

    # helpers for scenarios
    def s3(self, creds: Credentials | None):
        return self.backend.client("s3", creds)

    def try_call(self, creds: Credentials | None, op: str, **kwargs) -> tuple[bool, str]:
        try:
            getattr(self.s3(creds), op)(**kwargs)
            return True, "allowed"
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            return False, f"refused {status} {exc.response.get('Error', {}).get('Code')}"


# -- scenarios -------------------------------------------------------------------------------------------
Scenario = Callable[[Context, Verdict], str | None]


def _needs_buckets(scenario: Scenario) -> Scenario:
    """A scenario skipped (with the reason) when the bundle lists no buckets."""
    @functools.wraps(scenario)
    def run(ctx: Context, v: Verdict) -> str | None:
        return scenario(ctx, v) if ctx.buckets else "the bundle lists no buckets"

    return run


def _first_bucket(ctx: Context) -> tuple[str, str, str]:
    """The bundle's first bucket: its name, the unique name it has on the backend, and its region."""
    first = next(iter(ctx.buckets))
    return first, ctx.buckets[first], ctx.regions[first]


def sc_assume_role(ctx: Context, v: Verdict) -> str | None:
    b = ctx.bundle
    if b.access_type != "iam-delegated" or b.trust_policy is None:
        return f"access_type {b.access_type}: no role and trust policy to assume"
    be = ctx.backend
    ctl_ext = secrets.token_hex(12)
    step = "CreateUser with an sts:AssumeRole policy"
    try:
        delegate = ctx.user("delegate", ASSUME_ANY)
        other = ctx.user("other", ASSUME_ANY)
        ctl_trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": delegate.arn}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ctl_ext}}}]}
        step = "CreateRole with a canonical trust policy"
        ctl_role = ctx.role("ctlrole", ctl_trust)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        v.control("roles", False, f"{step} -> {err.get('Code')}: {err.get('Message')}")
        v.check("trust policy", False, "the bundle's trust policy could not be provisioned on this backend", ("roles",))
        return None
    ok, ev = be.assume_role(delegate, ctl_role, ctl_ext)
    v.control("right-id-accepted", ok, f"AssumeRole of the control role by the trusted principal with its external ID {ev}")
    ok, ev = be.assume_role(delegate, ctl_role, "hubgate-wrong-" + ctl_ext)
    v.control("wrong-id-refused", not ok, f"... with a wrong external ID {ev}")
    ok, ev = be.assume_role(delegate, ctl_role, None)
    v.control("missing-id-refused", not ok, f"... without an external ID {ev}")
    ok, ev = be.assume_role(other, ctl_role, ctl_ext)
    v.control("other-principal-refused", not ok, f"... by another principal with the right external ID {ev}")

    trust = rewrite_principal(b.trust_policy.doc.data, b.profile.trusted_principal, delegate.arn)
    v.note(f"bundle trust policy provisioned with {b.profile.trusted_principal} played by {delegate.arn}")
    role = ctx.role("role", trust, ctx.hub_policy)
    ext = b.external_id
    ok, ev = be.assume_role(delegate, role, ext)
    v.check("right-id", ok, f"AssumeRole by the trusted principal with the record's external ID {ev}",
            ("right-id-accepted",))
    ok, ev = be.assume_role(delegate, role, "hubgate-wrong-" + (ext or "id"))
    v.check("wrong-id", not ok, f"AssumeRole with a wrong external ID {ev}", ("wrong-id-refused", "right-id-accepted"))
    ok, ev = be.assume_role(delegate, role, None)
    v.check("missing-id", not ok, f"AssumeRole without an external ID {ev}", ("missing-id-refused", "right-id-accepted"))
    ok, ev = be.assume_role(other, role, ext)
    v.check("other-principal", not ok, f"AssumeRole by another principal with the record's external ID {ev}",
            ("other-principal-refused", "right-id-accepted"))
    return None


@_needs_buckets
def sc_read_only(ctx: Context, v: Verdict) -> str | None:
    ok, ev = ctx.try_call(ctx.control, "put_object", Bucket=ctx.ctl_bucket, Key="hubgate/written.txt", Body=b"x")
    v.control("read-only-put", not ok, f"PutObject by a read-only identity {ev}")
    for name, unique in ctx.buckets.items():
        ok, ev = ctx.try_call(ctx.hub, "put_object", Bucket=unique, Key="hubgate/written.txt", Body=b"x")
        v.check(f"put {name}", not ok, f"PutObject s3://{unique}/hubgate/written.txt by the Hub identity {ev}")
        ok, ev = ctx.try_call(ctx.hub, "delete_object", Bucket=unique, Key=VICTIM_KEY)
        v.check(f"delete {name}", not ok, f"DeleteObject s3://{unique}/{VICTIM_KEY} by the Hub identity {ev}")
    return None


@_needs_buckets
def sc_presigned_get(ctx: Context, v: Verdict) -> str | None:
    be = ctx.backend
    with be.presign_mode():
        url = be.presign(ctx.control, ctx.out_bucket, PROBE_KEY)
        status, _ = http_get(url)
        v.control("unauthorised-url-refused", denied(status),
                  f"GET {show_url(url)} signed by an identity without access -> {status}")
        for name, unique in ctx.buckets.items():
            url = be.presign(ctx.hub, unique, PROBE_KEY, region=ctx.regions[name])
            status, body = http_get(url)
            ok = status == 200 and body.startswith(b"hubgate probe")
            v.check(f"get {name}", ok, f"GET {show_url(url)} signed by the Hub identity -> {status}")
    return None


@_needs_buckets
def sc_revocation(ctx: Context, v: Verdict) -> str | None:
    be = ctx.backend
    if ctx.hub_policy is None:
        return "the bundle has no permission policy to edit"
    action = ctx.bundle.profile.revocation_action
    ctl_policy = read_only_policy(ctx.ctl_bucket)
    with be.presign_mode():
        url = be.presign(ctx.control, ctx.ctl_bucket, PROBE_KEY)
        before, _ = http_get(url)
        be.set_user_policy(ctx.ctl_user, remove_action(ctl_policy, action)[0])
        after, refused = poll_status(url, denied, 1.0)
        be.set_user_policy(ctx.ctl_user, ctl_policy)
        restored, _ = poll_status(url, lambda s: s == 200, 2.0)
        v.control("revoke-control", before == 200 and refused,
                  f"control URL {before}; after removing {action} from a read-only policy {after}; restored {restored}")
        _, unique, region = _first_bucket(ctx)
        url = be.presign(ctx.hub, unique, PROBE_KEY, expires=600, region=region)
        before, _ = http_get(url)
        v.check("allowed", before == 200, f"GET {show_url(url)} signed by the Hub identity while {action} is allowed "
                                          f"-> {before}")
        revoked, still = remove_action(ctx.hub_policy, action)
        if still:
            v.note(f"after removing {action} the permission policy still grants it through {', '.join(still)}")
        if not v.controls["revoke-control"]:
            v.note("revocation not tried on the bundle: this backend does not invalidate live URLs")
            return None
        be.set_user_policy(ctx.hub_user, revoked)
        try:
            after, refused = poll_status(url, denied, 3.0)
            v.check("revoked", refused, f"same URL after {action} was removed from the permission policy -> {after}")
        finally:
            be.set_user_policy(ctx.hub_user, ctx.hub_policy)
        restored, ok = poll_status(url, lambda s: s == 200, 3.0)
        v.check("restored", ok, f"same URL after the permission policy was restored -> {restored}")
    return None


@_needs_buckets
def sc_presign_expiry(ctx: Context, v: Verdict) -> str | None:
    be = ctx.backend
    _, unique, region = _first_bucket(ctx)
    past = time.time() - 120
    with be.presign_mode():
        url = be.presign_at(ctx.control, ctx.ctl_bucket, PROBE_KEY, past, 600)
        s, _ = http_get(url)
        v.control("signed-earlier-valid", s == 200, f"GET of a control URL signed 120 s ago, valid 600 s -> {s}")
        url = be.presign_at(ctx.control, ctx.ctl_bucket, PROBE_KEY, past, 60)
        s, _ = http_get(url)
        v.control("expired-refused", denied(s), f"GET of a control URL signed 120 s ago, valid 60 s (expired) -> {s}")
        hub = be.presign(ctx.hub, unique, PROBE_KEY, expires=60, region=region)
        s, _ = http_get(hub)
        v.check("fresh", s == 200, f"GET {show_url(hub)} signed by the Hub identity, before expiry -> {s}")
        hub = be.presign_at(ctx.hub, unique, PROBE_KEY, past, 60, region=region)
        s, _ = http_get(hub)
        v.check("expired", denied(s), f"GET {show_url(hub)} signed by the Hub identity 120 s ago (expired) -> {s}")
    return None


@_needs_buckets
def sc_presign_tamper(ctx: Context, v: Verdict) -> str | None:
    be = ctx.backend
    _, unique, region = _first_bucket(ctx)
    with be.presign_mode():
        ctl = be.presign(ctx.control, ctx.ctl_bucket, PROBE_KEY)
        s, _ = http_get(tamper(ctl, "signature"))
        v.control("tampered-refused", denied(s), f"GET of a control URL with one signature digit changed -> {s}")
        hub = be.presign(ctx.hub, unique, PROBE_KEY, region=region)
        s, _ = http_get(hub)
        v.check("untouched", s == 200, f"GET {show_url(hub)} as signed -> {s}")
        victim_path = urlparse(be.object_url(unique, VICTIM_KEY)).path
        for what in ("signature", "key", "expiry"):
            s, _ = http_get(tamper(hub, what, victim_path))
            v.check(f"tampered {what}", denied(s), f"GET of the Hub URL with its {what} changed -> {s}")
    return None


@_needs_buckets
def sc_cors(ctx: Context, v: Verdict) -> str | None:
    with ctx.backend.presign_mode():  # browsers send preflights without credentials
        return _cors(ctx, v)


def _cors(ctx: Context, v: Verdict) -> None:
    be = ctx.backend
    ok, ev = preflight(be.preflight_url(ctx.ctl_bucket, PROBE_KEY), CONTROL_ORIGIN)
    v.control("allowed-origin", ok, f"{ev} (bucket CORS allows it)")
    ok, ev = preflight(be.preflight_url(ctx.ctl_bucket, PROBE_KEY), OTHER_ORIGIN)
    v.control("other-origin", not ok, f"{ev} (bucket CORS does not allow it)")
    ok, ev = preflight(be.preflight_url(ctx.out_bucket, PROBE_KEY), CONTROL_ORIGIN)
    v.control("no-cors-bucket", not ok, f"{ev} (bucket without CORS configuration)")
    origins = ctx.bundle.profile.cors_origins
    for bucket in ctx.bundle.buckets:
        unique = ctx.buckets[bucket.name]
        has_cors = bool(cors_rules(bucket.cors.data if bucket.cors is not None else None))
        if not has_cors:
            v.note(f"bucket {bucket.name} has no CORS configuration in the bundle")
        base = ("allowed-origin",) if has_cors else ("allowed-origin", "no-cors-bucket")
        url = be.preflight_url(unique, PROBE_KEY)
        for origin in origins:
            ok, ev = preflight(url, origin)
            v.check(f"{bucket.name} {origin}", ok, ev, base)
        ok, ev = preflight(url, OTHER_ORIGIN)
        v.check(f"{bucket.name} other origin", not ok, ev, ("other-origin",) if has_cors else ("no-cors-bucket",))
    return None


def sc_isolation(ctx: Context, v: Verdict) -> str | None:
    ok, ev = ctx.try_call(ctx.control, "get_object", Bucket=ctx.out_bucket, Key=PROBE_KEY)
    v.control("outside-read-refused", not ok, f"GetObject outside its bucket by a read-only identity {ev}")
    ok, ev = ctx.try_call(ctx.hub, "get_object", Bucket=ctx.out_bucket, Key=PROBE_KEY)
    v.check("get outside", not ok, f"GetObject s3://{ctx.out_bucket}/{PROBE_KEY} (not in the bundle) by the Hub {ev}")
    ok, ev = ctx.try_call(ctx.hub, "list_objects_v2", Bucket=ctx.out_bucket)
    v.check("list outside", not ok, f"ListObjectsV2 s3://{ctx.out_bucket} by the Hub identity {ev}")
    return None


def manifest_url(bucket: str, region: str, key: str) -> str:
    """The import manifest's URL form (seed 004): virtual-hosted, region present, UTF-8 percent-encoded."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{quote(key, safe='/~')}"


def key_from_manifest_url(url: str) -> tuple[str, str]:
    """(bucket, key) as the Hub reads them: percent-decoding only, a '+' stays a '+'."""
    p = urlparse(url)
    return p.hostname.split(".s3.")[0], unquote(p.path.lstrip("/"))


@_needs_buckets
def sc_key_encoding(ctx: Context, v: Verdict) -> str | None:
    be = ctx.backend
    first, unique, region = _first_bucket(ctx)
    bodies = {}
    with be.presign_mode():
        for i, key in enumerate(ENCODING_KEYS):
            bodies[key] = f"hubgate key {i}".encode()
            be.put_object(unique, key, bodies[key])
        missing = be.presign(ctx.hub, unique, "hubgate/file+2.jpg", region=region)
        s, _ = http_get(missing)
        v.control("other-key-not-found", s != 200,
                  f"'file 2.jpg' written with '+' for the space (hubgate/file+2.jpg) is another key -> {s}")
        for key in ENCODING_KEYS:
            murl = manifest_url(first, region, key)
            _, parsed = key_from_manifest_url(murl)
            url = be.presign(ctx.hub, unique, parsed, region=region)
            s, body = http_get(url)
            v.check(f"key {key!r}", s == 200 and body == bodies[key] and parsed == key,
                    f"manifest URL {murl} -> key {parsed!r} -> GET {show_url(url)} -> {s}"
                    + ("" if s != 200 or body == bodies[key] else " (another object's content)"))
    return None


SCENARIO_FUNCS: dict[str, Scenario] = {
    "assume-role-external-id": sc_assume_role,
    "read-only-enforced": sc_read_only,
    "presigned-get": sc_presigned_get,
    "revocation-invalidates-urls": sc_revocation,
    "presign-expiry": sc_presign_expiry,
    "presign-tamper": sc_presign_tamper,
    "cors-preflight": sc_cors,
    "cross-bucket-isolation": sc_isolation,
    "key-encoding": sc_key_encoding,
}
assert set(SCENARIO_FUNCS) == set(SCENARIOS)


def run_scenario(ctx: Context, scenario: str) -> Result:
    v = Verdict()
    t0 = time.monotonic()
    try:
        skipped = SCENARIO_FUNCS[scenario](ctx, v)
    except Exception as exc:  # a backend error is reported, never turned into pass or fail
        v.note(f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        return Result(scenario, ctx.backend.name, "skipped", v.evidence, ctx.bundle.name, time.monotonic() - t0)
    if skipped:
        return Result(scenario, ctx.backend.name, "skipped", v.evidence + [skipped], ctx.bundle.name,
                      time.monotonic() - t0)
    limit = ctx.backend.limits
    result = v.result()
    if result == "not-enforced" and limit:
        v.note("backend limits: " + "; ".join(limit.values()))
    return Result(scenario, ctx.backend.name, result, v.evidence, ctx.bundle.name, time.monotonic() - t0)


def run_bundle(bundle, backend: Backend, scenarios: list[str] | None = None) -> list[Result]:
    """Provision ``bundle`` on a started backend, run the scenarios, remove what was provisioned."""
    ids = scenarios or list(SCENARIOS)
    ctx = Context(bundle, backend)
    try:
        try:
            ctx.provision()
        except Exception as exc:
            why = f"provisioning failed: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            return [Result(s, backend.name, "skipped", [why], bundle.name) for s in ids]
        return [run_scenario(ctx, s) for s in ids]
    finally:
        problems = ctx.cleanup()
        for p in problems:
            print(f"hubgate: {p}", file=sys.stderr)


def cleanup_stragglers(backend: Backend) -> list[str]:
    """Remove what killed runs against this server left, as their journals record it: a bucket only when it
    still carries the run's secret tag, a user or role only when it still has the recorded unique id.
    Nothing is chosen by name. What a journal names but can no longer be proven to be the run's stays."""
    removed = []
    key = backend.journal.endpoint if backend.journal is not None else None
    for j in (Journal.pending(key) if key else []):
        if j.token == backend.run_token:
            continue  # this run's own journal (its admin user): removed by its own stop()
        left, kept = [], []
        for kind, name, ident in reversed(j.entries):
            try:
                if backend.is_ours(kind, name, ident, j.token):
                    {"bucket": backend.delete_bucket, "user": backend.delete_user, "role": backend.delete_role}[kind](name)
                    removed.append(f"{kind} {name}")
            except Exception as exc:
                left.append(f"{kind} {name}: {type(exc).__name__}")
                kept.insert(0, [kind, name, ident])
        backend.adopt(j.notes)
        j.notes = {}
        j.entries = kept
        j._write()  # kept for a later --cleanup when something could not be removed; else deleted
        for x in left:
            removed.append(f"could not remove {x}")
    return removed


__all__ = ["Result", "Verdict", "Context", "run_bundle", "run_scenario", "cleanup_stragglers", "BackendError",
           "json"]
