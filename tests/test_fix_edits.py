"""``hubgate.fix.edits``: edits written into JSON and YAML text in the file's own style, nothing else moved."""

from __future__ import annotations

import json

import pytest
import yaml
from fix_support import assert_only_lines_changed, container_lines

from hubgate.fix.edits import AddKey, Append, EditError, Remove, apply

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
        "Resource": ["arn:aws:s3:::b"],
    }],
}
EDITS = [Remove("/Statement/0/Action/1"), Remove("/Statement/0/Action/3"),
         Append("/Statement/0/Resource", "arn:aws:s3:::b/*")]
WANT = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}


@pytest.mark.parametrize("indent", [2, 4, "\t"], ids=["2-spaces", "4-spaces", "tabs"])
def test_pretty_json_keeps_its_indentation(indent):
    text = json.dumps(POLICY, indent=indent) + "\n"
    out, _ = apply(text, "json", EDITS)
    assert json.loads(out) == WANT
    assert out == json.dumps(WANT, indent=indent) + "\n"  # exactly what the same printer would write
    assert_only_lines_changed(text, out, container_lines(text, ["/Statement/0/Action", "/Statement/0/Resource"]))


def test_compact_one_line_json_stays_one_line():
    for seps in ((",", ":"), (", ", ": ")):
        text = json.dumps(POLICY, separators=seps)
        out, _ = apply(text, "json", EDITS)
        assert out == json.dumps(WANT, separators=seps)


def test_add_key_json_nested_in_the_files_indentation():
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                                     "Action": "sts:AssumeRole"}]}
    cond = (("StringEquals", (("sts:ExternalId", "0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90"),)),)
    want = json.loads(json.dumps(trust))
    want["Statement"][0]["Condition"] = {"StringEquals": {"sts:ExternalId": "0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90"}}
    for indent in (2, 4, "\t"):
        text = json.dumps(trust, indent=indent)
        out, _ = apply(text, "json", [AddKey("/Statement/0", "Condition", cond)])
        assert out == json.dumps(want, indent=indent)
    text = json.dumps(trust, separators=(",", ":"))
    out, _ = apply(text, "json", [AddKey("/Statement/0", "Condition", cond)])
    assert out == json.dumps(want, separators=(",", ":"))


def test_crlf_and_a_single_string_resource():
    text = '{\r\n  "Statement": {\r\n    "Effect": "Allow",\r\n    "Action": "s3:GetObject",\r\n' \
           '    "Resource": "arn:aws:s3:::b/*"\r\n  }\r\n}\r\n'
    out, _ = apply(text, "json", [Append("/Statement/Resource", "arn:aws:s3:::b")])
    assert out == text.replace('"arn:aws:s3:::b/*"', '["arn:aws:s3:::b/*", "arn:aws:s3:::b"]')


YAML_TEXT = """\
# the permission policy, hand-written
Statement:
  - Resource:   # bucket only, for now
      - 'arn:aws:s3:::b'
    Effect: Allow      # keys in an odd order
    Action:
    - s3:GetObject
    - s3:PutObject   # TODO remove
    - s3:ListBucket
Version: "2012-10-17"   # quoted on purpose
"""


def test_yaml_keeps_comments_order_quoting_and_each_lists_indentation():
    out, _ = apply(YAML_TEXT, "yaml", [Remove("/Statement/0/Action/1"),
                                       Append("/Statement/0/Resource", "arn:aws:s3:::b/*")])
    assert out == YAML_TEXT.replace("    - s3:PutObject   # TODO remove\n", "").replace(
        "      - 'arn:aws:s3:::b'\n", "      - 'arn:aws:s3:::b'\n      - 'arn:aws:s3:::b/*'\n")
    assert yaml.safe_load(out)["Statement"][0]["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]


def test_yaml_flow_lists_and_new_mappings_in_block_style():
    text = "Statement:\n- Effect: Allow\n  Principal: {AWS: 'arn:aws:iam::1:root'}\n  Action: [sts:AssumeRole]\n" \
           "# end\n"
    cond = (("StringEquals", (("sts:ExternalId", "0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90"),)),)
    out, _ = apply(text, "yaml", [AddKey("/Statement/0", "Condition", cond), Append("/Statement/0/Action", "sts:TagSession")])
    assert out == ("Statement:\n- Effect: Allow\n  Principal: {AWS: 'arn:aws:iam::1:root'}\n"
                   "  Action: [sts:AssumeRole, sts:TagSession]\n  Condition:\n    StringEquals:\n"
                   "      sts:ExternalId: 0c5e7a2b-3f41-4d8e-9b6a-7d2c1e4f5a90\n# end\n")


def test_yaml_values_that_would_change_type_are_quoted():
    out, _ = apply("Methods:\n  - PUT\n", "yaml", [Append("/Methods", "2012-10-17"), Append("/Methods", "true")])
    assert yaml.safe_load(out) == {"Methods": ["PUT", "2012-10-17", "true"]}


def test_removing_every_item_or_a_missing_pointer_is_refused():
    text = json.dumps({"Action": ["s3:PutObject"]})
    with pytest.raises(EditError):
        apply(text, "json", [Remove("/Action/0")])
    with pytest.raises(EditError):
        apply(text, "json", [Append("/Resource", "x")])
    with pytest.raises(EditError):  # two edits of one scalar's span
        apply(json.dumps({"R": "a"}), "json", [Append("/R", "b"), Remove("/R/0")])
