"""Example-based tests of hubgate.iam.evaluate and the pieces it rests on (policy normal form, ARNs, actions)."""

from __future__ import annotations

import pytest

from hubgate.iam import actions as act
from hubgate.iam.arn import ArnError, arn_matches, could_be_type, parse_arn, s3_bucket_and_key
from hubgate.iam.evaluate import Request, evaluate, principal_matches
from hubgate.iam.policy import PolicyError, Principal, normalise
from hubgate.source import Document, parse_text

from conftest import S3_TYPE_ROWS

OBJ = "arn:aws:s3:::my-bucket/k.jpg"
BUCKET = "arn:aws:s3:::my-bucket"
READ = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
        "Resource": [BUCKET, BUCKET + "/*"]}


def pol(*stmts, version="2012-10-17", name="p.json"):
    data = {"Version": version, "Statement": list(stmts)}
    return normalise(Document(file=name, data=data))


@pytest.mark.parametrize(("action", "resource", "decision"), [
    ("s3:GetObject", OBJ, "allow"),
    ("s3:getobject", OBJ, "allow"),  # action names are case-insensitive
    ("s3:ListBucket", BUCKET, "allow"),
    ("s3:PutObject", OBJ, "implicit-deny"),
    ("s3:GetObject", "arn:aws:s3:::other/k", "implicit-deny"),
    ("s3:GetObject", "arn:aws:s3:::MY-BUCKET/k.jpg", "implicit-deny"),  # resources are case-sensitive
])
def test_read_policy(action, resource, decision):
    assert evaluate([pol(READ)], Request(action, resource)).decision == decision


def test_explicit_deny_beats_allow_in_any_order_and_policy():
    deny = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": BUCKET + "/*"}
    for policies in ([pol(READ, deny)], [pol(deny, READ)], [pol(READ), pol(deny, name="d.json")]):
        d = evaluate(policies, Request("s3:GetObject", OBJ))
        assert d.decision == "explicit-deny"
        assert d.statement.effect == "Deny"
        assert "explicitly denied" in d.explain()
    assert evaluate([pol(READ, deny)], Request("s3:ListBucket", BUCKET)).allowed


def test_implicit_deny_explains_itself():
    d = evaluate([pol(READ)], Request("s3:DeleteObject", OBJ))
    assert d.decision == "implicit-deny" and d.statement is None
    assert d.explain() == "implicitly denied: no statement allows it"


def test_allow_names_the_statement_and_file():
    d = evaluate([pol(dict(READ, Sid="Read"), name="role.json")], Request("s3:GetObject", OBJ))
    assert d.allowed and d.statement.sid == "Read"
    assert d.explain() == "allowed by statement 0 (Read) at role.json#/Statement/0"


def test_wildcards_in_actions_and_resources():
    p = pol({"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::my-*/*"})
    assert evaluate([p], Request("s3:GetObjectAcl", OBJ)).allowed
    assert not evaluate([p], Request("s3:ListBucket", BUCKET)).allowed
    assert not evaluate([p], Request("s3:GetObject", "arn:aws:s3:::your-bucket/k")).allowed


def test_not_action_and_not_resource():
    p = pol({"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": "arn:aws:s3:::secret/*"})
    assert evaluate([p], Request("s3:GetObject", OBJ)).allowed
    assert not evaluate([p], Request("s3:DeleteObject", OBJ)).allowed
    assert not evaluate([p], Request("s3:GetObject", "arn:aws:s3:::secret/x")).allowed


def test_conditional_statements_in_both_modes():
    allow = dict(READ, Condition={"Bool": {"aws:SecureTransport": "true"}})
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    p = pol(allow, deny)
    inside = {"aws:SecureTransport": "true", "aws:SourceIp": "10.0.0.1"}
    assert evaluate([p], Request("s3:GetObject", OBJ, context=inside)).allowed
    assert evaluate([p], Request("s3:GetObject", OBJ, context=dict(inside, **{"aws:SourceIp": "8.8.8.8"}))).decision == "explicit-deny"
    assert not evaluate([p], Request("s3:GetObject", OBJ, context={"aws:SourceIp": "10.0.0.1"})).allowed
    # optimistic: the conditional Allow may apply, the conditional Deny may not
    assert evaluate([p], Request("s3:GetObject", OBJ), mode="optimistic").allowed


