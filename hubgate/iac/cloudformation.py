"""CloudFormation templates (YAML with short-form intrinsic tags, or JSON).

Short forms (``!Ref X``, ``!Sub ...``, ``!GetAtt A.B``, ``!Join``, ``!If``, ...) are loaded as their long
forms (``{"Ref": "X"}``, ``{"Fn::Sub": ...}``); every value keeps its line and column. Intrinsics are then
resolved statically where the template alone decides the value: ``Ref`` to parameters (their
``Default``), to buckets/roles/managed policies of the template and to pseudo parameters
(``AWS::Partition`` is taken as ``aws``, ``AWS::URLSuffix`` as ``amazonaws.com``; ``AWS::AccountId`` and
``AWS::Region`` only when given as options), ``Fn::Sub``, ``Fn::GetAtt`` (``Arn`` of buckets and roles),
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``, ``Fn::If`` with conditions over
parameters (``Fn::Equals``/``Fn::And``/``Fn::Or``/``Fn::Not``/``Condition``) and ``AWS::NoValue``.
Anything else (``Fn::ImportValue``, ``Fn::GetAZs``, parameters without a default, generated names, ...)
stays visibly unresolved (``<unresolved ...>`` in the value) and is listed for HG801.

Supported resources: ``AWS::IAM::Role`` (``AssumeRolePolicyDocument``, inline ``Policies``,
``ManagedPolicyArns``), ``AWS::IAM::ManagedPolicy`` and ``AWS::IAM::Policy`` (attached through their
``Roles``, or by ``Ref`` in the role's ``ManagedPolicyArns``), ``AWS::IAM::RolePolicy``,
``AWS::S3::Bucket`` (``BucketName``, ``CorsConfiguration.CorsRules`` mapped to the S3 API form:
``ExposedHeaders`` -> ``ExposeHeaders``, ``MaxAge`` -> ``MaxAgeSeconds``, ``Id`` -> ``ID``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..parsers import yaml_problem
from ..source import Document, join_pointer, parse_text, read_text
from ..yamlcompose import NodeBuilder, nesting_guard
from .assemble import PLACEHOLDER_ACCOUNT, BucketSpec, PolicySource, RoleChoice, RoleSpec, Unresolved
from .options import IacOptions
from .shape import check_shape

_NOVALUE = object()


def is_template(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    res = data.get("Resources")
    return isinstance(res, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith("AWS::") for r in res.values()
    )


# ---------------------------------------------------------------------------------------------- loading


class _TemplateBuilder(NodeBuilder):
    """The node-tree builder, turning short-form tags into the long form, keeping positions."""

    def build(self, node: yaml.Node, pointer: str, depth: int = 0) -> Any:
        tag = node.tag
        if isinstance(tag, str) and tag.startswith("!") and len(tag) > 1:
            name = tag[1:]
            key = name if name in ("Ref", "Condition") else f"Fn::{name}"
            self.positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
            inner_ptr = join_pointer(pointer, key)
            if key == "Fn::GetAtt" and isinstance(node, yaml.ScalarNode):
                self.positions[inner_ptr] = self.positions[pointer]
                return {key: node.value.split(".", 1)}
            plain = type(node)("tag:yaml.org,2002:str" if isinstance(node, yaml.ScalarNode) else
                               "tag:yaml.org,2002:seq" if isinstance(node, yaml.SequenceNode) else
                               "tag:yaml.org,2002:map", node.value, node.start_mark, node.end_mark)
            if isinstance(node, yaml.ScalarNode):
                plain.style = node.style
            return {key: super().build(plain, inner_ptr, depth + 1)}
        return super().build(node, pointer, depth)


def parse_template(text: str, file: str) -> Document:
    """A template's text as a Document with positions, short-form tags in long form."""
    if text.lstrip("\ufeff \t\r\n")[:1] == "{":
        try:
            json.loads(text)
        except ValueError:
            pass
        else:  # JSON has no tags; source's parser handles it (and JSON's number rules)
            return parse_text(text, file)
    positions: dict[str, tuple[int, int]] = {}
    loader = nesting_guard(text, file)
    try:
        nodes = [n for n in yaml.compose_all(text, Loader=loader) if n is not None]
    except RecursionError:
        raise InputError(file, "nested too deeply") from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"not valid YAML/JSON: {yaml_problem(exc)}") from None
    if len(nodes) != 1:
        raise InputError(file, "expected exactly one YAML document (a CloudFormation template)")
    data = _TemplateBuilder(file, positions).build(nodes[0], "")
    return Document(file, data, "", positions)


