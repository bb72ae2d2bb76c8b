"""Terraform plans: the JSON of ``terraform show -json PLANFILE`` (format_version 0.1 - 1.x).

Where values come from, in order:

* ``planned_values`` (root module and every ``child_modules`` level): managed resources with the values
  they will have; attributes known only after apply are absent there (``after_unknown`` in
  ``resource_changes``).
* ``prior_state``: data sources read during planning (``aws_iam_policy_document``,
  ``aws_caller_identity``) and resources already in the state.
* ``configuration``: references between resources (``expressions.*.references``), used when a value is
  unknown at plan time (a policy ARN, a role name given by reference), and provider regions
  (``provider_config``, constant or a ``var.*`` reference resolved from the plan's ``variables``).

Supported resources: ``aws_iam_role`` (``assume_role_policy``, ``inline_policy`` blocks,
``managed_policy_arns``), ``aws_iam_role_policy``, ``aws_iam_policy`` with ``aws_iam_role_policy_attachment``
or ``aws_iam_policy_attachment``, ``aws_s3_bucket`` (with the inline ``cors_rule`` of AWS provider < 4),
``aws_s3_bucket_cors_configuration``, data sources ``aws_iam_policy_document`` (its ``json``) and
``aws_caller_identity`` (the account of a role whose ARN is not yet known).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..source import Document, join_pointer
from .assemble import PLACEHOLDER_ACCOUNT, BucketSpec, PolicySource, RoleChoice, RoleSpec, Unresolved
from .options import IacOptions
from .shape import check_shape

PLAN_KEYS = ("planned_values", "configuration", "resource_changes", "prior_state")


def is_plan(data: Any) -> bool:
    return isinstance(data, dict) and "format_version" in data and any(k in data for k in PLAN_KEYS)


@dataclass
class Res:
    address: str
    module: str  # "" or "module.a.module.b"
    type: str
    name: str
    mode: str
    values: dict
    pointer: str
    config: dict | None = None  # the configuration entry (expressions, provider_config_key)
    config_pointer: str | None = None

    @property
    def base_address(self) -> str:
        """Address without the instance key: ``aws_s3_bucket.b["x"]`` -> ``aws_s3_bucket.b``."""
        return re.sub(r"\[[^\]]*\]$", "", self.address)

    def v(self, *tokens: Any) -> str:
        return join_pointer(self.pointer, "values", *tokens)

    def refs(self, attr: str) -> list[str]:
        """Absolute addresses this resource's configuration references for ``attr``."""
        expr = ((self.config or {}).get("expressions") or {}).get(attr)
        out = []
        for e in (expr if isinstance(expr, list) else [expr]):
            if isinstance(e, dict):
                for r in e.get("references") or []:
                    out.append(f"{self.module}.{r}" if self.module and not r.startswith(("var.", "local.")) else r)
        return out


def _module_of(address: str) -> str:
    parts = re.findall(r'module\.[^.\[]+(?:\[[^\]]*\])?', address.split(".data.")[0])
    prefix = []
    rest = address
    for p in parts:
        if rest.startswith(p + "."):
            prefix.append(re.sub(r"\[[^\]]*\]$", "", p))
            rest = rest[len(p) + 1:]
        else:
            break
    return ".".join(prefix)


def _walk_module(mod: Any, ptr: str) -> Iterator[tuple[dict, str]]:
    if not isinstance(mod, dict):
        return
    for i, r in enumerate(mod.get("resources") or []):
        if isinstance(r, dict):
            yield r, join_pointer(ptr, "resources", i)
    for i, child in enumerate(mod.get("child_modules") or []):
        yield from _walk_module(child, join_pointer(ptr, "child_modules", i))


def _config_index(plan: dict) -> dict[str, tuple[dict, str]]:
    out: dict[str, tuple[dict, str]] = {}

    def walk(mod: Any, ptr: str, prefix: str) -> None:
        if not isinstance(mod, dict):
            return
        for i, r in enumerate(mod.get("resources") or []):
            if isinstance(r, dict) and "address" in r:
                addr = f"{prefix}.{r['address']}" if prefix else r["address"]
                out[addr] = (r, join_pointer(ptr, "resources", i))
        for name, call in (mod.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), join_pointer(ptr, "module_calls", name, "module"),
                     f"{prefix}.module.{name}" if prefix else f"module.{name}")

    walk((plan.get("configuration") or {}).get("root_module"), "/configuration/root_module", "")
    return out


