"""Rule base class, registry and the engine that runs rules over targets.

A rule is a small class in ``hubgate.checks.<family>``: ``@register(id, severity, ...)`` gives it a stable id,
a severity, its targets and references; its docstring is its documentation (title, what, why, fix: see
``rule_docs``); ``fail_examples``/``pass_examples`` are its own examples (cfn-guard style: the tests run them).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .bundle import Bundle
from .findings import Finding
from .iam.evaluate import action_in
from .iam.policy import Policy
from .profile import Profile, builtin
from .providers import PROVIDER_FIELDS
from .s3policy import view
from .source import Document, join_pointer

DocRef = tuple[str, str]  # (page title, URL): see hubgate.docrefs
BUNDLE_OR_POLICY = ("bundle", "policy")  # the targets of a rule that also judges a bare policy file

_REGISTRY: dict[str, Rule] = {}
_LOADED = False


def is_trust_policy(policy: Policy, trust_action: str) -> bool:
    """A bare policy is a trust policy when some statement names a Principal (or NotPrincipal), has no
    Resource (a role's trust policy cannot have one; a bucket policy does) and covers the trust action
    (``sts:AssumeRole``, also through ``sts:*`` or ``*``)."""
    return any(
        (s.principals is not None or s.not_principals is not None)
        and not s.resources and s.not_resources is None and action_in(s, trust_action)
        for s in policy.statements
    )


@dataclass
class Target:
    """What one run of the rules looks at: a bundle (with its organization) or a bare policy file.

    A bare policy is judged as what it is (``policy_kind``): a trust policy by the trust rules, any other
    policy as the permission policy, its buckets taken from its own ARNs (``bucket_names``).
    """

    kind: str  # "bundle" | "policy"
    bundle: Bundle | None = None
    policy: Policy | None = None
    organization: list[Bundle] = field(default_factory=list)
    policy_kind: str | None = None  # bare policies: "trust" | "permission" (default: from the policy itself)

    def __post_init__(self) -> None:
        if self.policy is not None and self.bundle is None and self.policy_kind is None:
            trust = is_trust_policy(self.policy, self.profile.trust_action)
            self.policy_kind = "trust" if trust else "permission"

    @property
    def profile(self) -> Profile:
        return self.bundle.profile if self.bundle else builtin()

    @property
    def file(self) -> str:
        return self.bundle.file if self.bundle else self.policy.doc.file

    @property
    def aws_iam(self) -> bool:
        """Do AWS IAM semantics apply? (bare policies, and aws / s3-compatible bundles; not gcp or azure,
        where stray AWS fields are their own finding, HG614/HG712)"""
        return self.bundle is None or self.bundle.provider in ("aws", "s3-compatible")

    @property
    def permission_policy(self) -> Policy | None:
        if not self.aws_iam:
            return None
        if self.bundle:
            return self.bundle.permission_policy
        return self.policy if self.policy_kind == "permission" else None

    @property
    def trust_policy(self) -> Policy | None:
        if self.bundle:
            return self.bundle.trust_policy if self.aws_iam else None
        return self.policy if self.policy_kind == "trust" else None

    def policies(self) -> list[Policy]:
        return [p for p in (self.permission_policy, self.trust_policy) if p is not None]

    @property
    def bucket_names(self) -> list[str]:
        """The buckets the integration serves: the bundle's; for a bare permission policy, the buckets its
        own ARNs name (wildcard patterns left out)."""
        if self.bundle is not None:
            return [b.name for b in self.bundle.buckets]
        pol = self.permission_policy
        if pol is None:
            return []
        v = view(pol)
        names = {b for b, _ in v.bucket_arns} | {b for b, _, _ in v.object_arns}
        return sorted(n for n in names if n and "*" not in n and "?" not in n)

    @property
    def secrets(self) -> list[str]:
        return self.bundle.secrets if self.bundle else []

    @property
    def partition(self) -> str:
        arn = self.bundle.role_arn if self.bundle else None
        if arn and arn.startswith("arn:") and arn.count(":") >= 5:
            return arn.split(":")[1] or "aws"
        return "aws"


class Rule:
    id: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    title: ClassVar[str] = ""
    family: ClassVar[str] = ""
    targets: ClassVar[tuple[str, ...]] = ("bundle",)
    what: ClassVar[str] = ""
    why: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    # Why the rule cannot judge a bare policy file (kept out of its ``targets``): what the bundle gives it.
    needs: ClassVar[str] = ""
    # Rule's own examples: bundle mappings (inline documents), or bare policies for policy-only rules.
    fail_examples: ClassVar[tuple[Any, ...]] = ()
    pass_examples: ClassVar[tuple[Any, ...]] = ()

    references: ClassVar[tuple[DocRef, ...]] = ()
    # A finding's help: the command that prints the rule's documentation (one string per rule, shared by its
    # findings: a corpus run makes tens of thousands, each sent between processes once)
    help: ClassVar[str] = ""

    @classmethod
    def default_severity(cls, rule_id: str) -> str:
        """The severity of a rule registered without one (a family with its own table overrides this)."""
        return cls.severity

    def check(self, target: Target) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self, doc: Document, pointer: str, message: str, fix: str | None = None, severity: str | None = None
    ) -> Finding:
        line, column = doc.position(pointer)
        return Finding(self.id, severity or self.severity, message, doc.file, pointer, line, column, fix,
                       self.help)



class ProviderRule(Rule):
    """A rule of one provider's bundles: ``judge`` sees each bundle whose ``provider`` is the rule's
    ``family`` (``gcp``, ``azure``), and no other target."""

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is not None and b.provider == self.family:
            yield from self.judge(b, target)

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


_SECTIONS = {"What it checks": "what", "Why it matters": "why", "Fix": "fix", "Needs": "needs"}


def rule_docs(doc: str | None) -> dict[str, str]:
    """A rule's documentation from its docstring, ruff-style: the title as the first paragraph, then
    ``## What it checks``, ``## Why it matters``, ``## Fix`` and (for a rule that cannot judge a bare
    policy) ``## Needs`` sections. Lines of a paragraph are joined with one space. An unknown heading is
    an error: a misspelt section must not silently drop a rule's documentation."""
    if not doc:
        return {}
    name, out, parts = "title", {}, []
    for line in [*inspect.cleandoc(doc).splitlines(), "## "]:
        if line.startswith("## "):
            if parts:
                out[name] = " ".join(parts)
            name, parts = _SECTIONS.get(line[3:].strip(), ""), []
            if not name and line[3:].strip():
                raise ValueError(f"unknown rule docstring section {line!r}")
        elif line.strip():
            parts.append(line.strip())
    return out


