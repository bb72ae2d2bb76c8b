"""The one place tests load the rule registry and turn a rule's in-class example into targets.

Tests reach rules only through stable entry points (``hubgate.rules.all_rules``, ``run_rules`` and
``hubgate.example.example_targets``), never by importing a rule module by name, so that rule modules can
move or split without touching the tests.
"""

from __future__ import annotations

import json
from typing import Any

from hubgate.rules import Rule, Target, all_rules, run_rules


def load_rules() -> dict[str, Rule]:
    """Every registered rule, by id: ``all_rules()`` imports every rule module (also when one of them was
    imported before, e.g. by a test that imports a rule module's helper), so this is all a test needs
    before it looks a rule up or imports a module of ``hubgate.checks``."""
    rules = all_rules()
    assert rules, "no rule registered"
    return rules


def family_ids(prefix: str) -> set[str]:
    """The registered ids starting with ``prefix`` (``HG1``, ``HG20``, ...), as ``--select`` reads them."""
    return {i for i in load_rules() if i.startswith(prefix.upper())}


def example_targets(example: Any) -> list[Target]:
    """A rule's example as targets: a mapping is one bundle; a mapping with ``Statement`` a bare policy;
    a list of mappings an organization."""
    try:
        from hubgate.example import example_targets as core_example_targets
    except ImportError:  # older core: no organization examples
        core_example_targets = None
    if core_example_targets is not None:
        return core_example_targets(example)
    from hubgate.bundle import bundle_from_data
    from hubgate.iam.policy import normalise
    from hubgate.source import parse_text

    if isinstance(example, dict) and "Statement" in example:
        return [Target("policy", policy=normalise(parse_text(json.dumps(example, indent=2), "<inline>")))]
    bundle = bundle_from_data(example)
    return [Target("bundle", bundle=bundle, organization=[bundle])]


def run_example(example: Any, *rules: str | None) -> list:
    """Every rule over one example; only the findings of ``rules`` when some are given."""
    found = run_rules(example_targets(example))
    wanted = [r for r in rules if r is not None]
    return [f for f in found if not wanted or f.rule in wanted]


def assert_own_examples(rule_id: str, detail=lambda example: "") -> Rule:
    """A rule's failing examples fire it and its passing examples do not; the rule, for further checks."""
    rule = load_rules()[rule_id]
    assert rule.fail_examples and rule.pass_examples
    for ex in rule.fail_examples:
        assert run_example(ex, rule_id), f"{rule_id} fail example produced no finding{detail(ex)}"
    for ex in rule.pass_examples:
        assert not run_example(ex, rule_id), f"{rule_id} pass example produced a finding"
    return rule