class Plan:
    def __init__(self, doc: Document):
        self.doc = doc
        data = doc.data
        self.data = data
        self.resources: list[Res] = []
        seen: set[str] = set()
        config = _config_index(data)
        sources = [
            ((data.get("planned_values") or {}).get("root_module"), "/planned_values/root_module"),
            (((data.get("prior_state") or {}).get("values") or {}).get("root_module"), "/prior_state/values/root_module"),
        ]
        for mod, ptr in sources:
            for r, rptr in _walk_module(mod, ptr):
                addr = r.get("address")
                if not isinstance(addr, str) or addr in seen:
                    continue
                seen.add(addr)
                values = r.get("values") if isinstance(r.get("values"), dict) else {}
                res = Res(addr, _module_of(addr), str(r.get("type", "")), str(r.get("name", "")),
                          str(r.get("mode", "managed")), values, rptr)
                cfg = config.get(res.base_address)
                if cfg:
                    res.config, res.config_pointer = cfg
                self.resources.append(res)
        self.by_address = {r.address: r for r in self.resources}
        self.by_base: dict[str, list[Res]] = {}
        for r in self.resources:
            self.by_base.setdefault(r.base_address, []).append(r)
        self.unknown: dict[str, dict] = {}
        for rc in data.get("resource_changes") or []:
            if isinstance(rc, dict) and isinstance(rc.get("change"), dict):
                unk = rc["change"].get("after_unknown")
                if isinstance(unk, dict):
                    self.unknown[rc.get("address", "")] = unk

    def of_type(self, type_: str, mode: str = "managed") -> list[Res]:
        return [r for r in self.resources if r.type == type_ and r.mode == mode]

    def lookup(self, ref: str) -> Res | None:
        """The resource a reference names (``aws_iam_policy.read.arn`` -> ``aws_iam_policy.read``)."""
        parts = ref.split(".")
        for n in range(len(parts), 1, -1):
            cand = ".".join(parts[:n])
            if cand in self.by_address:
                return self.by_address[cand]
            if cand in self.by_base and len(self.by_base[cand]) == 1:
                return self.by_base[cand][0]
        return None

    def is_unknown(self, res: Res, attr: str) -> bool:
        return bool(self.unknown.get(res.address, {}).get(attr))

    # ------------------------------------------------------------------------------------------ values

    def variable(self, name: str) -> Any:
        var = (self.data.get("variables") or {}).get(name)
        return var.get("value") if isinstance(var, dict) else None

    def provider_region(self, key: str | None) -> tuple[str | None, str | None]:
        providers = (self.data.get("configuration") or {}).get("provider_config") or {}
        entry = providers.get(key or "aws") or providers.get("aws")
        if not isinstance(entry, dict):
            return None, None
        name = next((k for k, v in providers.items() if v is entry), "aws")
        expr = (entry.get("expressions") or {}).get("region")
        ptr = join_pointer("/configuration/provider_config", name, "expressions", "region")
        if not isinstance(expr, dict):
            return None, None
        if isinstance(expr.get("constant_value"), str):
            return expr["constant_value"], join_pointer(ptr, "constant_value")
        for ref in expr.get("references") or []:
            if ref.startswith("var."):
                value = self.variable(ref[4:])
                if isinstance(value, str):
                    return value, join_pointer("/variables", ref[4:], "value")
        return None, None

    def region_of(self, res: Res) -> tuple[str | None, str | None]:
        if isinstance(res.values.get("region"), str) and res.values["region"]:
            return res.values["region"], res.v("region")
        key = (res.config or {}).get("provider_config_key")
        return self.provider_region(key)

    def policy_doc(self, res: Res, attr: str, what: str, unresolved: list[Unresolved],
                   value: Any = None, value_ptr: str | None = None) -> PolicySource | None:
        """A policy given as a JSON string in ``attr`` or by reference to an aws_iam_policy_document."""
        value = res.values.get(attr) if value is None else value
        ptr = value_ptr or res.v(attr)
        if isinstance(value, str) and value.strip():
            return PolicySource(_json(self.doc.file, value, ptr), ptr, f"{res.address}.{attr}")
        if isinstance(value, dict):  # jsonencode() of a known value is already a string; be lenient
            return PolicySource(value, ptr, f"{res.address}.{attr}")
        for ref in res.refs(attr):
            target = self.lookup(ref)
            if target is not None and target.type == "aws_iam_policy_document" and target.mode == "data":
                js = target.values.get("json")
                if isinstance(js, str) and js.strip():
                    jptr = target.v("json")
                    return PolicySource(_json(self.doc.file, js, jptr), jptr, f"{target.address}.json")
                unresolved.append(Unresolved(target.pointer, f"{what}: {target.address}.json is not known until apply"))
                return None
        unresolved.append(Unresolved(res.pointer, f"{what}: {res.address}.{attr} is not known until apply"))
        return None


