"""HG201-HG206: trust policy rules, one data-driven case per principal and condition form."""

from __future__ import annotations

import secrets
import uuid

import pytest

from hubgate.example import EXTERNAL_ID, HUB_PRINCIPAL, example_targets, good_bundle, policy, trust_policy
from hubgate.rules import run_rules

from rulehelpers import assert_own_examples, load_rules

load_rules()  # every rule module imported before one is imported by name below

import hubgate.checks.trust as trust  # noqa: E402

OTHER_ID = "c0ffee00-1111-4222-8333-444455556666"
ST = "/trust_policy/Statement/0"
FAMILY = ("HG201", "HG202", "HG203", "HG204", "HG205", "HG206")


def run(bundle, rule=None):
    found = run_rules(example_targets(bundle))
    return [f for f in found if rule is None or f.rule == rule]


def ids(bundle):
    return sorted({f.rule for f in run(bundle)})


def with_principal(principal):
    return good_bundle(trust_policy=trust_policy(principal=principal))


def with_condition(condition, **kw):
    return good_bundle(trust_policy=trust_policy(condition=condition), **kw)


# --- the rules' own examples --------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", FAMILY)
def test_rule_examples(rule_id):
    rule = assert_own_examples(rule_id, detail=lambda ex: f": {ex['trust_policy']}")
    assert "confused-deputy" in rule.why


def test_good_bundle_is_clean():
    assert not [f for f in run(good_bundle()) if f.rule.startswith(("HG2", "HG3", "HG4"))]


# --- HG201 principal forms ----------------------------------------------------------------------------

PRINCIPAL_FAIL = [
    # (case id, principal, pointer of the finding, fragment of the message)
    ("bare-star", "*", f"{ST}/Principal", 'Principal "*" lets every AWS principal'),
    ("aws-star", {"AWS": "*"}, f"{ST}/Principal/AWS", 'Principal {"AWS": "*"}'),
    ("aws-star-list", {"AWS": ["*"]}, f"{ST}/Principal/AWS/0", 'Principal {"AWS": "*"}'),
    ("account-id", {"AWS": "397578311638"}, f"{ST}/Principal/AWS", "every IAM user and role of Ango Hub's account"),
    ("account-root", {"AWS": "arn:aws:iam::397578311638:root"}, f"{ST}/Principal/AWS", "every IAM user and role"),
    ("other-account", {"AWS": "111122223333"}, f"{ST}/Principal/AWS", "of account 111122223333"),
    ("extra-user", {"AWS": [HUB_PRINCIPAL, "arn:aws:iam::111122223333:user/bob"]}, f"{ST}/Principal/AWS/1",
     "'arn:aws:iam::111122223333:user/bob' is not Hub's principal"),
    ("extra-first", {"AWS": ["arn:aws:iam::111122223333:role/ci", HUB_PRINCIPAL]}, f"{ST}/Principal/AWS/0",
     "role/ci"),
    ("other-hub-user", {"AWS": "arn:aws:iam::397578311638:user/other"}, f"{ST}/Principal/AWS",
     "another principal of Ango Hub's account"),
    ("other-role", {"AWS": "arn:aws:iam::111122223333:role/x"}, f"{ST}/Principal/AWS", "is not Hub's principal"),
    ("letter-case", {"AWS": "arn:aws:iam::397578311638:user/AngoHub-Delegate"}, f"{ST}/Principal/AWS",
     "in letter case"),
    ("wildcard-arn", {"AWS": "arn:aws:iam::397578311638:user/*"}, f"{ST}/Principal/AWS", "contains a wildcard"),
    ("unique-id", {"AWS": "AIDAJQABLZS4A3QDU576Q"}, f"{ST}/Principal/AWS", "IAM unique ID"),
    ("other-partition", {"AWS": "arn:aws-cn:iam::397578311638:user/angohub-delegate"}, f"{ST}/Principal/AWS",
     "is in partition 'aws-cn'"),
    ("service", {"Service": "ec2.amazonaws.com"}, f"{ST}/Principal/Service", "Service principal 'ec2.amazonaws.com'"),
    ("service-extra", {"AWS": HUB_PRINCIPAL, "Service": "lambda.amazonaws.com"}, f"{ST}/Principal/Service",
     "Service principal 'lambda.amazonaws.com'"),
    ("federated", {"Federated": "arn:aws:iam::123456789012:saml-provider/okta"}, f"{ST}/Principal/Federated",
     "Federated principal"),
    ("canonical-user", {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
     f"{ST}/Principal/CanonicalUser", "CanonicalUser principal"),
]


@pytest.mark.parametrize("case,principal,pointer,fragment", PRINCIPAL_FAIL, ids=[c[0] for c in PRINCIPAL_FAIL])
def test_hg201_principal_forms_fail(case, principal, pointer, fragment):
    found = run(with_principal(principal), "HG201")
    assert [f.pointer for f in found] == [pointer]
    assert fragment in found[0].message
    assert HUB_PRINCIPAL in (found[0].fix or "")
    assert found[0].severity == "error"


PRINCIPAL_PASS = [
    ("exact", {"AWS": HUB_PRINCIPAL}),
    ("exact-in-list", {"AWS": [HUB_PRINCIPAL]}),
    ("exact-twice", {"AWS": [HUB_PRINCIPAL, HUB_PRINCIPAL]}),
]


@pytest.mark.parametrize("case,principal", PRINCIPAL_PASS, ids=[c[0] for c in PRINCIPAL_PASS])
def test_hg201_principal_forms_pass(case, principal):
    assert run(with_principal(principal), "HG201") == []


def test_hg201_extra_principal_fix_keeps_hub():
    found = run(with_principal({"AWS": [HUB_PRINCIPAL, "arn:aws:iam::111122223333:user/bob"]}), "HG201")
    assert found[0].fix.startswith("Remove 'arn:aws:iam::111122223333:user/bob'")


def test_hg201_not_principal_with_allow():
    tp = policy({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}})
    found = run(good_bundle(trust_policy=tp), "HG201")
    assert [f.pointer for f in found] == [f"{ST}/NotPrincipal"]
    assert "trusts every principal except" in found[0].message


