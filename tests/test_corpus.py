"""Robustness over the 1,643 AWS managed policies: every one normalises, passes every rule that applies to a
bare policy, and evaluates, without a single crash."""

from __future__ import annotations

import json

import pytest

from hubgate.findings import Finding
from hubgate.iam.evaluate import Request, evaluate
from hubgate.iam.policy import normalise
from hubgate.rules import Target, all_rules, run_rules
from hubgate.source import Document

from conftest import DATA

CORPUS = DATA / "corpus" / "aws-managed-policies.jsonl"


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, object]]:
    out = []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append((rec["name"], rec["document"]))
    return out


def _context_for(policy) -> dict:
    """A request context that names every condition key of the policy with its first policy value, so the
    condition operators really run (and mostly match) instead of short-circuiting on absent keys."""
    ctx: dict = {}
    for s in policy.statements:
        for c in s.conditions:
            if c.values:
                ctx.setdefault(c.key, c.values[0] if not c.operator.lower().startswith("for") else list(c.values))
    return ctx


def _requests(policy) -> list[Request]:
    literal = next((a.value for s in policy.statements for a in s.actions if "*" not in a.value), "s3:GetObject")
    ctx = _context_for(policy)
    return [
        Request("s3:GetObject", "arn:aws:s3:::my-bucket/k.jpg"),
        Request("s3:ListBucket", "arn:aws:s3:::my-bucket", context=ctx),
        Request(literal, "arn:aws:iam::123456789012:role/x", context=ctx),
        Request("iam:PassRole", "arn:aws:iam::123456789012:role/x", principal="arn:aws:iam::123456789012:root",
                context={"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"], "aws:CurrentTime": "2026-01-01"}),
    ]


def test_corpus_is_the_expected_one(corpus):
    assert len(corpus) == 1643
    assert len({name for name, _ in corpus}) == len(corpus)


def test_every_managed_policy_normalises_checks_and_evaluates(corpus):
    policy_rules = [r.id for r in all_rules().values() if "policy" in r.targets]
    assert policy_rules, "no rule applies to bare policies"
    failures: list[str] = []
    evaluated = 0
    findings = 0
    for name, document in corpus:
        stage = "normalise"
        try:
            policy = normalise(Document(file=name, data=document))
            stage = "rules"
            found = run_rules([Target("policy", policy=policy)])
            assert all(isinstance(f, Finding) and f.rule in policy_rules for f in found)
            findings += len(found)
            for req in _requests(policy):
                for mode in ("evaluate", "optimistic"):
                    stage = f"evaluate {req.action} {mode}"
                    d = evaluate([policy], req, mode)
                    assert d.decision in ("allow", "explicit-deny", "implicit-deny")
                    d.explain()
                    evaluated += 1
        except Exception as exc:  # noqa: BLE001 - collect every failure, then report them all
            failures.append(f"{name} ({stage}): {type(exc).__name__}: {exc}")
    assert failures == [], f"{len(failures)} of {len(corpus)} policies failed:\n" + "\n".join(failures[:50])
    assert evaluated == len(corpus) * 8
    assert findings > 0


def test_known_decisions_on_managed_policies(corpus):
    docs = dict(corpus)
    admin = normalise(Document(file="AdministratorAccess", data=docs["AdministratorAccess"]))
    assert evaluate([admin], Request("iam:CreateUser", "arn:aws:iam::1:user/x")).allowed
    s3ro = normalise(Document(file="AmazonS3ReadOnlyAccess", data=docs["AmazonS3ReadOnlyAccess"]))
    assert evaluate([s3ro], Request("s3:GetObject", "arn:aws:s3:::b/k")).allowed
    assert not evaluate([s3ro], Request("s3:PutObject", "arn:aws:s3:::b/k")).allowed
    power = normalise(Document(file="PowerUserAccess", data=docs["PowerUserAccess"]))
    assert evaluate([power], Request("ec2:RunInstances", "*")).allowed
    assert not evaluate([power], Request("iam:CreateUser", "arn:aws:iam::1:user/x")).allowed
    hg101 = [f for f in run_rules([Target("policy", policy=admin)]) if f.rule == "HG101"]
    assert hg101 and "'*'" in hg101[0].message