def _json(file: str, text: str, ptr: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(file, f"{ptr}: policy is not valid JSON: {exc}") from None


def _names_role(plan: Plan, res: Res, attr: str, role: Res, role_name: str | None) -> bool:
    v = res.values.get(attr)
    vals = v if isinstance(v, list) else [v]
    if role_name is not None and role_name in vals:
        return True
    return any(plan.lookup(r) is role for r in res.refs(attr))


def _cors_rules(rules: Any, res: Res, key: str, ptr_of) -> tuple[dict, str, dict[str, str]]:
    """Terraform cors_rule blocks in S3 API form, with the map from the S3-form pointers to the plan's."""
    base = res.pointer
    out = []
    cmap: dict[str, str] = {}
    names = [("allowed_headers", "AllowedHeaders"), ("allowed_methods", "AllowedMethods"),
             ("allowed_origins", "AllowedOrigins"), ("expose_headers", "ExposeHeaders")]
    cmap[join_pointer(base, "CORSRules")] = ptr_of(key)
    for i, r in enumerate(rules):
        if not isinstance(r, dict):
            continue
        rule: dict[str, Any] = {}
        rp = join_pointer(base, "CORSRules", len(out))
        cmap[rp] = ptr_of(key, i)
        for tf, s3 in names:
            vals = r.get(tf)
            if isinstance(vals, list) and vals:
                rule[s3] = [str(v) for v in vals]
                cmap[join_pointer(rp, s3)] = ptr_of(key, i, tf)
                for j in range(len(vals)):
                    cmap[join_pointer(rp, s3, j)] = ptr_of(key, i, tf, j)
        if r.get("id"):
            rule["ID"] = str(r["id"])
        if isinstance(r.get("max_age_seconds"), int) and r["max_age_seconds"]:
            rule["MaxAgeSeconds"] = r["max_age_seconds"]
            cmap[join_pointer(rp, "MaxAgeSeconds")] = ptr_of(key, i, "max_age_seconds")
        out.append(rule)
    return {"CORSRules": out}, base, cmap


def _buckets(plan: Plan, unresolved: list[Unresolved]) -> list[BucketSpec]:
    out = []
    cors_configs = plan.of_type("aws_s3_bucket_cors_configuration")
    for b in plan.of_type("aws_s3_bucket"):
        name = b.values.get("bucket")
        if not isinstance(name, str) or not name:
            unresolved.append(Unresolved(b.pointer, f"The name of bucket {b.address} is not known until apply "
                                                    f"(bucket_prefix or a computed value); it is left out"))
            continue
        region, region_ptr = plan.region_of(b)
        spec = BucketSpec(name=name, pointer=b.pointer, name_pointer=b.v("bucket"), label=b.address,
                          region=region, region_pointer=region_ptr)
        inline = b.values.get("cors_rule")
        if isinstance(inline, list) and inline:
            spec.cors, spec.cors_base, spec.cors_map = _cors_rules(inline, b, "cors_rule", b.v)
        for c in cors_configs:
            if _names_role(plan, c, "bucket", b, name):
                spec.cors, spec.cors_base, spec.cors_map = _cors_rules(c.values.get("cors_rule") or [], c,
                                                                       "cors_rule", c.v)
                spec.label = c.address
                break
        out.append(spec)
    return out


def _account(plan: Plan, options: IacOptions) -> tuple[str | None, str]:
    """The account (and partition) of roles whose ARN is not in the plan."""
    for r in plan.of_type("aws_caller_identity", "data"):
        acct = r.values.get("account_id")
        if isinstance(acct, str) and acct:
            arn = r.values.get("arn")
            part = arn.split(":")[1] if isinstance(arn, str) and arn.count(":") >= 5 else "aws"
            return acct, part
    return options.account_id, "aws"


def _role_spec(plan: Plan, role: Res, buckets: list[BucketSpec], options: IacOptions, trust: PolicySource | None,
               unresolved: list[Unresolved]) -> RoleSpec:
    v = role.values
    name = v.get("name") if isinstance(v.get("name"), str) and v.get("name") else None
    if name is None:
        unresolved.append(Unresolved(role.pointer, f"The name of role {role.address} is not known until apply; "
                                                   f"{role.name!r} (its resource name) is used"))
    arn = v.get("arn") if isinstance(v.get("arn"), str) and v.get("arn") else None
    arn_ptr = role.v("arn") if arn else role.v("name") if name else role.pointer
    if arn is None:
        account, partition = _account(plan, options)
        if account is None:
            account = PLACEHOLDER_ACCOUNT
            unresolved.append(Unresolved(role.pointer, (
                f"The account of role {role.address} is not in the plan (no data.aws_caller_identity); "
                f"role_arn uses {PLACEHOLDER_ACCOUNT} (set the account id to check the real ARN)")))
        path = v.get("path") if isinstance(v.get("path"), str) and v.get("path") else "/"
        arn = f"arn:{partition}:iam::{account}:role{path}{name or role.name}"

    perms: list[PolicySource] = []

    def add(src: PolicySource | None) -> None:
        if src is not None and all(p.base != src.base for p in perms):
            perms.append(src)

    for i, ip in enumerate(v.get("inline_policy") or []):
        if isinstance(ip, dict) and ip.get("policy"):
            add(plan.policy_doc(role, "inline_policy", f"Inline policy {ip.get('name')!r} of {role.address}",
                                unresolved, ip["policy"], role.v("inline_policy", i, "policy")))
    for rp in plan.of_type("aws_iam_role_policy"):
        if _names_role(plan, rp, "role", role, name):
            add(plan.policy_doc(rp, "policy", f"Policy {rp.address}", unresolved))

    policies = plan.of_type("aws_iam_policy")

    def attach(arn_value: Any, refs: list[str], where: str) -> None:
        target = None
        for ref in refs:
            t = plan.lookup(ref)
            if t is not None and t.type == "aws_iam_policy":
                target = t
                break
        if target is None and isinstance(arn_value, str):
            target = next((p for p in policies if p.values.get("arn") == arn_value), None)
        if target is not None:
            add(plan.policy_doc(target, "policy", f"Policy {target.address}", unresolved))
        elif isinstance(arn_value, str):
            unresolved.append(Unresolved(where, (
                f"Managed policy {arn_value!r} attached to {role.address} is not defined in the plan; its "
                f"document is not checked")))
        else:
            unresolved.append(Unresolved(where, f"A policy attached to {role.address} is not known until apply"))

    for at in plan.of_type("aws_iam_role_policy_attachment"):
        if _names_role(plan, at, "role", role, name):
            attach(at.values.get("policy_arn"), at.refs("policy_arn"), at.pointer)
    for at in plan.of_type("aws_iam_policy_attachment"):
        if _names_role(plan, at, "roles", role, name):
            attach(at.values.get("policy_arn"), at.refs("policy_arn"), at.pointer)
    managed = v.get("managed_policy_arns")
    if isinstance(managed, list):
        for i, a in enumerate(managed):
            attach(a, [], role.v("managed_policy_arns", i))
    refs = role.refs("managed_policy_arns")
    for ref in refs:
        t = plan.lookup(ref)
        if t is not None and t.type == "aws_iam_policy" and not (isinstance(managed, list) and t.values.get("arn") in managed):
            add(plan.policy_doc(t, "policy", f"Policy {t.address}", unresolved))

    region, region_ptr = plan.region_of(role)
    return RoleSpec(
        source="terraform", label=role.address, pointer=role.pointer, name=name or role.name,
        name_pointer=role.v("name") if name else role.pointer, role_arn=arn, arn_pointer=arn_ptr,
        trust=trust, permissions=perms, buckets=buckets, region=region,
        region_pointer=region_ptr, unresolved=unresolved,
    )


def load_plan(doc: Document, options: IacOptions | None = None) -> list:
    """One bundle per role of the plan the vendor could assume (or per role in ``options.roles``)."""
    options = options or IacOptions.from_env()
    if not is_plan(doc.data):
        raise InputError(doc.file, "not a Terraform plan (`terraform show -json` output)")
    check_shape("plan", doc, "Terraform plan")
    plan = Plan(doc)
    choice = RoleChoice(doc, "Terraform plan", options)
    for role in plan.of_type("aws_iam_role"):
        choice.found.append(role.address)
        unresolved: list[Unresolved] = []
        role_name = role.values.get("name")
        if options.roles:
            if not choice.named((role_name, role.address, role.base_address)):
                continue
            trust = plan.policy_doc(role, "assume_role_policy", f"Trust policy of {role.address}", unresolved)
        else:
            probe: list[Unresolved] = []
            trust = plan.policy_doc(role, "assume_role_policy", f"Trust policy of {role.address}", probe)
            if not choice.vendor_could_assume(trust):
                continue
        buckets = _buckets(plan, unresolved)
        choice.add(_role_spec(plan, role, buckets, options, trust, unresolved))
    return choice.bundles()
