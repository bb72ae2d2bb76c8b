"""Table tests for every IAM condition operator (hubgate.iam.conditions).

Expected values follow the IAM User Guide: "IAM JSON policy elements: Condition operators", "Conditions with
multiple context keys or values" and "Single-valued vs. multivalued context keys" / "Multivalued context key
examples" (the aws:TagKeys tables). Rows marked DOC restate a documented example or rule.
"""

from __future__ import annotations

import pytest

from hubgate.iam.conditions import (
    KNOWN_OPERATORS,
    UnknownOperator,
    condition_holds,
    conditions_hold,
    normalise_context,
    split_operator,
)
from hubgate.iam.evaluate import Request, evaluate
from hubgate.iam.policy import Condition, normalise
from hubgate.source import Document

ABSENT = object()
KEY = "aws:SomeKey"


def holds(operator: str, policy_values, request_value=ABSENT, key: str = KEY) -> bool:
    values = tuple(policy_values) if isinstance(policy_values, list) else (policy_values,)
    ctx = {} if request_value is ABSENT else {key: request_value}
    return condition_holds(Condition(operator, key, values, "/c"), normalise_context(ctx))


CASES = [
    # --- String -------------------------------------------------------------------------------------------
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),  # case-sensitive
    ("StringEquals", ["x", "abc"], "abc", True),  # DOC: several values are ORed
    ("StringEquals", "a*", "abc", False),  # no wildcards in StringEquals
    ("StringEquals", "abc", ABSENT, False),  # DOC: absent key -> false
    ("StringNotEquals", "abc", "abd", True),
    ("StringNotEquals", "abc", "abc", False),
    ("StringNotEquals", ["audit", "security"], "audit", False),  # DOC: negated values are NORed
    ("StringNotEquals", ["audit", "security"], "dev", True),
    ("StringNotEquals", "abc", ABSENT, True),  # DOC: negated operator, absent key -> true
    ("StringEqualsIgnoreCase", "ABC", "abc", True),
    ("StringEqualsIgnoreCase", "ABC", "abd", False),
    ("StringEqualsIgnoreCase", "ABC", ABSENT, False),
    ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
    ("StringNotEqualsIgnoreCase", "ABC", "xyz", True),
    ("StringNotEqualsIgnoreCase", "ABC", ABSENT, True),
    ("StringLike", "home/*", "home/alice/x", True),  # * spans /
    ("StringLike", "h?me", "home", True),
    ("StringLike", "h?me", "hoome", False),
    ("StringLike", "Home*", "home/x", False),  # case-sensitive
    ("StringLike", "a.c", "abc", False),  # . is literal, not a regex
    ("StringLike", "a[b]c", "abc", False),  # brackets are literal, not fnmatch sets
    ("StringLike", "a[b]c", "a[b]c", True),
    ("StringLike", "*", "", True),
    ("StringLike", "x*", ABSENT, False),
    ("StringNotLike", "key1*", "key2", True),
    ("StringNotLike", "key1*", "key1:legal", False),
    ("StringNotLike", "key1*", ABSENT, True),  # DOC: StringNotLike named in the absent-key rule
    # --- Numeric ------------------------------------------------------------------------------------------
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", 10, True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", "ten", False),
    ("NumericEquals", "10", "1_0", False),  # not an IAM number even though float() reads it
    ("NumericEquals", "10", ABSENT, False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", ABSENT, True),
    ("NumericLessThan", "10", "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThanEquals", "10", "10", True),
    ("NumericGreaterThanEquals", "10", "9.5", False),
    ("NumericGreaterThanEquals", "10", ABSENT, False),
    ("NumericLessThan", "1e3", "999", True),
    # --- Date ---------------------------------------------------------------------------------------------
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),  # epoch seconds
    ("DateEquals", "2020-01-01T00:00:00Z", 1577836800, True),
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", False),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", ABSENT, True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateGreaterThan", "2020-01-01", "2020-01-01T00:00:01Z", True),
    ("DateGreaterThan", "2020-01-01", "2019-06-01", False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", ABSENT, False),
    ("DateLessThan", "2020-01-01T00:00:00Z", "not a date", False),
    ("DateLessThan", "2020-01-01T00:00:00Z", "99999999999999999999", False),  # out of range: no crash
    # --- Bool ---------------------------------------------------------------------------------------------
    ("Bool", "true", "true", True),
    ("Bool", "true", True, True),
    ("Bool", "true", "false", False),
    ("Bool", "false", False, True),
    ("Bool", "true", ABSENT, False),  # DOC: aws:SecureTransport absent -> Bool false
    # --- Binary -------------------------------------------------------------------------------------------
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", b"BinaryValue", True),  # raw bytes compared as base64
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", b"Other", False),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", ABSENT, False),
    # --- IP address ---------------------------------------------------------------------------------------
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),  # a bare address is a /32
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
    ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),  # other IP version
    ("IpAddress", "203.0.113.0/24", "not-an-ip", False),
    ("IpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "10.1.2.3", True),
    ("IpAddress", "203.0.113.0/24", ABSENT, False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "10.0.0.1", False),  # NOR
    ("NotIpAddress", "203.0.113.0/24", ABSENT, True),  # DOC: negated, absent -> true
    # --- ARN ----------------------------------------------------------------------------------------------
    ("ArnLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/Admin", True),
    ("ArnLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/Bob", False),
    ("ArnLike", "arn:aws:ec2:*:*:instance/i-?????", "arn:aws:ec2:us-east-1:1:instance/i-12345", True),
    ("ArnLike", "arn:aws:ec2:*:*:instance/i-?????", "arn:aws:ec2:us-east-1:1:instance/i-123456", False),
    ("ArnLike", "arn:aws:iam::*:role/*", "arn:aws:IAM::123456789012:role/Admin", False),  # case-sensitive
    ("ArnLike", "arn:aws:s3:::*", "arn:aws:s3:::bucket/key:with:colons", True),  # resource keeps colons
    # DOC: "Each of the six colon-delimited components of the ARN is checked separately": * never spans ":".
    ("ArnLike", "arn:aws:sns:*", "arn:aws:sns:us-east-1:123456789012:topic", False),
    ("ArnLike", "arn:aws:*:us-east-1:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnLike", "arn:*:sns:us-*:123456789012:t", "arn:aws:sns:eu-west-1:123456789012:t", False),
    ("ArnLike", "arn:aws:iam::*:role/*", "not-an-arn", False),
    ("ArnLike", "arn:aws:iam::*:role/*", ABSENT, False),
    ("ArnEquals", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/Admin", True),  # same as ArnLike
    ("ArnEquals", "arn:aws:iam::123456789012:role/A", "arn:aws:iam::123456789012:role/A", True),
    ("ArnNotLike", "arn:aws:iam::*:role/*", "arn:aws:iam::1:user/Bob", True),
    ("ArnNotLike", "arn:aws:iam::*:role/*", "arn:aws:iam::1:role/Admin", False),
    ("ArnNotLike", "arn:aws:iam::*:role/*", ABSENT, True),  # DOC: ArnNotLike named in the absent-key rule
    ("ArnNotEquals", "arn:aws:iam::*:role/*", "arn:aws:iam::1:role/Admin", False),
    ("ArnNotEquals", "arn:aws:iam::*:role/*", ABSENT, True),
    # --- Null ---------------------------------------------------------------------------------------------
    ("Null", "true", ABSENT, True),  # DOC: true = the key is absent
    ("Null", "true", "x", False),
    ("Null", "false", "x", True),  # DOC: false = the key exists
    ("Null", "false", ABSENT, False),
    ("Null", True, ABSENT, True),
    ("Null", ["true", "false"], "x", True),  # values ORed
    ("Null", "true", [], True),  # an empty multivalued key is a null data set
    ("Null", "false", None, False),
    # --- ...IfExists --------------------------------------------------------------------------------------
    ("StringEqualsIfExists", "abc", ABSENT, True),  # DOC: absent key -> true
    ("StringEqualsIfExists", "abc", "abc", True),
    ("StringEqualsIfExists", "abc", "xyz", False),  # DOC: present key is evaluated normally
    ("StringLikeIfExists", "a*", "b", False),
    ("StringNotEqualsIfExists", "abc", ABSENT, True),
    ("StringNotEqualsIfExists", "abc", "abc", False),
    ("NumericLessThanIfExists", "10", ABSENT, True),
    ("NumericLessThanIfExists", "10", "11", False),
    ("DateLessThanIfExists", "2020-01-01", ABSENT, True),
    ("BoolIfExists", "true", ABSENT, True),  # the documented aws:MultiFactorAuthPresent pattern
    ("BoolIfExists", "true", "false", False),
    ("IpAddressIfExists", "10.0.0.0/8", ABSENT, True),
    ("IpAddressIfExists", "10.0.0.0/8", "11.0.0.1", False),
    ("ArnLikeIfExists", "arn:aws:iam::*:role/*", ABSENT, True),
    ("ArnLikeIfExists", "arn:aws:iam::*:role/*", "arn:aws:iam::1:user/u", False),
    ("BinaryEqualsIfExists", "QQ==", ABSENT, True),
    # --- ForAllValues -------------------------------------------------------------------------------------
    # DOC (aws:TagKeys tables): every request value must match some policy value; true when the key is absent.
    ("ForAllValues:StringEquals", ["a", "b"], ["a"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAllValues:StringEquals", ["a", "b"], ABSENT, True),  # DOC: absent key -> true
    ("ForAllValues:StringEquals", ["a", "b"], [], True),  # empty data set -> true
    ("ForAllValues:StringEquals", ["a"], "a", True),  # a scalar is a one-element set
    ("ForAllValues:StringLike", "Created*", ["CreatedBy", "CreatedAt"], True),
    ("ForAllValues:StringLike", "Created*", ["CreatedBy", "Owner"], False),
    ("ForAllValues:StringNotLike", "key1*", ["key1:legal"], False),  # DOC table row 1: no match
    ("ForAllValues:StringNotLike", "key1*", ["key1:hr", "key1:personnel"], False),  # DOC row 2
    ("ForAllValues:StringNotLike", "key1*", ["key2:audit"], True),  # DOC row 3: match
    ("ForAllValues:StringNotLike", "key1*", ABSENT, True),  # DOC row 4: absent -> match
    ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "d"], True),
    ("ForAllValues:StringNotEquals", ["a", "b"], ["c", "a"], False),
    ("ForAllValues:ArnEquals", "arn:aws:iam::*:role/*", ["arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"], True),
    ("ForAllValues:ArnEquals", "arn:aws:iam::*:role/*", ["arn:aws:iam::1:role/a", "arn:aws:iam::2:user/b"], False),
    ("ForAllValues:StringLikeIfExists", "a*", ABSENT, True),
    ("ForAllValues:StringLikeIfExists", "a*", ["ab", "b"], False),
    # --- ForAnyValue --------------------------------------------------------------------------------------
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], True),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "d"], False),
    ("ForAnyValue:StringEquals", ["a", "b"], ABSENT, False),  # DOC: absent key -> false
    ("ForAnyValue:StringEquals", ["a", "b"], [], False),
    ("ForAnyValue:StringLike", "key1*", ["key2:x", "key1:y"], True),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),  # one value outside the set
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ABSENT, False),  # absent stays false for ForAnyValue
    # issue #17: ForAnyValue over no value is false before IfExists is consulted (was True)
    ("ForAnyValue:StringLikeIfExists", "a*", ABSENT, False),
    ("ForAnyValue:StringLikeIfExists", "a*", ["b", "c"], False),
    ("ForAnyValue:NumericGreaterThan", "5", ["1", "7"], True),
    # --- case of operator and key -------------------------------------------------------------------------
    ("stringequals", "abc", "abc", True),
    ("FORALLVALUES:STRINGEQUALS", ["a"], ["b"], False),
    # --- a multivalued request value without a set operator (undocumented; treated as no match) ----------
    ("StringEquals", "a", ["a", "b"], False),
    ("StringNotEquals", "a", ["a", "b"], True),
    ("StringEquals", "a", ["a"], True),  # one value in a list is a single value
]