# -------------------------------------------------------------------------------------------- resolving


class Template:
    def __init__(self, doc: Document, options: IacOptions):
        self.doc = doc
        self.file = doc.file
        self.options = options
        data = doc.data
        self.params = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
        self.mappings = data.get("Mappings") if isinstance(data.get("Mappings"), dict) else {}
        self.conditions = data.get("Conditions") if isinstance(data.get("Conditions"), dict) else {}
        res = data.get("Resources")
        self.resources = {k: v for k, v in res.items() if isinstance(v, dict)} if isinstance(res, dict) else {}
        self.issues: list[Unresolved] = []
        self._cond_cache: dict[str, Any] = {}

    def ptr(self, logical: str, *tokens: Any) -> str:
        return join_pointer("/Resources", logical, *tokens)

    def props(self, logical: str) -> dict:
        p = self.resources[logical].get("Properties")
        return p if isinstance(p, dict) else {}

    def of_type(self, type_: str) -> list[str]:
        return [k for k, v in self.resources.items() if v.get("Type") == type_]

    # --- values -------------------------------------------------------------------------------------

    def unresolved(self, what: str, ptr: str, why: str) -> str:
        self.issues.append(Unresolved(ptr, f"{what} cannot be resolved statically: {why}"))
        return f"<unresolved {what}>"

    def resolve(self, value: Any, ptr: str) -> Any:
        if isinstance(value, list):
            out = []
            for i, v in enumerate(value):
                r = self.resolve(v, join_pointer(ptr, i))
                if r is not _NOVALUE:
                    out.append(r)
            return out
        if isinstance(value, dict):
            if len(value) == 1:
                (k, v), = value.items()
                if k == "Ref" or k.startswith("Fn::"):
                    return self.intrinsic(k, v, ptr)
            out = {}
            for k, v in value.items():
                r = self.resolve(v, join_pointer(ptr, k))
                if r is not _NOVALUE:
                    out[k] = r
            return out
        return value

    def intrinsic(self, fn: str, arg: Any, ptr: str) -> Any:
        inner = join_pointer(ptr, fn)
        short = fn.replace("Fn::", "!") if fn != "Ref" else "!Ref"
        if fn == "Ref":
            return self.ref(arg, ptr)
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                return self.getatt(parts[0], parts[1], ptr)
            return self.unresolved(f"{short} {arg!r}", ptr, "malformed Fn::GetAtt")
        if fn == "Fn::Sub":
            return self.sub(arg, ptr)
        if fn == "Fn::Join":
            if isinstance(arg, list) and len(arg) == 2:
                delim = self.resolve(arg[0], join_pointer(inner, 0))
                items = self.resolve(arg[1], join_pointer(inner, 1))
                if isinstance(delim, str) and isinstance(items, list) and all(
                        isinstance(i, str) and not _is_marker(i) for i in items):
                    return delim.join(items)
                if isinstance(items, list) and any(_is_marker(i) for i in items if isinstance(i, str)):
                    return "<unresolved !Join>"
            return self.unresolved("!Join", ptr, "its parts are not all known")
        if fn == "Fn::Select":
            if isinstance(arg, list) and len(arg) == 2:
                idx = self.resolve(arg[0], join_pointer(inner, 0))
                items = self.resolve(arg[1], join_pointer(inner, 1))
                try:
                    if isinstance(items, list):
                        return items[int(idx)]
                except (ValueError, TypeError, IndexError):
                    pass
            return self.unresolved("!Select", ptr, "the list or index is not known")
        if fn == "Fn::Split":
            if isinstance(arg, list) and len(arg) == 2:
                delim = self.resolve(arg[0], join_pointer(inner, 0))
                s = self.resolve(arg[1], join_pointer(inner, 1))
                if isinstance(delim, str) and isinstance(s, str) and not _is_marker(s):
                    return s.split(delim)
            return self.unresolved("!Split", ptr, "the string is not known")
        if fn == "Fn::FindInMap":
            if isinstance(arg, list) and len(arg) >= 3:
                keys = [self.resolve(a, join_pointer(inner, i)) for i, a in enumerate(arg[:3])]
                try:
                    return self.mappings[keys[0]][keys[1]][keys[2]]
                except (KeyError, TypeError):
                    pass
            return self.unresolved("!FindInMap", ptr, "the map keys are not known")
        if fn == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
                cond = self.condition(arg[0])
                if cond is True:
                    return self.resolve(arg[1], join_pointer(inner, 1))
                if cond is False:
                    return self.resolve(arg[2], join_pointer(inner, 2))
            name = arg[0] if isinstance(arg, list) and arg else arg
            return self.unresolved(f"!If {name}", ptr, "the condition depends on values known only at deploy time")
        what = {"Fn::ImportValue": "another stack's export", "Fn::GetAZs": "the deploying region",
                "Fn::Base64": "an encoded value", "Fn::Transform": "a macro"}.get(fn, "an intrinsic hubgate does not evaluate")
        return self.unresolved(short, ptr, f"it depends on {what}")

    def ref(self, name: Any, ptr: str) -> Any:
        if not isinstance(name, str):
            return self.unresolved("!Ref", ptr, "malformed Ref")
        pseudo = {
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": _NOVALUE,
            "AWS::AccountId": self.options.account_id, "AWS::Region": self.options.region,
        }
        if name in pseudo:
            if pseudo[name] is None:
                return self.unresolved(f"!Ref {name}", ptr, "it is the deploying account's/region's")
            return pseudo[name]
        if name in self.params:
            p = self.params[name] if isinstance(self.params[name], dict) else {}
            if "Default" in p:
                v = p["Default"]
                if str(p.get("Type", "")).startswith(("CommaDelimitedList", "List<")) and isinstance(v, str):
                    return [s.strip() for s in v.split(",")]
                return v if not isinstance(v, (int, float)) or isinstance(v, bool) else str(v)
            return self.unresolved(f"!Ref {name}", ptr, f"parameter {name} has no Default")
        if name in self.resources:
            type_ = self.resources[name].get("Type")
            if type_ == "AWS::S3::Bucket":
                return self.bucket_name(name) or self.unresolved(f"!Ref {name}", ptr, "the bucket's name is generated")
            if type_ == "AWS::IAM::Role":
                return self.role_name(name) or self.unresolved(f"!Ref {name}", ptr, "the role's name is generated")
            if type_ == "AWS::IAM::ManagedPolicy":
                pname = self.resolve(self.props(name).get("ManagedPolicyName"), self.ptr(name, "Properties", "ManagedPolicyName"))
                acct = self.options.account_id
                if isinstance(pname, str) and acct and not _is_marker(pname):
                    return f"arn:aws:iam::{acct}:policy{self.path(name)}{pname}"
            return self.unresolved(f"!Ref {name}", ptr, f"the physical id of {type_} {name} is assigned on deploy")
        return self.unresolved(f"!Ref {name}", ptr, f"{name} is neither a parameter nor a resource of the template")

    def getatt(self, logical: str, attr: str, ptr: str) -> Any:
        type_ = (self.resources.get(logical) or {}).get("Type")
        if type_ == "AWS::S3::Bucket" and attr == "Arn":
            name = self.bucket_name(logical)
            if name:
                return f"arn:aws:s3:::{name}"
        if type_ == "AWS::IAM::Role" and attr == "Arn":
            name, acct = self.role_name(logical), self.options.account_id
            if name and acct:
                return f"arn:aws:iam::{acct}:role{self.path(logical)}{name}"
        return self.unresolved(f"!GetAtt {logical}.{attr}", ptr, "the attribute is known only after deploy")

    def sub(self, arg: Any, ptr: str) -> Any:
        inner = join_pointer(ptr, "Fn::Sub")
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            text = arg[0]
            for k, v in arg[1].items():
                variables[k] = self.resolve(v, join_pointer(inner, 1, k))
        elif isinstance(arg, str):
            text = arg
        else:
            return self.unresolved("!Sub", ptr, "malformed Fn::Sub")
        missing: list[str] = []

        def repl(m: re.Match) -> str:
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                v = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.resources:
                v = self._quiet(lambda: self.getatt(*name.split(".", 1), ptr))
            else:
                v = self._quiet(lambda: self.ref(name, ptr))
            if not isinstance(v, str) or _is_marker(v):
                missing.append(name)
                return "${" + name + "}"
            return v

        out = re.sub(r"\$\{([^}]+)\}", repl, text)
        if missing:
            return self.unresolved(f"!Sub {text!r}", ptr, f"{', '.join(missing)} is not known statically")
        return out

    def _quiet(self, fn):
        n = len(self.issues)
        try:
            return fn()
        finally:
            del self.issues[n:]

    def condition(self, name: str) -> Any:
        if name in self._cond_cache:
            return self._cond_cache[name]
        self._cond_cache[name] = None  # cycles are unknown
        body = self.conditions.get(name)
        value = self._cond(body) if body is not None else None
        self._cond_cache[name] = value
        return value

    def _cond(self, c: Any) -> Any:
        if isinstance(c, dict) and len(c) == 1:
            (k, v), = c.items()
            if k == "Condition" and isinstance(v, str):
                return self.condition(v)
            if k in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not") and isinstance(v, list):
                if k == "Fn::Equals" and len(v) == 2:
                    a, b = (self._quiet(lambda x=x: self.resolve(x, "")) for x in v)
                    if any(isinstance(x, str) and _is_marker(x) for x in (a, b)):
                        return None
                    return a == b
                vals = [self._cond(x) for x in v]
                if k == "Fn::Not":
                    return None if vals[0] is None else not vals[0]
                if k == "Fn::And":
                    return False if False in vals else None if None in vals else True
                return True if True in vals else None if None in vals else False
        return None

    # --- names --------------------------------------------------------------------------------------

    def path(self, logical: str) -> str:
        p = self.resolve(self.props(logical).get("Path", "/"), self.ptr(logical, "Properties", "Path"))
        return p if isinstance(p, str) and p.startswith("/") else "/"

    def _name(self, logical: str, key: str) -> str | None:
        raw = self.props(logical).get(key)
        if raw is None:
            return None
        v = self._quiet(lambda: self.resolve(raw, self.ptr(logical, "Properties", key)))
        return v if isinstance(v, str) and v and not _is_marker(v) else None

    def bucket_name(self, logical: str) -> str | None:
        return self._name(logical, "BucketName")

    def role_name(self, logical: str) -> str | None:
        return self._name(logical, "RoleName")