def test_trust_policy_principals():
    trust = pol({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::397578311638:user/angohub-delegate"},
                 "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}})
    ok = Request("sts:AssumeRole", None, "arn:aws:iam::397578311638:user/angohub-delegate", {"sts:ExternalId": "abc"})
    assert evaluate([trust], ok).allowed
    assert not evaluate([trust], Request("sts:AssumeRole", None, ok.principal, {"sts:ExternalId": "x"})).allowed
    assert not evaluate([trust], Request("sts:AssumeRole", None, "arn:aws:iam::111111111111:user/x", ok.context)).allowed
    assert not evaluate([trust], Request("sts:AssumeRole", None, None, ok.context)).allowed


@pytest.mark.parametrize(("entry", "principal", "expected"), [
    (Principal("*", "*", ""), "arn:aws:iam::1:user/x", True),
    (Principal("AWS", "*", ""), "arn:aws:iam::1:user/x", True),
    (Principal("AWS", "123456789012", ""), "arn:aws:iam::123456789012:role/r", True),  # account id = root
    (Principal("AWS", "arn:aws:iam::123456789012:root", ""), "123456789012", True),
    (Principal("AWS", "arn:aws:iam::123456789012:root", ""), "arn:aws:iam::999999999999:role/r", False),
    (Principal("AWS", "arn:aws:iam::123456789012:user/a", ""), "arn:aws:iam::123456789012:user/b", False),
    (Principal("Service", "ec2.amazonaws.com", ""), "ec2.amazonaws.com", True),
    (Principal("Service", "ec2.amazonaws.com", ""), "lambda.amazonaws.com", False),
    (Principal("AWS", "not an arn", ""), "arn:aws:iam::1:user/x", False),
])
def test_principal_matches(entry, principal, expected):
    assert principal_matches(entry, principal) is expected


def test_not_principal():
    p = pol({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    assert evaluate([p], Request("s3:GetObject", OBJ, "arn:aws:iam::1:user/me")).allowed
    assert evaluate([p], Request("s3:GetObject", OBJ, "arn:aws:iam::2:user/you")).decision == "explicit-deny"


# ---------------------------------------------------------------------------------------------------------
# Normal form and pointers


def test_pointers_follow_the_source_spelling():
    text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",\n' \
           ' "Resource": ["arn:aws:s3:::b/*"], "Condition": {"StringLike": {"aws:ResourceTag/a~b": "x"}}}}'
    p = normalise(parse_text(text, "p.json"))
    s = p.statements[0]
    assert s.pointer == "/Statement"
    assert s.actions[0].pointer == "/Statement/Action"
    assert s.resources[0].pointer == "/Statement/Resource/0"
    assert s.conditions[0].pointer == "/Statement/Condition/StringLike/aws:ResourceTag~1a~0b"
    assert p.doc.position(s.resources[0].pointer) == (2, 15)


def test_inline_document_pointers_keep_their_base():
    doc = Document(file="bundle.yaml", data={"Statement": [READ]}, base="/permission_policy")
    s = normalise(doc).statements[0]
    assert s.pointer == "/permission_policy/Statement/0"
    assert s.actions[2].pointer == "/permission_policy/Statement/0/Action/2"


@pytest.mark.parametrize(("data", "message"), [
    ("text", "policy is a string"),
    ([], "must be a JSON object"),
    ({}, "has no Statement"),
    ({"Statement": 3}, "Statement must be an object or a list"),
    ({"Statement": [3]}, "/Statement/0: a statement must be an object"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resourc": "*"}]}, "unknown statement element 'Resourc'"),
    ({"Statement": [{"Effect": "allow", "Action": "s3:*"}]}, "/Statement/0/Effect"),
    ({"Statement": [{"Effect": "Allow"}]}, "exactly one of Action and NotAction"),
    ({"Statement": [{"Effect": "Allow", "Action": []}]}, "/Statement/0/Action: Action is an empty list"),
    ({"Statement": [{"Effect": "Allow", "Action": ["s3:*", 5]}]}, "/Statement/0/Action/1: Action entries"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"}]}, "both Resource"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": 5}]}, "Principal must be"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": 1}}]}, "must map keys to values"),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": {"k": {"x": 1}}}}]}, "scalars"),
    ({"Version": 2012, "Statement": []}, "Version must be a string"),
])
def test_malformed_policies_are_input_errors(data, message):
    with pytest.raises(PolicyError) as err:
        normalise(Document(file="p.json", data=data))
    assert message in str(err.value)


# ---------------------------------------------------------------------------------------------------------
# Actions and ARNs


def test_action_metadata():
    info = act.lookup("S3:GETOBJECT")
    assert info is not None and info.full == "s3:GetObject" and info.read_only
    assert "object" in info.resource_types
    assert act.lookup("s3:GetObjects") is None
    assert act.lookup("nosuchservice:Get") is None
    assert not act.lookup("s3:PutObject").read_only
    assert {a.name for a in act.expand("s3:Get*Acl")} >= {"GetObjectAcl", "GetBucketAcl"}
    assert act.expand("s3:GetObject") == (act.lookup("s3:GetObject"),)
    assert act.expand("nocolon") == ()
    assert all(a.service.startswith("s3") for a in act.expand("s3*"))  # no colon: a glob over full names
    assert act.non_read_only("s3:List*") == ()


def test_suggestions():
    assert act.suggest_action("s3", "GetObjects") == "GetObject"
    assert act.suggest_action("s3", "Zzzzzzzz") is None
    assert act.suggest_service("s33") == "s3"


@pytest.mark.parametrize(("pattern", "arn", "expected"), [
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),
    ("arn:aws:s3:::b*", "arn:aws:s3:::b/k", True),
    ("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", True),  # variables: any value
    ("arn:aws:s3:::B", "arn:aws:s3:::b", False),
    ("*", "anything", True),
])
def test_arn_matches(pattern, arn, expected):
    assert arn_matches(pattern, arn) is expected


@pytest.mark.parametrize(("pattern", "type_key", "expected"), S3_TYPE_ROWS)
def test_could_be_type(pattern, type_key, expected):
    assert could_be_type(pattern, "s3", type_key) is expected


def test_parse_arn_errors_and_s3_split():
    for bad in ("", "arn:aws:s3", "urn:aws:s3:::b", "arn::s3:::b", "arn:aws::::b", "arn:aws:s3:::"):
        with pytest.raises(ArnError):
            parse_arn(bad)
    with pytest.raises(ArnError):
        parse_arn(5)  # type: ignore[arg-type]
    assert parse_arn("arn:aws:iam::1:role/a:b").resource == "role/a:b"
    assert s3_bucket_and_key("arn:aws:s3:::b/k/x") == ("b", "k/x")
    assert s3_bucket_and_key("arn:aws:s3:::b") == ("b", None)
    assert s3_bucket_and_key("arn:aws:iam::1:role/r") is None