def register(
    rule_id: str, severity: str | None = None, *, family: str | None = None,
    targets: tuple[str, ...] | None = None, references: tuple[DocRef, ...] = (),
) -> Callable[[type[Rule]], type[Rule]]:
    """Class decorator: gives the rule its id, severity (default: the class's ``default_severity``),
    family, targets and references, reads its documentation from its docstring (``rule_docs``; an
    attribute written in the class body wins, for text built from constants) and registers one
    instance under its id."""

    def decorate(cls: type[Rule]) -> type[Rule]:
        if not re.fullmatch(r"HG\d{3}", rule_id):
            raise ValueError(f"bad rule id {rule_id!r}")
        if rule_id in _REGISTRY and type(_REGISTRY[rule_id]) is not cls:
            raise ValueError(f"duplicate rule id {rule_id}")
        cls.id = rule_id
        cls.help = f"hubgate rules {rule_id}"
        cls.severity = severity or cls.default_severity(rule_id)
        cls.references = references
        if family is not None:
            cls.family = family
        if targets is not None:
            cls.targets = targets
        for attr, text in rule_docs(cls.__dict__.get("__doc__")).items():
            if attr not in cls.__dict__:
                setattr(cls, attr, text)
        _REGISTRY[rule_id] = cls()
        return cls

    return decorate


def all_rules() -> dict[str, Rule]:
    """Every registered rule, by id. Imports every ``hubgate.checks`` module once, even when one of them
    was imported (and registered its rules) before."""
    global _LOADED
    if not _LOADED:
        import hubgate.checks as pkg  # deferred: plugin discovery; the rule modules import this registry

        for mod in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"hubgate.checks.{mod.name}")
        _LOADED = True
    return dict(sorted(_REGISTRY.items()))