def test_hg201_second_statement_checked():
    tp = trust_policy()
    tp["Statement"].append({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    found = run(good_bundle(trust_policy=tp))
    assert [(f.rule, f.pointer) for f in found] == [("HG201", "/trust_policy/Statement/1/Principal/Service")]


def test_hg201_deny_statements_are_not_trust():
    tp = trust_policy()
    tp["Statement"].append({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    assert ids(good_bundle(trust_policy=tp)) == []


def test_hg201_only_deny_means_hub_not_trusted():
    tp = policy({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})
    found = run(good_bundle(trust_policy=tp), "HG201")
    assert len(found) == 1 and "cannot assume the role" in found[0].message


# --- HG202 / HG203 condition forms --------------------------------------------------------------------

CONDITION_WEAK = [
    # (case id, condition block, pointer suffix under Condition, fragment)
    ("stringlike-star", {"StringLike": {"sts:ExternalId": "6f0b1d4e-*"}}, "StringLike/sts:ExternalId", "wildcard pattern"),
    ("stringlike-qmark", {"StringLike": {"sts:ExternalId": EXTERNAL_ID[:-1] + "?"}}, "StringLike/sts:ExternalId", "wildcard"),
    ("stringlike-lower", {"stringlike": {"sts:externalid": "*"}}, "stringlike/sts:externalid", "wildcard pattern '*'"),
    ("equals-ifexists", {"StringEqualsIfExists": {"sts:ExternalId": EXTERNAL_ID}}, "StringEqualsIfExists/sts:ExternalId",
     "no external ID at all"),
    ("like-ifexists", {"StringLikeIfExists": {"sts:ExternalId": EXTERNAL_ID}}, "StringLikeIfExists/sts:ExternalId",
     "no external ID at all"),
    ("foranyvalue", {"ForAnyValue:StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
     "ForAnyValue:StringEquals/sts:ExternalId", "set operator"),
    ("forallvalues", {"ForAllValues:StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
     "ForAllValues:StringEquals/sts:ExternalId", "no external ID at all"),
    ("null-false", {"Null": {"sts:ExternalId": "false"}}, "Null/sts:ExternalId", "any value passes"),
    ("null-true", {"Null": {"sts:ExternalId": "true"}}, "Null/sts:ExternalId", "no external ID is sent"),
    ("not-equals", {"StringNotEquals": {"sts:ExternalId": "x"}}, "StringNotEquals/sts:ExternalId", "every external ID except"),
    ("two-values", {"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, OTHER_ID]}}, "StringEquals/sts:ExternalId",
     "allows 2 values"),
    ("numeric", {"NumericEquals": {"sts:ExternalId": "1"}}, "NumericEquals/sts:ExternalId", "not compare"),
]


def test_unknown_condition_operator_is_bad_input():
    """IAM refuses a policy with an unknown operator (MalformedPolicyDocument), so hubgate does too: exit 2."""
    from hubgate.bundle import bundle_from_data
    from hubgate.errors import InputError

    with pytest.raises(InputError, match="unknown condition operator 'StringEqualz'"):
        bundle_from_data(good_bundle(trust_policy=trust_policy(condition={"StringEqualz": {"sts:ExternalId": EXTERNAL_ID}})))


@pytest.mark.parametrize("case,condition,suffix,fragment", CONDITION_WEAK, ids=[c[0] for c in CONDITION_WEAK])
def test_hg203_weak_condition_forms_fail(case, condition, suffix, fragment):
    found = run(with_condition(condition))
    hg203 = [f for f in found if f.rule == "HG203"]
    assert [f.pointer for f in hg203] == [f"{ST}/Condition/{suffix}"]
    assert fragment in hg203[0].message
    assert EXTERNAL_ID in hg203[0].fix  # the fix names the record's external ID
    # one problem, one finding: the condition exists (no HG202)
    assert "HG202" not in {f.rule for f in found}


CONDITION_STRONG = [
    ("string-equals", {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}),
    ("lower-case-op-and-key", {"stringequals": {"sts:externalid": EXTERNAL_ID}}),
    ("upper-case-op", {"STRINGEQUALS": {"STS:EXTERNALID": EXTERNAL_ID}}),
    ("single-value-list", {"StringEquals": {"sts:ExternalId": [EXTERNAL_ID]}}),
    ("same-value-twice", {"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, EXTERNAL_ID]}}),
    ("stringlike-no-wildcard", {"StringLike": {"sts:ExternalId": EXTERNAL_ID}}),
    ("ignore-case", {"StringEqualsIgnoreCase": {"sts:ExternalId": EXTERNAL_ID}}),
    ("anded-with-weak", {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}, "StringLike": {"sts:ExternalId": "*"}}),
    ("extra-conditions", {"StringEquals": {"sts:ExternalId": EXTERNAL_ID, "aws:PrincipalAccount": "397578311638"}}),
]


@pytest.mark.parametrize("case,condition", CONDITION_STRONG, ids=[c[0] for c in CONDITION_STRONG])
def test_condition_forms_pass(case, condition):
    assert [f for f in run(with_condition(condition)) if f.rule in FAMILY] == []


NO_EXTERNAL_ID = [
    ("no-condition", {}, ST),
    ("other-key", {"StringEquals": {"aws:SourceAccount": "397578311638"}}, f"{ST}/Condition"),
    ("similar-key", {"StringEquals": {"sts:ExternalIds": EXTERNAL_ID}}, f"{ST}/Condition"),
]


@pytest.mark.parametrize("case,condition,pointer", NO_EXTERNAL_ID, ids=[c[0] for c in NO_EXTERNAL_ID])
def test_hg202_no_external_id_condition(case, condition, pointer):
    found = run(with_condition(condition))
    assert [(f.rule, f.pointer) for f in found if f.rule in FAMILY] == [("HG202", pointer)]
    assert f'"sts:ExternalId": "{EXTERNAL_ID}"' in found[0].fix


def test_hg202_any_operator_counts_as_a_condition():
    # weak, but present: HG203 reports it, HG202 does not
    assert ids(with_condition({"StringLike": {"STS:ExternalID": "*"}})) == ["HG203"]


def test_hg202_wildcard_principal_without_condition_reports_both():
    tp = trust_policy(principal="*", condition={})
    assert ids(good_bundle(trust_policy=tp)) == ["HG201", "HG202"]


def test_hg202_not_for_statements_hub_cannot_use():
    tp = trust_policy()
    tp["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
                            "Action": "sts:AssumeRole"})
    assert ids(good_bundle(trust_policy=tp)) == ["HG201"]


def test_hg202_each_statement_hub_can_use():
    tp = trust_policy()
    tp["Statement"].append({"Effect": "Allow", "Principal": {"AWS": HUB_PRINCIPAL}, "Action": "sts:AssumeRole"})
    found = run(good_bundle(trust_policy=tp), "HG202")
    assert [f.pointer for f in found] == ["/trust_policy/Statement/1"]


# --- HG204 --------------------------------------------------------------------------------------------


def test_hg204_mismatch():
    found = run(good_bundle(external_id=OTHER_ID), "HG204")
    assert [f.pointer for f in found] == [f"{ST}/Condition/StringEquals/sts:ExternalId"]
    assert EXTERNAL_ID in found[0].message and OTHER_ID in found[0].message
    assert f'"{OTHER_ID}"' in found[0].fix


def test_hg204_none_of_several_literals_match():
    found = run(with_condition({"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, OTHER_ID]}},
                               external_id="d00dfeed-1111-4222-8333-444455556666"))
    assert sorted(f.rule for f in found) == ["HG203", "HG204"]


@pytest.mark.parametrize("condition,record", [
    ({"StringEquals": {"sts:ExternalId": [EXTERNAL_ID, OTHER_ID]}}, OTHER_ID),  # one of them: HG203 only
    ({"StringEqualsIgnoreCase": {"sts:ExternalId": EXTERNAL_ID}}, EXTERNAL_ID.upper()),
    ({"StringLike": {"sts:ExternalId": "6f0b*"}}, OTHER_ID),  # a pattern is not a literal: HG203's
    ({"StringEquals": {"sts:ExternalId": "your-external-id-for-the-role-here"}}, OTHER_ID),  # placeholder: HG109's
], ids=["one-of-several", "ignore-case", "pattern", "placeholder"])
def test_hg204_pass(condition, record):
    assert run(with_condition(condition, external_id=record), "HG204") == []


def test_hg204_case_matters_for_string_equals():
    assert run(good_bundle(external_id=EXTERNAL_ID.upper()), "HG204")


def test_docs_placeholder_is_hg109_only():
    ph = "your-external-id-for-the-role-here"
    b = good_bundle(external_id=ph, trust_policy=trust_policy(ph))
    assert ids(b) == ["HG109"]
    b = good_bundle(trust_policy=trust_policy(ph))  # record has a real id, trust the placeholder
    assert ids(b) == ["HG109"]


# --- HG205 --------------------------------------------------------------------------------------------

ACTION_FAIL = [
    ("sts-star", "sts:*", f"{ST}/Action", "error", "besides sts:AssumeRole"),
    ("star", "*", f"{ST}/Action", "error", "allows every action"),
    ("assume-star", "sts:Assume*", f"{ST}/Action", "error", "sts:AssumeRoleWithSAML"),
    ("web-identity", ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"], f"{ST}/Action/1", "error", "is not sts:AssumeRole"),
    ("saml", ["sts:AssumeRole", "sts:AssumeRoleWithSAML"], f"{ST}/Action/1", "error", "is not sts:AssumeRole"),
    ("source-identity", ["sts:AssumeRole", "sts:SetSourceIdentity"], f"{ST}/Action/1", "error", "is not sts:AssumeRole"),
    ("tag-session", ["sts:AssumeRole", "sts:TagSession"], f"{ST}/Action/1", "info", "tag its role session"),
    ("tag-session-lower", ["sts:assumerole", "STS:tagsession"], f"{ST}/Action/1", "info", "tag its role session"),
]


@pytest.mark.parametrize("case,action,pointer,severity,fragment", ACTION_FAIL, ids=[c[0] for c in ACTION_FAIL])
def test_hg205_action_forms_fail(case, action, pointer, severity, fragment):
    found = run(good_bundle(trust_policy=trust_policy(action=action)), "HG205")
    assert [(f.pointer, f.severity) for f in found] == [(pointer, severity)]
    assert fragment in found[0].message


def test_hg205_not_action():
    tp = policy({"Effect": "Allow", "Principal": {"AWS": HUB_PRINCIPAL}, "NotAction": "sts:TagSession",
                 "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}})
    found = run(good_bundle(trust_policy=tp), "HG205")
    assert [f.pointer for f in found] == [f"{ST}/NotAction"]


def test_hg205_no_assume_role_for_hub():
    found = run(good_bundle(trust_policy=trust_policy(action="sts:TagSession")), "HG205")
    assert sorted((f.severity, f.pointer) for f in found) == [("error", f"{ST}/Action"), ("info", f"{ST}/Action")]
    assert any("cannot assume the role" in f.message for f in found)


@pytest.mark.parametrize("action", ["sts:AssumeRole", "STS:ASSUMEROLE", ["sts:AssumeRole"], "sts:AssumeRol?"])
def test_hg205_pass(action):
    assert run(good_bundle(trust_policy=trust_policy(action=action)), "HG205") == []


def test_hg205_unknown_action_left_to_hg111():
    found = run(good_bundle(trust_policy=trust_policy(action=["sts:AssumeRole", "sts:AssumeRoles"])))
    assert "HG111" in {f.rule for f in found} and "HG205" not in {f.rule for f in found}


# --- HG206 --------------------------------------------------------------------------------------------

GUESSABLE = [
    ("short", "hub-1234", "8 characters, fewer than 16", "warning"),
    ("repeated", "abcabcabcabcabcabc", "it repeats 'abc'", "warning"),
    ("one-char", "x" * 24, "it repeats 'x'", "warning"),
    ("consecutive", "abcdefghijklmnopq", "consecutive", "warning"),
    # digits only: trivially guessable since issue #17 (was a warning)
    ("few-distinct", "1122112211221121", "distinct characters", "error"),
    ("storage-name", "prod-images", "equals the storage name", "warning"),
    ("bucket-name", "images-bucket-eu-central", "equals bucket 'images-bucket-eu-central'", "warning"),
    ("role-name", "angohubreadonly-ci-role", "equals the role name", "warning"),
]


@pytest.mark.parametrize("case,value,fragment,severity", GUESSABLE, ids=[c[0] for c in GUESSABLE])
def test_hg206_guessable(case, value, fragment, severity):
    b = good_bundle(external_id=value, trust_policy=trust_policy(value),
                    role_arn="arn:aws:iam::123456789012:role/AngoHubReadOnly-CI-Role",
                    buckets=[{"name": "my-bucket", "cors": {"CORSRules": []}}, {"name": "images-bucket-eu-central"}])
    found = run(b, "HG206")
    assert [(f.pointer, f.severity) for f in found] == [("/external_id", severity)]
    assert fragment in found[0].message and repr(value) in found[0].message


def test_hg206_trust_value_checked_when_record_has_none():
    found = run(good_bundle(external_id=None, trust_policy=trust_policy("short")), "HG206")
    assert [f.pointer for f in found] == [f"{ST}/Condition/StringEquals/sts:ExternalId"]


@pytest.mark.parametrize("value", [EXTERNAL_ID, str(uuid.uuid4()), secrets.token_hex(16), secrets.token_urlsafe(24)])
def test_hg206_random_values_pass(value):
    assert run(good_bundle(external_id=value, trust_policy=trust_policy(value)), "HG206") == []


def test_low_entropy_never_flags_uuids():
    # seeded: about 1 in 70,000 random 16-hex-digit strings really has < 6 distinct digits and is flagged
    import random

    rng = random.Random(20261123)
    uuids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(2000)]
    hexes = [f"{rng.getrandbits(64):016x}" for _ in range(2000)]
    assert not [u for u in uuids if trust.low_entropy(u)]
    assert not [h for h in hexes if trust.low_entropy(h)]


def test_shannon_bits():
    assert trust.shannon_bits("aaaa") == 0
    assert trust.shannon_bits("abcd") == 2
    assert trust.shannon_bits("") == 0


# --- scope --------------------------------------------------------------------------------------------


def test_trust_rules_skip_iam_user_bundles():
    from hubgate.example import iam_user_bundle

    b = iam_user_bundle(trust_policy=trust_policy(principal="*", condition={}))
    assert [f.rule for f in run(b) if f.rule in FAMILY] == []
    assert "HG405" in ids(b)


# --- external ID demanded by a Deny instead of an Allow condition --------------------------------------


def _guarded(values, operator="StringNotEquals", external_id=EXTERNAL_ID):
    tp = trust_policy(condition={})
    tp["Statement"].append({"Effect": "Deny", "Principal": {"AWS": HUB_PRINCIPAL}, "Action": "sts:AssumeRole",
                            "Condition": {operator: {"sts:ExternalId": values}}})
    return good_bundle(trust_policy=tp, external_id=external_id)


def test_deny_guard_counts_as_external_id_condition():
    assert [f.rule for f in run(_guarded(EXTERNAL_ID)) if f.rule in FAMILY] == []
    assert [f.rule for f in run(_guarded(EXTERNAL_ID, "stringnotlike")) if f.rule in FAMILY] == []


@pytest.mark.parametrize("values,operator", [([EXTERNAL_ID, OTHER_ID], "StringNotEquals"), ("6f0b*", "StringNotLike")])
def test_deny_guard_weak(values, operator):
    found = [f for f in run(_guarded(values, operator)) if f.rule in FAMILY]
    assert [(f.rule, f.pointer) for f in found] == [
        ("HG203", f"/trust_policy/Statement/1/Condition/{operator}/sts:ExternalId")]


def test_deny_guard_mismatch_is_hg204():
    found = [f for f in run(_guarded(EXTERNAL_ID, external_id=OTHER_ID)) if f.rule in FAMILY]
    assert [f.rule for f in found] == ["HG204"]


@pytest.mark.parametrize("operator", ["StringNotEqualsIfExists", "ForAnyValue:StringNotEquals", "StringEquals"])
def test_deny_without_effect_is_no_guard(operator):
    # IfExists / set operators skip an absent ID; a Deny of the right ID guards nothing
    assert "HG202" in {f.rule for f in run(_guarded(EXTERNAL_ID, operator))}
