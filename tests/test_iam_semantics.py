"""AWS's documented evaluation semantics (issue #17, item 1): policy variables, Version gating, set operators
over absent keys and empty values, and every date form of the Date operators.

Each row names the AWS page it follows (the ``id=`` carries a short tag, the comment the page):

* VAR  -- IAM User Guide, "IAM policy elements: Variables and tags"
          https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
* OPS  -- "IAM JSON policy elements: Condition operators"
          https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* SET  -- "Single-valued vs. multivalued context keys"
          https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* EVAL -- "Policy evaluation logic"
          https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
* W3C  -- the date formats OPS points to, https://www.w3.org/TR/NOTE-datetime
* CHOICE -- the pages are silent; the choice is explained in hubgate/iam/variables.py or dates.py.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from hubgate.cli import cli
from hubgate.iam.conditions import condition_holds, normalise_context
from hubgate.iam.dates import parse_date
from hubgate.iam.evaluate import Request, evaluate
from hubgate.iam.policy import Condition, normalise
from hubgate.source import Document

V12 = "2012-10-17"
ABSENT = object()


def policy(statements, version=V12):
    data = {"Statement": statements}
    if version is not None:
        data["Version"] = version
    return normalise(Document(file="p.json", data=data))


def stmt(effect="Allow", action="s3:GetObject", resource=None, not_resource=None, condition=None):
    s = {"Effect": effect, "Action": action}
    if not_resource is not None:
        s["NotResource"] = not_resource
    else:
        s["Resource"] = resource if resource is not None else "*"
    if condition:
        s["Condition"] = condition
    return s


ALLOW_ALL = stmt(resource="*")


def decide(statements, resource, ctx=None, version=V12, action="s3:GetObject", mode="evaluate"):
    return evaluate([policy(statements, version)], Request(action, resource, context=ctx or {}), mode).decision


B = "arn:aws:s3:::bucket"

# ---------------------------------------------------------------------------------------------------------
# Variables in Resource / NotResource: (statements, resource, context, decision)

RESOURCE_ROWS = [
    # VAR "Resource element": the home-directory example; the user's friendly name replaces ${aws:username}.
    pytest.param([stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {"aws:username": "alice"},
                 "allow", id="VAR-resource-substituted"),
    pytest.param([stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/bob/f", {"aws:username": "alice"},
                 "implicit-deny", id="VAR-resource-other-user-not-granted"),
    # VAR "Policy variables with no value": "the resource that includes a policy variable with no value will
    # not match any resource" -- an Allow does not allow ...
    pytest.param([stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {}, "implicit-deny",
                 id="VAR-no-value-allow-does-not-allow"),
    # ... and a Deny does not deny.
    pytest.param([ALLOW_ALL, stmt("Deny", resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {}, "allow",
                 id="VAR-no-value-deny-does-not-deny"),
    pytest.param([ALLOW_ALL, stmt("Deny", resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f",
                 {"aws:username": "alice"}, "explicit-deny", id="VAR-deny-substituted"),
    # VAR "Policy variables with no value": the same holds in NotResource: the entry matches no resource, so
    # the NotResource statement covers every resource.
    pytest.param([stmt(not_resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {}, "allow",
                 id="VAR-no-value-notresource-entry-matches-nothing"),
    pytest.param([stmt(not_resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {"aws:username": "alice"},
                 "implicit-deny", id="VAR-notresource-substituted"),
    # VAR: key names are case-insensitive ("aws:CurrentTime is equivalent to AWS:currenttime").
    pytest.param([stmt(resource=f"{B}/${{AWS:UserName}}/*")], f"{B}/alice/f", {"aws:username": "alice"},
                 "allow", id="VAR-key-case-insensitive"),
    # VAR: tags as variables, "${aws:PrincipalTag/department}".
    pytest.param([stmt(resource=f"{B}/${{aws:PrincipalTag/department}}")], f"{B}/hr",
                 {"aws:PrincipalTag/department": "hr"}, "allow", id="VAR-principal-tag"),
    # VAR several variables and a wildcard in one ARN (the form of the "AllowAccessBasedOnArnMatching" example).
    pytest.param([stmt(resource="arn:aws:s3:::${aws:PrincipalTag/p}-${aws:PrincipalTag/e}-*")],
                 "arn:aws:s3:::web-prod-x", {"aws:PrincipalTag/p": "web", "aws:PrincipalTag/e": "prod"},
                 "allow", id="VAR-several-variables"),
    pytest.param([stmt(resource="arn:aws:s3:::${aws:PrincipalTag/p}-${aws:PrincipalTag/e}-*")],
                 "arn:aws:s3:::web-dev-x", {"aws:PrincipalTag/p": "web", "aws:PrincipalTag/e": "prod"},
                 "implicit-deny", id="VAR-several-variables-other-value"),
    # VAR "Special characters": ${*} "use where you need an * (asterisk) character" -- a literal, not a wildcard.
    pytest.param([stmt(resource=f"{B}/a${{*}}b")], f"{B}/a*b", {}, "allow", id="VAR-special-star-literal"),
    pytest.param([stmt(resource=f"{B}/a${{*}}b")], f"{B}/axyzb", {}, "implicit-deny",
                 id="VAR-special-star-not-wildcard"),
    pytest.param([stmt(resource=f"{B}/a${{?}}b")], f"{B}/axb", {}, "implicit-deny", id="VAR-special-q-not-wildcard"),
    pytest.param([stmt(resource=f"{B}/price${{$}}")], f"{B}/price$", {}, "allow", id="VAR-special-dollar"),
    # VAR "Specifying default values": "${aws:PrincipalTag/team, 'company-wide'}".
    pytest.param([stmt(resource=f"{B}-${{aws:PrincipalTag/team, 'company-wide'}}")], f"{B}-company-wide", {},
                 "allow", id="VAR-default-used-when-absent"),
    pytest.param([stmt(resource=f"{B}-${{aws:PrincipalTag/team, 'company-wide'}}")], f"{B}-yellow",
                 {"aws:PrincipalTag/team": "yellow"}, "allow", id="VAR-default-ignored-when-present"),
    pytest.param([stmt(resource=f"{B}-${{aws:PrincipalTag/team, 'company-wide'}}")], f"{B}-company-wide",
                 {"aws:PrincipalTag/team": "yellow"}, "implicit-deny", id="VAR-default-not-a-second-value"),
    # CHOICE: a substituted value is literal text; a "*" in it is no wildcard.
    pytest.param([stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/bob/f", {"aws:username": "*"},
                 "implicit-deny", id="CHOICE-substituted-star-is-literal"),
    # CHOICE (SET: "you cannot use a multivalued context key as a policy variable"): no value.
    pytest.param([stmt(resource=f"{B}/${{aws:TagKeys}}/*")], f"{B}/a/f", {"aws:TagKeys": ["a", "b"]},
                 "implicit-deny", id="CHOICE-multivalued-key-has-no-value"),
    # EVAL: explicit deny wins over the allow once the variable resolves.
    pytest.param([stmt(resource=f"{B}/*"), stmt("Deny", resource=f"{B}/${{aws:username}}/private/*")],
                 f"{B}/alice/private/x", {"aws:username": "alice"}, "explicit-deny", id="EVAL-deny-wins"),
]


@pytest.mark.parametrize(("statements", "resource", "ctx", "expected"), RESOURCE_ROWS)
def test_variables_in_resources(statements, resource, ctx, expected):
    assert decide(statements, resource, ctx) == expected


# ---------------------------------------------------------------------------------------------------------
# Variables in condition values: (operator, policy values, request value, context, expected)

CONDITION_ROWS = [
    # OPS "Example using a policy variable with a string condition operator": home/${aws:username}/.
    pytest.param("StringLike", ["home/", "home/${aws:username}/"], "home/martha_rivera/",
                 {"aws:username": "martha_rivera"}, True, id="OPS-stringlike-home-dir"),
    pytest.param("StringLike", ["home/", "home/${aws:username}/"], "home/nikki_wolf/",
                 {"aws:username": "martha_rivera"}, False, id="OPS-stringlike-other-home"),
    pytest.param("StringLike", ["home/${aws:username}/"], "home/x/", {}, False, id="OPS-no-username-no-match"),
    pytest.param("StringEquals", "home/${aws:username}/", "home/alice/", {"aws:username": "alice"}, True,
                 id="VAR-stringequals-substituted"),
    pytest.param("StringEqualsIgnoreCase", "${aws:username}", "ALICE", {"aws:username": "alice"}, True,
                 id="VAR-stringequalsignorecase"),
    # VAR "Policy variables with no value": "operators like StringEquals or StringLike do not match" ...
    pytest.param("StringEquals", "${aws:PrincipalTag/Team}", "red", {}, False, id="VAR-no-value-equals-false"),
    pytest.param("StringLike", "*${aws:PrincipalTag/Team}*", "red", {}, False, id="VAR-no-value-like-false"),
    # ... "Inverted condition operators like StringNotEquals or StringNotLike do match against a null value".
    pytest.param("StringNotEquals", "${aws:PrincipalTag/Team}", "red", {}, True, id="VAR-no-value-notequals-true"),
    pytest.param("StringNotLike", "${aws:PrincipalTag/Team}", "red", {}, True, id="VAR-no-value-notlike-true"),
    pytest.param("StringNotEquals", "${aws:PrincipalTag/Team}", "red", {"aws:PrincipalTag/Team": "red"}, False,
                 id="VAR-notequals-substituted"),
    # VAR: a value without a variable in the same list still counts.
    pytest.param("StringEquals", ["${aws:username}", "fixed"], "fixed", {}, True, id="VAR-other-values-kept"),
    # VAR "Special characters" in StringLike: ${*} is a literal *, the bare * a wildcard.
    pytest.param("StringLike", "a${*}*", "a*zz", {}, True, id="VAR-special-in-stringlike"),
    pytest.param("StringLike", "a${*}*", "abzz", {}, False, id="VAR-special-in-stringlike-literal"),
    # VAR "Specifying default values" in a condition (the documented aws:userid 'anonymous' form).
    pytest.param("StringEquals", "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}", "arn:aws:s3:::/bucket/anonymous",
                 {}, True, id="VAR-default-in-condition"),
    # VAR "Condition element": ARN operators take variables too.
    pytest.param("ArnLike", "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::1:user/alice",
                 {"aws:username": "alice"}, True, id="VAR-arnlike-substituted"),
    pytest.param("ArnLike", "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::1:user/bob",
                 {"aws:username": "alice"}, False, id="VAR-arnlike-other"),
    pytest.param("ArnEquals", "${aws:PrincipalArn}", "arn:aws:iam::1:role/r",
                 {"aws:PrincipalArn": "arn:aws:iam::1:role/r"}, True, id="VAR-arn-whole-value"),
    pytest.param("ArnNotLike", "arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::1:user/alice", {}, True,
                 id="VAR-arnnotlike-no-value-true"),
    # VAR: "You can't use a policy variable with other operators, such as Numeric, Date, Boolean, Binary, IP
    # Address, or Null operators" -- the text stays literal there.
    pytest.param("NumericEquals", "${aws:max}", "5", {"aws:max": "5"}, False, id="VAR-numeric-no-variables"),
    pytest.param("DateEquals", "${aws:when}", "2020-01-01", {"aws:when": "2020-01-01"}, False,
                 id="VAR-date-no-variables"),
    # SET: a set operator compares each request value with the resolved policy values.
    pytest.param("ForAnyValue:StringEquals", "${aws:PrincipalTag/team}", ["x", "red"],
                 {"aws:PrincipalTag/team": "red"}, True, id="VAR-in-set-operator"),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "ctx", "expected"), CONDITION_ROWS)
def test_variables_in_conditions(operator, values, request_value, ctx, expected):
    values = tuple(values) if isinstance(values, list) else (values,)
    context = normalise_context({**ctx, "test:key": request_value})
    assert condition_holds(Condition(operator, "test:key", values, "/c"), context) is expected


def test_variable_in_condition_through_evaluate():
    """VAR "Policy variables with no value": the documented Deny with StringNotEquals
    s3:ExistingObjectTag/Team ${aws:PrincipalTag/Team}: "Access is explicitly denied when aws:principaltag/Team
    is not set"."""
    deny = stmt("Deny", resource=f"{B}/*",
                condition={"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}})
    same = {"s3:ExistingObjectTag/Team": "red", "aws:PrincipalTag/Team": "red"}
    assert decide([ALLOW_ALL, deny], f"{B}/k", same) == "allow"
    assert decide([ALLOW_ALL, deny], f"{B}/k", {"s3:ExistingObjectTag/Team": "red"}) == "explicit-deny"
    assert decide([ALLOW_ALL, deny], f"{B}/k", {**same, "aws:PrincipalTag/Team": "blue"}) == "explicit-deny"


# ---------------------------------------------------------------------------------------------------------
# Version gating: (version, statements, resource, context, decision)

VERSION_ROWS = [
    # VAR: "If you don't include the Version element ... variables like ${aws:username} are treated as literal
    # strings in the policy."
    pytest.param(None, [stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f", {"aws:username": "alice"},
                 "implicit-deny", id="VAR-no-version-literal"),
    pytest.param(None, [stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/${{aws:username}}/f",
                 {"aws:username": "alice"}, "allow", id="VAR-no-version-literal-text-matches"),
    # VAR: "Variables were introduced in version 2012-10-17. Earlier versions ... don't support policy variables."
    pytest.param("2008-10-17", [stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f",
                 {"aws:username": "alice"}, "implicit-deny", id="VAR-2008-literal"),
    pytest.param("2008-10-17", [ALLOW_ALL, stmt("Deny", resource=f"{B}/${{aws:username}}/*")], f"{B}/bob/f", {},
                 "allow", id="VAR-2008-deny-literal"),
    pytest.param("2012-10-17", [stmt(resource=f"{B}/${{aws:username}}/*")], f"{B}/alice/f",
                 {"aws:username": "alice"}, "allow", id="VAR-2012-substituted"),
    pytest.param(None, [stmt(condition={"StringEquals": {"s3:prefix": "home/${aws:username}/"}})], f"{B}/k",
                 {"aws:username": "alice", "s3:prefix": "home/alice/"}, "implicit-deny",
                 id="VAR-no-version-condition-literal"),
    pytest.param(None, [stmt(condition={"StringEquals": {"s3:prefix": "home/${aws:username}/"}})], f"{B}/k",
                 {"s3:prefix": "home/${aws:username}/"}, "allow", id="VAR-no-version-condition-literal-text"),
    pytest.param(V12, [stmt(condition={"StringEquals": {"s3:prefix": "home/${aws:username}/"}})], f"{B}/k",
                 {"aws:username": "alice", "s3:prefix": "home/alice/"}, "allow", id="VAR-2012-condition"),
]


@pytest.mark.parametrize(("version", "statements", "resource", "ctx", "expected"), VERSION_ROWS)
def test_version_gating(version, statements, resource, ctx, expected):
    assert decide(statements, resource, ctx, version=version) == expected


# ---------------------------------------------------------------------------------------------------------
# Set operators with absent keys and empty values: (operator, policy values, request value, expected)

SET_ROWS = [
    # SET ForAnyValue: "For no matching context key or a null dataset, the condition returns false."
    pytest.param("ForAnyValue:StringEquals", "a", ABSENT, False, id="SET-anyvalue-absent-false"),
    pytest.param("ForAnyValue:StringEquals", "a", [], False, id="SET-anyvalue-empty-set-false"),
    pytest.param("ForAnyValue:StringEquals", "", "", False, id="SET-anyvalue-empty-string-null-dataset"),
    pytest.param("ForAnyValue:StringLike", "*", "", False, id="SET-anyvalue-empty-string-like-star"),
    pytest.param("ForAnyValue:StringNotEquals", "a", "", False, id="SET-anyvalue-negated-empty-string"),
    # ... and that comes before ...IfExists (brief of issue #17; OPS documents IfExists only for keys that
    # are not present, and the set operator has no value to quantify over).
    pytest.param("ForAnyValue:StringEqualsIfExists", "a", ABSENT, False, id="SET-anyvalue-before-ifexists"),
    pytest.param("ForAnyValue:StringLikeIfExists", "a*", [], False, id="SET-anyvalue-ifexists-empty-set"),
    pytest.param("ForAnyValue:StringEqualsIfExists", "a", ["b", "a"], True, id="SET-anyvalue-ifexists-present"),
    # SET ForAllValues: "also returns true if there are no context keys in the request or if the context key
    # value resolves to a null dataset, such as an empty string."
    pytest.param("ForAllValues:StringEquals", "a", ABSENT, True, id="SET-allvalues-absent-true"),
    pytest.param("ForAllValues:StringEquals", "a", [], True, id="SET-allvalues-empty-set-true"),
    pytest.param("ForAllValues:StringEquals", "a", "", True, id="SET-allvalues-empty-string-true"),
    pytest.param("ForAllValues:StringEquals", "a", [""], True, id="SET-allvalues-empty-string-list-true"),
    pytest.param("ForAllValues:StringNotEquals", "", "", True, id="SET-allvalues-negated-empty-string"),
    pytest.param("ForAllValues:StringEqualsIfExists", "a", ABSENT, True, id="SET-allvalues-ifexists-absent"),
    pytest.param("ForAllValues:StringEquals", "a", ["a", "b"], False, id="SET-allvalues-present"),
    # CHOICE: an empty string among other values is no value either.
    pytest.param("ForAllValues:StringEquals", "a", ["a", ""], True, id="CHOICE-allvalues-empty-member-dropped"),
    pytest.param("ForAnyValue:StringEquals", "", ["", "b"], False, id="CHOICE-anyvalue-empty-member-dropped"),
    # OPS: without a set operator an empty string is a value (unchanged; the pages say nothing else).
    pytest.param("StringEquals", "", "", True, id="OPS-single-empty-string-is-a-value"),
    pytest.param("StringEqualsIfExists", "a", "", False, id="OPS-single-ifexists-empty-string-present"),
    # OPS Null: "true (the key doesn't exist -- it is null)".
    pytest.param("Null", "true", [], True, id="OPS-null-empty-set"),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), SET_ROWS)
def test_set_operators_absent_and_empty(operator, values, request_value, expected):
    ctx = {} if request_value is ABSENT else {"test:key": request_value}
    assert condition_holds(Condition(operator, "test:key", (values,), "/c"), normalise_context(ctx)) is expected


# ---------------------------------------------------------------------------------------------------------
# Dates: (policy value, request value, DateEquals expected)

DATE_ROWS = [
    # W3C: "Year: YYYY" -- CHOICE: four digits are the year, not epoch second 2020.
    pytest.param("2020", "2020-01-01T00:00:00Z", True, id="W3C-year"),
    # W3C: "Year and month: YYYY-MM" (issue #17: "2020-01" did not parse) -- CHOICE: its first instant.
    pytest.param("2020-01", "2020-01-01T00:00:00Z", True, id="W3C-year-month"),
    pytest.param("2020-02", "2020-01-01T00:00:00Z", False, id="W3C-year-month-other"),
    # W3C: "Complete date: YYYY-MM-DD".
    pytest.param("2020-01-01", "2020-01-01T00:00:00Z", True, id="W3C-date"),
    # W3C: "Complete date plus hours and minutes: YYYY-MM-DDThh:mmTZD".
    pytest.param("2020-01-01T12:00Z", "2020-01-01T12:00:00Z", True, id="W3C-hours-minutes-Z"),
    pytest.param("2020-01-01T12:00+01:00", "2020-01-01T11:00:00Z", True, id="W3C-hours-minutes-offset"),
    # W3C: "Complete date plus hours, minutes and seconds: YYYY-MM-DDThh:mm:ssTZD".
    pytest.param("2020-01-01T12:00:30Z", "2020-01-01T12:00:30Z", True, id="W3C-seconds"),
    pytest.param("2020-01-01T12:00:30-05:00", "2020-01-01T17:00:30Z", True, id="W3C-seconds-negative-offset"),
    # W3C: "Complete date plus hours, minutes, seconds and a decimal fraction of a second".
    pytest.param("2020-01-01T12:00:30.45Z", "2020-01-01T12:00:30.450Z", True, id="W3C-fraction"),
    pytest.param("2020-01-01T12:00:30.45Z", "2020-01-01T12:00:30Z", False, id="W3C-fraction-differs"),
    pytest.param("2020-01-01T12:00:30.123456789Z", "2020-01-01T12:00:30.123456Z", True, id="W3C-long-fraction"),
    # OPS: "or in epoch (UNIX) time".
    pytest.param("1577836800", "2020-01-01T00:00:00Z", True, id="OPS-epoch-policy"),
    pytest.param("2020-01-01T00:00:00Z", "1577836800", True, id="OPS-epoch-request"),
    pytest.param("2020-01-01T00:00:00Z", 1577836800, True, id="OPS-epoch-int"),
    pytest.param("2020-01-01T00:00:00.5Z", "1577836800.5", True, id="OPS-epoch-fraction"),
    pytest.param("2020-13", "2020-01-01T00:00:00Z", False, id="W3C-bad-month"),
    pytest.param("2020-01-01T25:00Z", "2020-01-01T00:00:00Z", False, id="W3C-bad-hour"),
    pytest.param("yesterday", "2020-01-01T00:00:00Z", False, id="OPS-not-a-date"),
]


@pytest.mark.parametrize(("policy_value", "request_value", "expected"), DATE_ROWS)
def test_date_forms(policy_value, request_value, expected):
    ctx = normalise_context({"aws:CurrentTime": request_value})
    assert condition_holds(Condition("DateEquals", "aws:CurrentTime", (policy_value,), "/c"), ctx) is expected


def test_year_month_in_a_range_condition():
    """OPS "Date condition operators" with the W3C month form: DateGreaterThan "2020-01"."""
    cond = Condition("DateGreaterThan", "aws:CurrentTime", ("2020-01",), "/c")
    assert condition_holds(cond, normalise_context({"aws:CurrentTime": "2020-01-15T00:00:00Z"}))
    assert not condition_holds(cond, normalise_context({"aws:CurrentTime": "2019-12-31T23:59:59Z"}))


# ---------------------------------------------------------------------------------------------------------
# Optimistic mode (the rules' "could any request be allowed?"): a variable may take any value.


def test_optimistic_mode_reads_variables_in_favour_of_access():
    allow_var = [stmt(resource=f"{B}/${{aws:username}}/*")]
    deny_var = [ALLOW_ALL, stmt("Deny", resource=f"{B}/${{aws:username}}/*")]
    assert decide(allow_var, f"{B}/anyone/f", mode="optimistic") == "allow"
    assert decide(allow_var, f"{B}/anyone/f") == "implicit-deny"  # no username: no match in evaluate mode
    assert decide(deny_var, f"{B}/anyone/f", mode="optimistic") == "allow"  # some user is not "anyone"
    assert decide(deny_var, f"{B}/anyone/f", {"aws:username": "anyone"}) == "explicit-deny"


# ---------------------------------------------------------------------------------------------------------
# Hypothesis properties

NAMES = st.text(st.sampled_from("abcxyz-_.@"), min_size=1, max_size=6)
TEMPLATES = st.sampled_from([
    "arn:aws:s3:::bucket/{v}/*", "arn:aws:s3:::bucket/{v}", "arn:aws:s3:::{v}-data/*", "arn:aws:s3:::b*/{v}/k",
])


@given(TEMPLATES, NAMES, NAMES, st.sampled_from(["Allow", "Deny"]), st.booleans())
def test_substituting_then_evaluating_equals_evaluating_the_literal_policy(template, user, other, effect, negated):
    """Evaluating ``${aws:username}`` with username=U decides every request the way the policy with U written
    in place of the variable does (VAR: "IAM substitutes the user name from the current request for the
    ${aws:username} variable and evaluates the policy")."""
    with_var = template.format(v="${aws:username}")
    literal = template.format(v=user)
    key = "NotResource" if negated else "Resource"
    for probe_user in (user, other):
        resource = template.format(v=probe_user).replace("*", "k")
        ctx = {"aws:username": user}
        base = [ALLOW_ALL] if effect == "Deny" else []
        a = decide(base + [{"Effect": effect, "Action": "s3:GetObject", key: with_var}], resource, ctx)
        b = decide(base + [{"Effect": effect, "Action": "s3:GetObject", key: literal}], resource, ctx)
        assert a == b


@given(NAMES, NAMES, st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"]))
def test_substituting_in_conditions_equals_the_literal_condition(user, value, operator):
    ctx = normalise_context({"aws:username": user, "s3:prefix": f"home/{value}/"})
    a = condition_holds(Condition(operator, "s3:prefix", ("home/${aws:username}/",), "/c"), ctx)
    b = condition_holds(Condition(operator, "s3:prefix", (f"home/{user}/",), "/c"), ctx)
    assert a == b


@given(TEMPLATES, NAMES, st.sampled_from(["Allow", "Deny"]), st.booleans(), st.booleans())
def test_optimistic_allows_whatever_some_context_allows(template, user, effect, negated, with_user):
    """Optimistic mode stays an over-approximation with variables: what a concrete context allows, the
    context-free question allows too."""
    key = "NotResource" if negated else "Resource"
    stmts = ([ALLOW_ALL] if effect == "Deny" else []) + [
        {"Effect": effect, "Action": "s3:GetObject", key: template.format(v="${aws:username}")}]
    resource = template.format(v=user).replace("*", "k")
    ctx = {"aws:username": user} if with_user else {}
    if decide(stmts, resource, ctx) == "allow":
        assert decide(stmts, resource, mode="optimistic") == "allow"


@given(NAMES)
def test_a_variable_without_version_is_never_substituted(user):
    resource = f"{B}/{user}/k"
    stmts = [stmt(resource=f"{B}/${{aws:username}}/*")]
    assert decide(stmts, resource, {"aws:username": user}, version=None) == "implicit-deny"
    assert decide(stmts, resource, {"aws:username": user}) == "allow"


@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(timezone.utc)))
def test_every_w3c_spelling_of_an_instant_parses_to_it(dt):
    dt = dt.replace(microsecond=0)
    forms = [dt.strftime("%Y-%m-%dT%H:%M:%SZ"), dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
             str(int(dt.timestamp())) if dt.year >= 1970 else None]
    if dt.second == 0:
        forms.append(dt.strftime("%Y-%m-%dT%H:%MZ"))
    for f in filter(None, forms):
        if len(f) == 4:
            continue  # four digits read as a year (CHOICE)
        assert parse_date(f) == dt, f


# ---------------------------------------------------------------------------------------------------------
# hubgate explain --context: the context dict feeds the variables.


def test_explain_context_substitutes_variables(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"Version": V12, "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}]}))
    runner = CliRunner()
    base = ["explain", str(f), "--action", "s3:GetObject", "--resource"]
    own = runner.invoke(cli, base + ["arn:aws:s3:::b/home/alice/x", "--context", "aws:username=alice"])
    other = runner.invoke(cli, base + ["arn:aws:s3:::b/home/bob/x", "--context", "aws:username=alice"])
    none = runner.invoke(cli, base + ["arn:aws:s3:::b/home/alice/x"])
    assert own.exit_code == 0 and own.output.startswith("ALLOWED"), own.output
    assert other.exit_code == 1 and other.output.startswith("DENIED"), other.output
    assert none.exit_code == 1, none.output
    assert "${aws:username}, which the request does not give (--context aws:username=VALUE)" in none.output