def get_rule(rule_id: str) -> Rule | None:
    return all_rules().get(rule_id.upper())


def expand_selection(ids: Iterable[str] | None) -> set[str] | None:
    """``HG1`` or ``HG10`` select every id with that prefix, like ruff's prefixes."""
    if not ids:
        return None
    known = all_rules()
    out: set[str] = set()
    for raw in ids:
        prefix = raw.strip().upper()
        if not prefix:
            continue
        matched = {i for i in known if i.startswith(prefix)}
        if not matched:
            raise ValueError(f"unknown rule id or prefix {raw!r} (see `hubgate rules`)")
        out |= matched
    return out


def run_rules(
    targets: Iterable[Target], select: set[str] | None = None, ignore: set[str] | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    for target in targets:
        for rule in _rules_for(target.kind, select, ignore):
            findings.extend(rule.check(target))
    return findings


_PLANS: dict[tuple, tuple[tuple, list[Rule]]] = {}


def _rules_for(kind: str, select: set[str] | None, ignore: set[str] | None) -> list[Rule]:
    """The selected rules for a kind of target, in id order; worked out once per registry state and selection
    (a directory run asks for each of its thousands of targets)."""
    key = (kind, None if select is None else frozenset(select), frozenset(ignore) if ignore else None)
    registered = tuple(_REGISTRY.values())
    plan = _PLANS.get(key)
    if plan is None or plan[0] != registered:
        rules = [r for i, r in all_rules().items()
                 if (select is None or i in select) and not (ignore and i in ignore) and kind in r.targets]
        plan = _PLANS[key] = (registered, rules)
    return plan[1]


@dataclass(frozen=True)
class Skipped:
    """A rule of a bare policy's family that does not run on it, and why."""

    file: str
    rule: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.rule} skipped: {self.reason}"


_BARE_FAMILY = {"permission": "HG1", "trust": "HG2"}


def skipped_rules(target: Target, select: set[str] | None = None, ignore: set[str] | None = None) -> list[Skipped]:
    """The rules of a bare policy's own family (HG1xx for a permission policy, HG2xx for a trust policy)
    that the selection would run but that need what only a bundle gives (the storage record, its bucket
    list), each with the reason. Empty for bundles."""
    if target.kind != "policy" or target.policy_kind not in _BARE_FAMILY:
        return []
    prefix = _BARE_FAMILY[target.policy_kind]
    return [
        Skipped(target.file, rid, rule.needs or "it needs an integration bundle")
        for rid, rule in all_rules().items()
        if rid.startswith(prefix) and target.kind not in rule.targets
        and (select is None or rid in select) and not (ignore and rid in ignore)
    ]


def foreign_fields(rule: Rule, bundle: Bundle, own: str) -> Iterator[Finding]:
    """One finding per field of another provider in a bundle of provider ``own`` (HG614, HG712)."""
    article = {"AWS": "an AWS", "GCP": "a GCP", "Azure": "an Azure"}
    this = f"{'an' if bundle.provider in ('aws', 'azure', 's3-compatible') else 'a'} {bundle.provider} bundle"
    for owner, keys in PROVIDER_FIELDS.items():
        if owner == own:
            continue
        for key in keys:
            if key in bundle.data:
                yield rule.finding(
                    bundle.doc, bundle.doc.pointer(key),
                    f"Field {key} is {article[owner]} field; {this} does not use it",
                    fix=f"Remove {key}, or set provider to the provider it belongs to",
                )


def walk_strings(value: Any, base: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with its pointer (keys are not included)."""
    if isinstance(value, str):
        yield base, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from walk_strings(v, join_pointer(base, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_strings(v, join_pointer(base, i))


class ForeignFieldsRule(ProviderRule):
    """HG614, HG712: one finding per field of another provider in a bundle of the rule's provider (``own``:
    its name in the provider field lists, e.g. ``GCP``)."""

    own: ClassVar[str] = ""

    def judge(self, b: Bundle, target: Target) -> Iterable[Finding]:
        yield from foreign_fields(self, b, self.own)