def _is_marker(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("<unresolved ")


def _refers_to(t: Template, value: Any, logical: str, name: str | None) -> bool:
    if isinstance(value, dict):
        if value.get("Ref") == logical:
            return True
        return False
    return isinstance(value, str) and name is not None and value == name


# ----------------------------------------------------------------------------------------------- roles

_CORS_KEYS = {"AllowedHeaders": "AllowedHeaders", "AllowedMethods": "AllowedMethods",
              "AllowedOrigins": "AllowedOrigins", "ExposedHeaders": "ExposeHeaders"}


def _buckets(t: Template) -> list[BucketSpec]:
    out = []
    for logical in t.of_type("AWS::S3::Bucket"):
        props = t.props(logical)
        rptr = t.ptr(logical)
        name = None
        if "BucketName" in props:
            name = t.resolve(props["BucketName"], t.ptr(logical, "Properties", "BucketName"))
            if not isinstance(name, str) or _is_marker(name):
                name = None
        else:
            t.issues.append(Unresolved(rptr, f"Bucket {logical} has no BucketName: CloudFormation generates its "
                                             f"name on deploy, so it is left out"))
        if name is None:
            continue
        spec = BucketSpec(name=name, pointer=rptr, name_pointer=t.ptr(logical, "Properties", "BucketName"),
                          label=logical)
        cors = props.get("CorsConfiguration")
        if cors is not None:
            cptr = t.ptr(logical, "Properties", "CorsConfiguration")
            cors = t.resolve(cors, cptr)
            rules = cors.get("CorsRules") if isinstance(cors, dict) else None
            out_rules = []
            cmap = {join_pointer(cptr, "CORSRules"): join_pointer(cptr, "CorsRules")}
            for i, r in enumerate(rules if isinstance(rules, list) else []):
                if not isinstance(r, dict):
                    continue
                rp_syn = join_pointer(cptr, "CORSRules", len(out_rules))
                rp = join_pointer(cptr, "CorsRules", i)
                cmap[rp_syn] = rp
                rule: dict[str, Any] = {}
                for cfn, s3 in _CORS_KEYS.items():
                    vals = r.get(cfn)
                    if _is_marker(vals):  # an unresolved list stays visible as one unresolved entry
                        vals = [vals]
                    if isinstance(vals, list):
                        rule[s3] = [str(v) for v in vals]
                        cmap[join_pointer(rp_syn, s3)] = join_pointer(rp, cfn)
                        for j in range(len(vals)):
                            cmap[join_pointer(rp_syn, s3, j)] = join_pointer(rp, cfn, j)
                if r.get("Id"):
                    rule["ID"] = str(r["Id"])
                if isinstance(r.get("MaxAge"), int):
                    rule["MaxAgeSeconds"] = r["MaxAge"]
                    cmap[join_pointer(rp_syn, "MaxAgeSeconds")] = join_pointer(rp, "MaxAge")
                out_rules.append(rule)
            spec.cors, spec.cors_base, spec.cors_map = {"CORSRules": out_rules}, cptr, cmap
        out.append(spec)
    return out


def _policy_source(t: Template, value: Any, ptr: str, label: str) -> PolicySource | None:
    data = t.resolve(value, ptr)
    if not isinstance(data, dict):
        if not _is_marker(data):
            t.issues.append(Unresolved(ptr, f"Policy document of {label} is not an object"))
        return None
    return PolicySource(data, ptr, label)


def _role_spec(t: Template, logical: str, trust: PolicySource | None, buckets: list[BucketSpec]) -> RoleSpec:
    props = t.props(logical)
    rptr = t.ptr(logical)
    name = t.role_name(logical)
    if name is None:
        t.issues.append(Unresolved(rptr, f"Role {logical} has no literal RoleName: CloudFormation generates it; "
                                         f"{logical!r} is used as the storage name"))
    acct = t.options.account_id
    if acct is None:
        t.issues.append(Unresolved(rptr, (
            f"The account of role {logical} is the deploying stack's (AWS::AccountId); role_arn uses "
            f"{PLACEHOLDER_ACCOUNT} (set the account id to check the real ARN)")))
        acct = PLACEHOLDER_ACCOUNT
    arn = f"arn:aws:iam::{acct}:role{t.path(logical)}{name or logical}"
    perms: list[PolicySource] = []
    for i, p in enumerate(props.get("Policies") or []):
        if isinstance(p, dict) and "PolicyDocument" in p:
            src = _policy_source(t, p["PolicyDocument"], t.ptr(logical, "Properties", "Policies", i, "PolicyDocument"),
                                 f"{logical} policy {p.get('PolicyName')!r}")
            if src:
                perms.append(src)
    attached: list[str] = []
    for i, a in enumerate(props.get("ManagedPolicyArns") or []):
        aptr = t.ptr(logical, "Properties", "ManagedPolicyArns", i)
        if isinstance(a, dict) and isinstance(a.get("Ref"), str) and \
                (t.resources.get(a["Ref"]) or {}).get("Type") == "AWS::IAM::ManagedPolicy":
            attached.append(a["Ref"])
            continue
        v = t.resolve(a, aptr)
        if not _is_marker(v):
            t.issues.append(Unresolved(aptr, f"Managed policy {v!r} attached to {logical} is not defined in the "
                                             f"template; its document is not checked"))
    for type_ in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
        for pl in t.of_type(type_):
            roles = t.props(pl).get("Roles") or []
            if pl in attached or any(_refers_to(t, r, logical, name) for r in (roles if isinstance(roles, list) else [])):
                src = _policy_source(t, t.props(pl).get("PolicyDocument"), t.ptr(pl, "Properties", "PolicyDocument"), pl)
                if src:
                    perms.append(src)
    for pl in t.of_type("AWS::IAM::RolePolicy"):
        if _refers_to(t, t.props(pl).get("RoleName"), logical, name):
            src = _policy_source(t, t.props(pl).get("PolicyDocument"), t.ptr(pl, "Properties", "PolicyDocument"), pl)
            if src:
                perms.append(src)
    return RoleSpec(
        source="cloudformation", label=logical, pointer=rptr, name=name or logical,
        name_pointer=t.ptr(logical, "Properties", "RoleName") if name else rptr, role_arn=arn, arn_pointer=rptr,
        trust=trust, permissions=perms, buckets=buckets, region=t.options.region, unresolved=t.issues,
    )


def load_template(doc: Document, options: IacOptions | None = None) -> list:
    """One bundle per role the vendor could assume (or per role in ``options.roles``).

    ``doc`` may come from the generic loader (short-form tags lost): the file is then read again with the
    template loader."""
    options = options or IacOptions.from_env()
    path = Path(doc.file)
    if path.is_file() and path.suffix.lower() != ".json":
        doc = parse_template(read_text(path, doc.file), doc.file)
    if not is_template(doc.data):
        raise InputError(doc.file, "not a CloudFormation template")
    check_shape("template", doc, "CloudFormation template")
    choice = RoleChoice(doc, "CloudFormation template", options)
    probe = Template(doc, options)
    for logical in probe.of_type("AWS::IAM::Role"):
        choice.found.append(logical)
        t = Template(doc, options)  # issues are per role
        tptr = t.ptr(logical, "Properties", "AssumeRolePolicyDocument")
        raw = t.props(logical).get("AssumeRolePolicyDocument")
        trust = _policy_source(t, raw, tptr, f"{logical} trust policy") if raw is not None else None
        if options.roles:
            if not choice.named((logical, t.role_name(logical))):
                continue
        elif not choice.vendor_could_assume(trust):
            continue
        if raw is None:
            t.issues.append(Unresolved(t.ptr(logical), f"Role {logical} has no AssumeRolePolicyDocument"))
        choice.add(_role_spec(t, logical, trust, _buckets(t)))
    return choice.bundles()


def load_template_file(path: Path, options: IacOptions | None = None, shown: str | None = None) -> list:
    shown = shown or str(path)
    return load_template(parse_template(read_text(path, shown), shown), options)
