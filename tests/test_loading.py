"""Position-aware loading (hubgate.source) and bundle loading (hubgate.bundle)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubgate.bundle import bundle_from_data, load_bundle
from hubgate.errors import InputError
from hubgate.example import good_bundle
from hubgate.source import Document, join_pointer, load_file, parse_text

from conftest import EXAMPLES, FIXTURES

POSITIONS = FIXTURES / "positions"


# ------------------------------------------------------------------------------------------ pointers

@pytest.mark.parametrize("tokens,expected", [
    (("a", "b"), "/a/b"),
    (("a/b", "c~d"), "/a~1b/c~0d"),
    (("Statement", 0, "Action", 2), "/Statement/0/Action/2"),
    (("",), "/"),
])
def test_join_pointer_escapes_rfc6901(tokens, expected):
    assert join_pointer("", *tokens) == expected


def test_positions_for_json():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]}\n  ]\n}\n'
    doc = parse_text(text, "p.json")
    assert doc.positions[""] == (1, 1)
    assert doc.positions["/Version"] == (2, 14)
    assert doc.positions["/Statement"] == (3, 16)
    assert doc.positions["/Statement/0"] == (4, 5)
    assert doc.positions["/Statement/0/Effect"] == (4, 16)
    assert doc.positions["/Statement/0/Action/1"] == (4, 52)
    # every position points at the value's first character in the text
    lines = text.splitlines()
    assert lines[3][52 - 1:].startswith('"s3:PutObject"')


def test_positions_for_yaml_and_escaped_keys():
    text = "a:\n  b/c: 1\n  d~e:\n    - x\n    - y: z\n"
    doc = parse_text(text, "f.yaml")
    assert doc.data == {"a": {"b/c": 1, "d~e": ["x", {"y": "z"}]}}
    assert doc.positions["/a/b~1c"] == (2, 8)
    assert doc.positions["/a/d~0e/0"] == (4, 7)
    assert doc.positions["/a/d~0e/1/y"] == (5, 10)


def test_position_falls_back_to_nearest_parent():
    doc = parse_text('{"a": {"b": 1}}', "f.json")
    assert doc.position("/a/b") == (1, 13)
    assert doc.position("/a/missing/deeper") == (1, 7)
    assert doc.position("/nothing") == (1, 1)
    assert Document("f", {}).position("/x") == (None, None)


def test_tab_indented_json_keeps_positions():
    doc = parse_text('{\n\t"Statement": [\n\t\t{"Effect": "Allow"}\n\t]\n}', "t.json")
    assert doc.positions["/Statement/0/Effect"] == (3, 14)


def test_child_document_shares_positions_with_base():
    doc = parse_text("name: x\npermission_policy:\n  Version: '2012-10-17'\n", "b.yaml")
    child = doc.child(doc.data["permission_policy"], "permission_policy")
    assert child.base == "/permission_policy"
    assert child.pointer("Version") == "/permission_policy/Version"
    assert child.position(child.pointer("Version")) == (3, 12)


# ----------------------------------------------------------------------------------------- scalars

def test_yaml_dates_stay_strings():
    doc = parse_text("Version: 2012-10-17\n", "p.yaml")
    assert doc.data == {"Version": "2012-10-17"}


def test_json_numbers_follow_json_not_yaml_1_1():
    """YAML 1.1 reads `1e5` as a string; a JSON file must give the JSON number."""
    doc = parse_text('{"n": 1e5, "m": -2.5E-3, "k": 7}', "n.json")
    assert doc.data == {"n": 100000.0, "m": -0.0025, "k": 7}
    assert doc.positions["/n"] == (1, 7)


def test_json_unicode_escapes():
    doc = parse_text('{"a": "\\u00e9\\/x", "b": "\\ud83d\\ude00"}', "u.json")
    assert doc.data == {"a": "é/x", "b": "\U0001F600"}


# ------------------------------------------------------------------------------------------ errors

@pytest.mark.parametrize("text,problem", [
    ("", "empty file"),
    ("   \n\n", "empty file"),
    ("# only a comment\n", "empty document"),
    ("a: 1\n---\nb: 2\n", "several YAML documents"),
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
    ("? [a, b]\n: c\n", "mapping key must be a plain value"),
    ("name: [oops\n", "not valid YAML/JSON"),
    ('{"name": "x",', "not valid YAML/JSON"),
    ("a\x00b", "binary file"),
])
def test_parse_errors_name_file_and_problem(text, problem):
    with pytest.raises(InputError) as info:
        parse_text(text, "some/file.yaml")
    assert info.value.file == "some/file.yaml"
    assert problem in info.value.problem
    assert str(info.value).startswith("some/file.yaml: ")
    assert "\n" not in str(info.value)


def test_parse_error_gives_line_and_column():
    with pytest.raises(InputError) as info:
        parse_text("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert "line 3" in info.value.problem


@pytest.mark.parametrize("raw,problem", [
    (b"\x00\x01\x02binary", "binary file"),
    (b"name: caf\xe9\n", "not UTF-8"),
])
def test_load_file_rejects_non_text(tmp_path, raw, problem):
    p = tmp_path / "x.yaml"
    p.write_bytes(raw)
    with pytest.raises(InputError) as info:
        load_file(p)
    assert problem in info.value.problem and info.value.file == str(p)


def test_load_file_accepts_bom(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b'\xef\xbb\xbf{"Version": "2012-10-17"}')
    assert load_file(p).data == {"Version": "2012-10-17"}


def test_load_file_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_file(tmp_path / "nope.json")
    with pytest.raises(InputError, match="is a directory"):
        load_file(tmp_path)


# ------------------------------------------------------------------------------------------ bundles

def test_bundle_with_referenced_and_inline_documents():
    b = load_bundle(POSITIONS / "integration.yaml")
    assert b.name == "positions"
    assert b.permission_policy.doc.file.endswith("policy.json")
    assert b.permission_policy.doc.base == ""
    assert b.trust_policy.doc.file.endswith("integration.yaml")
    assert b.trust_policy.doc.base == "/trust_policy"
    assert [bk.name for bk in b.buckets] == ["pos-bucket"]
    assert b.bucket_region(b.buckets[0]) == "eu-west-1"


def test_bundle_must_be_a_mapping():
    with pytest.raises(InputError, match="a bundle must be a mapping of fields, got a list"):
        bundle_from_data(["a", "b"])


def test_bundle_schema_rejects_unknown_keys_but_allows_x_keys():
    with pytest.raises(InputError, match="expect"):
        bundle_from_data(good_bundle(expect=[{"rule": "HG101"}]))
    assert bundle_from_data(good_bundle(**{"x-expect": [{"rule": "HG101"}]})).name == "prod-images"


def test_schema_violation_names_pointer():
    with pytest.raises(InputError) as info:
        bundle_from_data(good_bundle(provider="oracle"))
    assert "/provider" in info.value.problem and "oracle" in info.value.problem


def test_bad_effect_is_an_input_error():
    pol = {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}
    with pytest.raises(InputError) as info:
        bundle_from_data(good_bundle(permission_policy=pol))
    assert "/permission_policy/Statement/0/Effect" in info.value.problem and "'Alow'" in info.value.problem


def test_env_resolution(monkeypatch):
    monkeypatch.setenv("HG_TEST_EXTERNAL_ID", "0f6e1c2d-aaaa-bbbb-cccc-123456789abc")
    monkeypatch.setenv("HG_TEST_KEY_ID", "AKIAABCDEFGHIJKLWXYZ")
    b = bundle_from_data(good_bundle(external_id="${env:HG_TEST_EXTERNAL_ID}", access_key_id="${env:HG_TEST_KEY_ID}"))
    assert b.external_id == "0f6e1c2d-aaaa-bbbb-cccc-123456789abc"
    assert b.access_key_id.value == "AKIAABCDEFGHIJKLWXYZ"
    assert b.access_key_id.masked("key-id") == "AKIA…WXYZ"
    assert b.access_key_id.masked() == "****"
    assert "AKIAABCDEFGHIJKLWXYZ" not in repr(b.access_key_id)
    # every ${env:} value is a secret, the external ID included (issue #20)
    assert b.secrets == ["AKIAABCDEFGHIJKLWXYZ", "0f6e1c2d-aaaa-bbbb-cccc-123456789abc"]


def test_missing_env_var_is_an_input_error(monkeypatch):
    monkeypatch.delenv("HG_TEST_UNSET_VAR", raising=False)
    with pytest.raises(InputError) as info:
        bundle_from_data(good_bundle(external_id="${env:HG_TEST_UNSET_VAR}"))
    assert info.value.problem == "/external_id: environment variable HG_TEST_UNSET_VAR is not set"


def test_missing_reference_names_file_and_referencing_line(tmp_path):
    (tmp_path / "integration.yaml").write_text("name: a\nprovider: aws\n\npermission_policy: sub/nope.json\n")
    with pytest.raises(InputError) as info:
        load_bundle(tmp_path / "integration.yaml")
    assert Path(info.value.file) == tmp_path / "sub" / "nope.json"
    assert info.value.problem.startswith("file not found (referenced at line 4 of ")


def test_inline_documents_need_no_file():
    b = bundle_from_data(good_bundle())
    assert b.permission_policy.doc.base == "/permission_policy"
    with pytest.raises(InputError, match="file references need a bundle file"):
        bundle_from_data(good_bundle(permission_policy="policy.json"))


def test_example_bundles_load():
    good = load_bundle(EXAMPLES / "good" / "integration.yaml")
    assert [b.name for b in good.buckets] == ["acme-labeling-images", "acme-labeling-video"]
    assert all(b.cors is not None for b in good.buckets)
    docs = load_bundle(EXAMPLES / "ango-docs" / "integration.yaml")
    assert json.loads((EXAMPLES / "ango-docs" / "policy.json").read_text()) == docs.permission_policy.doc.data


# ------------------------------------------------------------------------------------- hostile input

def test_plain_aliases_still_work():
    doc = parse_text("base: &b {x: 1}\nuse: *b\n", "a.yaml")
    assert doc.data == {"base": {"x": 1}, "use": {"x": 1}}
    assert doc.data["use"] is not doc.data["base"]
    assert doc.positions["/use/x"] == (1, 14)  # an alias value is located at its anchor


@pytest.mark.parametrize("text,problem", [
    ("a: &x [1, *x]\n", "recursive YAML alias"),
    ("a: &x {b: *x}\n", "recursive YAML alias"),
    ("\n".join(['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
               + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]) + "\n",
     "YAML aliases expand to more than"),
    ("[" * 300 + "]" * 300, "nested more than"),
    ("[" * 200_000 + "]" * 200_000, "nested more than"),  # deep enough to overflow libyaml's C stack
    ("- " * 100_000 + "x\n", "nested more than"),
    ("".join(" " * i + "k:\n" for i in range(400)) + " " * 400 + "v\n", "nested more than"),
], ids=["recursive-seq", "recursive-map", "billion-laughs", "deep-300", "deep-200k", "deep-block-seq", "deep-block-map"])
def test_hostile_yaml_is_an_input_error(text, problem):
    with pytest.raises(InputError) as info:
        parse_text(text, "hostile.yaml")
    assert problem in info.value.problem


def test_brackets_inside_strings_are_not_nesting():
    text = json.dumps({"Version": "2012-10-17", "Sid": "[" * 1000, "Statement": []}, indent=2)
    doc = parse_text(text, "p.json")
    assert doc.data["Sid"] == "[" * 1000
    assert doc.positions["/Statement"] == (4, 16)
