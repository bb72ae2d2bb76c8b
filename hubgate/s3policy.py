"""What an S3 permission policy grants, in the terms the HG1xx rules speak: actions, buckets, objects.

Shared by the rules so that no rule re-derives these facts its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import attrgetter

from .iam import actions as act
from .iam.arn import arn_matches, could_be_type, s3_bucket_and_key
from .iam.evaluate import Request, action_entries, evaluate
from .iam.policy import VARIABLES_VERSION, Item, Policy, Statement


@dataclass
class NamedAction:
    """An action named literally (no wildcard) in Allow statements, with every resource it is granted on."""

    name: str  # as first written
    items: list[tuple[Statement, Item]]
    resources: list[Item]


_VALUE = attrgetter("value")  # an Item's text


class S3View:
    def __init__(self, policy: Policy):
        self.policy = policy

    @cached_property
    def allow_resources(self) -> list[tuple[Statement, Item]]:
        return [(s, r) for s in self.policy.allows() if s.not_resources is None for r in s.resources]

    @cached_property
    def grants_everything(self) -> bool:
        return any(r.value == "*" for _, r in self.allow_resources)

    @cached_property
    def bucket_arns(self) -> list[tuple[str, Item]]:
        """(bucket part, item) of every Allow resource that is an S3 bucket ARN."""
        out = []
        for _, r in self.allow_resources:
            parsed = s3_bucket_and_key(r.value)
            if parsed and parsed[1] is None:
                out.append((parsed[0], r))
        return out

    @cached_property
    def object_arns(self) -> list[tuple[str, str, Item]]:
        """(bucket part, key pattern, item) of every Allow resource that is an S3 object ARN."""
        out = []
        for _, r in self.allow_resources:
            parsed = s3_bucket_and_key(r.value)
            if parsed and parsed[1] is not None:
                out.append((parsed[0], parsed[1], r))
        return out

    @cached_property
    def named_actions(self) -> dict[str, NamedAction]:
        out: dict[str, NamedAction] = {}
        for s in self.policy.allows():
            if s.not_resources is not None:
                continue
            for a in s.actions:
                if act.has_wildcard(a.value):
                    continue
                key = a.value.lower()
                na = out.setdefault(key, NamedAction(a.value, [], []))
                na.items.append((s, a))
                na.resources.extend(s.resources)
        return out

    def mentions(self, action: str) -> bool:
        """Does any Allow statement's Action/NotAction cover the action at all? (``action_in`` of each, read
        through the statements' entries, kept for the policy's other actions)"""
        low = action.lower()
        for negated, star, names, globs in self._allow_entries:
            if (star or low in names or any(act.action_matches(p, action) for p in globs)) != negated:
                return True
        return False

    @cached_property
    def _allow_entries(self) -> list[tuple[bool, bool, frozenset[str], tuple[str, ...]]]:
        return [action_entries(s) for s in self.policy.allows()]

    def wrong_type(self, action: str) -> NamedAction | None:
        """The named action when it is granted only on resources of types it cannot apply to."""
        na = self.named_actions.get(action.lower())
        if na is None:
            return None
        info = act.lookup(action)
        if info is None:
            return None
        values = tuple(r.value for r in na.resources)
        return None if "*" in values or _types_meet(info.service, info.resource_types, values) else na

    @cached_property
    def wrongly_typed(self) -> list[NamedAction]:
        """``wrong_type`` of every named action, in the order of ``named_actions``: the actions granted only
        on resources of types they cannot apply to. Judged statement by statement (an action applies when it
        applies to some resource of some statement naming it), one look-up per action and statement, without
        building ``named_actions`` unless some action is wrong."""
        applies: dict[str, bool] = {}  # lower-case name -> applies somewhere, in the order first named
        for s in self.policy.allows():
            if s.not_resources is not None:
                continue
            values = tuple(map(_VALUE, s.resources))
            names = list(map(_VALUE, s.actions))
            if "*" in values:
                applies.update(dict.fromkeys(_named(names), True))
                continue
            known = _applies_on(values)
            for key in _named(names):
                if not applies.get(key):
                    ok = known.get(key)
                    if ok is None:
                        ok = known[key] = _applies(key, values)
                    applies[key] = ok
        if all(applies.values()):
            return []
        named = self.named_actions
        return [named[key] for key, ok in applies.items() if not ok]

    def reachable(self, bucket: str, actions: tuple[str, ...], partition: str = "aws") -> bool:
        """Could any of the actions be allowed on the bucket (or an object in it), conditions aside?"""
        for a in actions:
            info = act.lookup(a)
            on_object = info is not None and "object" in info.resource_types
            arn = f"arn:{partition}:s3:::{bucket}" + ("/hubgate-probe-key" if on_object else "")
            if evaluate([self.policy], Request(a, arn), mode="optimistic").allowed:
                return True
        return False

    def bucket_covered(self, bucket_part: str) -> bool:
        """Is there a bucket-level resource for this bucket name (or pattern)?"""
        arn = f"arn:aws:s3:::{bucket_part}"
        variables = self.policy.version == VARIABLES_VERSION
        return any(b == bucket_part or arn_matches(f"arn:aws:s3:::{b}", arn, variables) for b, _ in self.bucket_arns)

    def objects_covered(self, bucket_part: str) -> bool:
        """Is there an object-level resource (any key pattern) in this bucket?"""
        probe = f"arn:aws:s3:::{bucket_part}/hubgate-probe-key"
        variables = self.policy.version == VARIABLES_VERSION
        return any(b == bucket_part or arn_matches(f"arn:aws:s3:::{b}/{k}", probe, variables)
                   for b, k, _ in self.object_arns)


@lru_cache(maxsize=65536)
def _types_meet(service: str, types: tuple[str, ...], values: tuple[str, ...]) -> bool:
    """Can one of the resource patterns be a resource of one of the types (of the service)? An action with no
    resource type needs Resource ``*``. Memoised: a corpus grants many actions of one service, with the same
    resource types, on the same resources."""
    return bool(types) and any(could_be_type(v, service, t) for v in values for t in types)


def _applies(action: str, values: tuple[str, ...]) -> bool:
    """Does a named action (lower case) apply to one of the resources? An unknown action is not judged."""
    info = act.lookup(action)
    return info is None or _types_meet(info.service, info.resource_types, values)


_APPLIES: dict[tuple[str, ...], dict[str, bool]] = {}  # resources -> action -> _applies, per run (bounded)


def _applies_on(values: tuple[str, ...]) -> dict[str, bool]:
    """The answers of :func:`_applies` known so far for a statement's resources, by action: a corpus grants many
    actions on the same resources, and a look-up by action alone does not hash the resources again for each."""
    known = _APPLIES.get(values)
    if known is None:
        if len(_APPLIES) >= 4096:
            _APPLIES.clear()
        known = _APPLIES[values] = {}
    return known


def _named(names: list[str]) -> list[str]:
    """The names without a wildcard, in lower case."""
    joined = "".join(names)
    if "*" not in joined and "?" not in joined:
        return list(map(str.lower, names))
    return [n.lower() for n in names if "*" not in n and "?" not in n]


def view(policy: Policy) -> S3View:
    """One S3View per policy object for the duration of a run."""
    v = policy.views.get("s3")
    if v is None:
        v = policy.views["s3"] = S3View(policy)
    return v
