"""Properties: spellings IAM treats as the same policy never change the HG1 verdict.

From a small alphabet of actions and resources on one or two buckets, hypothesis builds permission
policies; each rewrite below is semantically neutral for IAM, so the set of HG1 rule ids that fire on the
bundle must stay the same (messages and pointers may differ; the verdict may not):

* reordering statements; reordering the actions or resources of a statement;
* a one-element list written as a plain string (Action, Resource);
* a single statement written as an object instead of a one-element list;
* the case of action names (``S3:getobject`` is ``s3:GetObject``).
"""

from __future__ import annotations

import copy
import os

from hypothesis import HealthCheck, given, settings, strategies as st

from hubgate.bundle import bundle_from_data
from hubgate.example import good_bundle
from hubgate.rules import Target, run_rules

from conftest import hg1_ids

ACTIONS = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:*", "s3:Get*"]
BUCKETS = ["alpha-bucket", "beta-bucket"]


def _resources(bucket: str) -> list[str]:
    return [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}/images/*"]


RESOURCES = [r for b in BUCKETS for r in _resources(b)] + ["*"]


@st.composite
def statements(draw):
    return {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"])),
        "Action": draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=4, unique=True)),
        "Resource": draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=4, unique=True)),
    }


@st.composite
def bundles(draw):
    policy = {"Version": "2012-10-17", "Statement": draw(st.lists(statements(), min_size=1, max_size=3))}
    buckets = [{"name": b} for b in draw(st.sampled_from([BUCKETS[:1], BUCKETS]))]
    return good_bundle(permission_policy=policy, buckets=buckets)


def verdict(bundle: dict) -> frozenset[str]:
    b = bundle_from_data(bundle)
    return frozenset(f.rule for f in run_rules([Target("bundle", bundle=b, organization=[b])], select=HG1))


HG1 = hg1_ids()
# HUBGATE_HYPOTHESIS_EXAMPLES=2000 for a longer search
SETTINGS = settings(max_examples=int(os.environ.get("HUBGATE_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _policy(bundle: dict) -> dict:
    return bundle["permission_policy"]


@SETTINGS
@given(bundles(), st.randoms(use_true_random=False))
def test_statement_order_is_irrelevant(bundle, rnd):
    other = copy.deepcopy(bundle)
    rnd.shuffle(_policy(other)["Statement"])
    assert verdict(other) == verdict(bundle)


@SETTINGS
@given(bundles(), st.randoms(use_true_random=False))
def test_action_and_resource_order_is_irrelevant(bundle, rnd):
    other = copy.deepcopy(bundle)
    for s in _policy(other)["Statement"]:
        rnd.shuffle(s["Action"])
        rnd.shuffle(s["Resource"])
    assert verdict(other) == verdict(bundle)


@SETTINGS
@given(bundles(), st.data())
def test_string_or_one_element_list(bundle, data):
    """Write every Action/Resource as a one-element list, then the one-element lists as plain strings."""
    as_lists = copy.deepcopy(bundle)
    as_strings = copy.deepcopy(bundle)
    for s_list, s_str in zip(_policy(as_lists)["Statement"], _policy(as_strings)["Statement"], strict=False):
        for key in ("Action", "Resource"):
            value = data.draw(st.sampled_from(s_list[key]))
            s_list[key] = [value]
            s_str[key] = value
    assert verdict(as_strings) == verdict(as_lists)


@SETTINGS
@given(statements(), st.sampled_from([BUCKETS[:1], BUCKETS]))
def test_single_statement_object_or_list(statement, names):
    as_list = good_bundle(permission_policy={"Version": "2012-10-17", "Statement": [statement]},
                          buckets=[{"name": n} for n in names])
    as_object = copy.deepcopy(as_list)
    as_object["permission_policy"]["Statement"] = statement
    assert verdict(as_object) == verdict(as_list)


def _recase(action: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(action, flips + [False] * len(action), strict=False))


@SETTINGS
@given(bundles(), st.data())
def test_action_case_is_irrelevant(bundle, data):
    other = copy.deepcopy(bundle)
    for s in _policy(other)["Statement"]:
        s["Action"] = [_recase(a, data.draw(st.lists(st.booleans(), min_size=len(a), max_size=len(a)))) for a in s["Action"]]
    assert verdict(other) == verdict(bundle)


@SETTINGS
@given(bundles())
def test_all_lower_and_all_upper_action_names(bundle):
    lower = copy.deepcopy(bundle)
    upper = copy.deepcopy(bundle)
    for s in _policy(lower)["Statement"]:
        s["Action"] = [a.lower() for a in s["Action"]]
    for s in _policy(upper)["Statement"]:
        s["Action"] = [a.upper() for a in s["Action"]]
    assert verdict(lower) == verdict(bundle) == verdict(upper)


def test_generator_reaches_interesting_verdicts():
    """The alphabet is rich enough to exercise the rules (otherwise the properties above prove little)."""
    seen: set[str] = set()
    write = {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
             "Resource": ["arn:aws:s3:::alpha-bucket", "arn:aws:s3:::alpha-bucket/*"]}
    unpaired = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::alpha-bucket"]}
    wide = {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["*"]}
    deny = {"Effect": "Deny", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::beta-bucket/*"]}
    for sts in ([write], [unpaired], [wide], [write, deny]):
        seen |= verdict(good_bundle(permission_policy={"Version": "2012-10-17", "Statement": sts},
                                    buckets=[{"name": "alpha-bucket"}, {"name": "beta-bucket"}]))
    assert {"HG101", "HG102", "HG103", "HG104", "HG105", "HG108", "HG110"} <= seen