@pytest.mark.parametrize(("operator", "policy_values", "request_value", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_operator_table(operator, policy_values, request_value, expected):
    assert holds(operator, policy_values, request_value) is expected


def test_every_operator_has_a_row():
    covered = {split_operator(c[0])[1] for c in CASES}
    assert covered == set(KNOWN_OPERATORS)


def test_every_operator_has_an_ifexists_and_a_set_form():
    for base in KNOWN_OPERATORS - {"null"}:
        assert split_operator(base + "IfExists") == (None, base, True)
        assert split_operator("ForAnyValue:" + base) == ("foranyvalue", base, False)
        assert split_operator("ForAllValues:" + base + "IfExists") == ("forallvalues", base, True)


@pytest.mark.parametrize("operator", ["StringEqualz", "NullIfExists", "ForAnyValue:Null", "Sometimes:StringEquals",
                                      "IfExists", "ForAllValues:"])
def test_unknown_operators_are_refused(operator):
    with pytest.raises(UnknownOperator):
        split_operator(operator)


def test_context_keys_are_case_insensitive():
    ctx = normalise_context({"AWS:SourceIp": "10.0.0.1"})
    assert condition_holds(Condition("IpAddress", "aws:sourceip", ("10.0.0.0/8",), "/c"), ctx)
    assert not condition_holds(Condition("IpAddress", "aws:sourceip", ("11.0.0.0/8",), "/c"), ctx)


def test_keys_and_operators_are_anded():
    ctx = normalise_context({"a": "1", "b": "2"})
    both = [Condition("StringEquals", "a", ("1",), "/1"), Condition("StringEquals", "b", ("2",), "/2")]
    one_wrong = [Condition("StringEquals", "a", ("1",), "/1"), Condition("StringEquals", "b", ("3",), "/2")]
    assert conditions_hold(both, ctx)
    assert not conditions_hold(one_wrong, ctx)


def _policy(condition: dict, effect: str = "Allow"):
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": condition}]}
    return normalise(Document(file="p.json", data=doc))


def test_documented_deny_with_forallvalues_through_evaluate():
    """DOC example "Deny policy with condition set operator ForAllValues": a Deny with
    ForAllValues:StringNotLike aws:TagKeys key1* denies when no tag key is given at all."""
    allow = normalise(Document(file="a.json", data={"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}))
    deny = _policy({"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}, effect="Deny")
    req = lambda ctx: Request("s3:GetObject", "arn:aws:s3:::b/k", context=ctx)  # noqa: E731
    assert evaluate([allow, deny], req({})).decision == "explicit-deny"
    assert evaluate([allow, deny], req({"aws:TagKeys": ["key2:audit"]})).decision == "explicit-deny"
    assert evaluate([allow, deny], req({"aws:TagKeys": ["key1:legal"]})).decision == "allow"


def test_ifexists_in_allow_through_evaluate():
    pol = _policy({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}})
    assert evaluate([pol], Request("s3:GetObject", "arn:aws:s3:::b/k")).allowed
    assert evaluate([pol], Request("s3:GetObject", "arn:aws:s3:::b/k", context={"s3:x-amz-acl": "private"})).allowed
    assert not evaluate([pol], Request("s3:GetObject", "arn:aws:s3:::b/k", context={"s3:x-amz-acl": "public"})).allowed
