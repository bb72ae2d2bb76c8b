"""The raw scanner (hubgate/manifest/scan.py) against the plain reader: same findings, order, errors, offsets.

The reference is the simplest path there is: ``Validator.run`` over ``iter_assets`` (ijson, one asset at a
time). ``validate_file`` -- raw scan, gaps, blocks settled in bulk, the plain reader resumed after a
comma -- must give exactly what it gives, for every block size (cuts anywhere in an element, in whitespace,
in a string, between a match and its comma).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hubgate import manifest as m
from hubgate.bundle import load_bundle
from hubgate.errors import InputError
from hubgate.manifest import scan as ms
from hubgate.manifest.ids import BYTES_HASH_LIKE_STR
from hubgate.manifest.locate import Locator

FIX = Path(__file__).resolve().parent / "fixtures" / "manifest"
HOSTS = ["bk-a.s3.eu-central-1.amazonaws.com", "bk-b.s3.us-west-2.amazonaws.com", "bk-c.s3.ap-south-1.amazonaws.com"]
# GCS URLs (https://storage.googleapis.com/<bucket>/<key>): canonical() puts the bucket in the "host"
GCS_HOSTS = ["storage.googleapis.com/gbk-a", "storage.googleapis.com/g.b_k-1", "storage.googleapis.com/G-up"]
# Azure Blob URLs (https://<account>.blob.core.windows.net/<container>/<blob>), the container in the "host" too
AZURE_HOSTS = ["acct1.blob.core.windows.net/images", "acct1.blob.core.windows.net/c2", "ab.blob.core.windows.net/x",
               "Acct.blob.core.windows.net/images", "acct1.blob.core.windows.net/"]
BUNDLES = Path(__file__).resolve().parents[1] / "examples"


def reference(path: Path, context=None, max_findings=None):
    v = m.Validator(str(path), context, "", max_findings)
    v.locator = Locator(path)  # a walk from the file's start: the scan's block marks must land on the same bytes
    errors = []
    try:
        v.run(m.iter_assets(path, str(path)))
    except m.TooManyFindings:
        pass
    except m.NotArray as exc:
        v.not_array(exc.kind)
    except InputError as exc:
        errors.append(str(exc))
    return [f.to_dict() for f in v.finish()], errors, v.count


def scanned(path: Path, context=None, max_findings=None):
    res = m.validate_file(path, str(path), context, max_findings)
    return [f.to_dict() for f in res.findings], [str(e) for e in res.errors], res.assets


def same(path: Path, block_sizes=(None, 1, 7, 50, 133, 4096), context_factory=lambda: None, max_findings=None):
    want = reference(path, context_factory(), max_findings)
    for size in block_sizes:
        ms.BLOCK_SIZE = size or (256 << 10)
        try:
            got = scanned(path, context_factory(), max_findings)
        finally:
            ms.BLOCK_SIZE = 256 << 10
        assert got == want, f"block size {size}"
    return want


def canonical(i: int, host: str = HOSTS[0], ext: str | None = None, sizes: bool = False, key: str = "",
              id_first: bool = False) -> dict:
    d = {"data": f"https://{host}/img/{i:05d}{key}.jpg", "externalId": ext or f"id-{i}"}
    if id_first:
        d = {"externalId": d["externalId"], "data": d["data"]}
    if sizes:
        d.update(width=600 + i, height=400 + i)
    return d


# key tails: percent-escaped ASCII, UTF-8 (NFC and NFD), lower-case hex, and escapes that are not UTF-8
KEY_TAILS = ["", "%20a", "%C3%A9t%C3%A9", "e%CC%81t%CC%81", "%e2%82%ac", "%C3", "%FF%20", "%E2%82x", "%2", "%%41"]


def test_scan_takes_the_raw_path_for_the_common_shape(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([canonical(i, HOSTS[i % 3], sizes=i % 2 == 1) for i in range(3000)]))
    parts = list(ms.scan(path, "m.json", block_size=8192))
    blocks = [p for p in parts if isinstance(p, ms.Block)]
    assert sum(b.count for b in blocks) == 2999  # the last element has no comma: the plain reader reads it
    assert not any(b.gaps for b in blocks)
    assert [p for p in parts if not isinstance(p, ms.Block)] == [(2999, [canonical(2999, HOSTS[2], sizes=True)])]
    assert same(path) == ([], [], 3000)


def test_gaps_and_duplicates_keep_their_order(tmp_path):
    assets = []
    for i in range(400):
        a = canonical(i, HOSTS[i % 3])
        if i % 17 == 0:
            a["data"] = a["data"].replace("/img/", "/im g/")  # raw space: a gap, HG509
        if i % 23 == 0:
            a["externalId"] = "id-3"  # a duplicate of asset 3, canonical or not
        if i % 31 == 0:
            a["width"] = "600"  # HG513
        if i % 37 == 0:
            a = 42  # HG502
        assets.append(a)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(assets, indent=1))
    findings, errors, n = same(path)
    assert n == 400 and not errors
    rules = [f["rule"] for f in findings]
    assert {"HG509", "HG512", "HG513", "HG502"} <= set(rules)


def test_a_match_nested_in_an_asset_hands_over_to_the_plain_reader(tmp_path):
    inner = json.dumps(canonical(1))
    text = "[" + json.dumps(canonical(0)) + ", " + '{"metadata": ' + inner + ', "data": "https://' + HOSTS[0] + \
        '/x.jpg", "externalId": "id-0"}, ' + json.dumps(canonical(2)) + "]"
    path = tmp_path / "m.json"
    path.write_text(text)
    findings, errors, n = same(path)
    assert n == 3 and [f["rule"] for f in findings] == ["HG512"]  # id-0 twice; the nested object is metadata


@pytest.mark.parametrize("text, problem", [
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}}, ]', "unallowed token"),  # trailing comma
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}},, {{"data": "x"}}]', "unallowed token"),
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}}, {{"data": "https://{HOSTS[0]}/b", "externalId": "b"}}',
     "premature EOF"),
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}}, {{"data": "https://{HOSTS[0]}/b", "externalId": "b"}}] x',
     "trailing garbage"),
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}}, 1e999, {{"data": "https://{HOSTS[0]}/b", "externalId": "b"}}, 2]', "overflow"),
    (f'[{{"data": "https://{HOSTS[0]}/a", "externalId": "a"}},\n  {{"data": "https://{HOSTS[0]}/b", "externalId": "\\ud800"}}, 3]', ""),
])
def test_malformed_json_gives_the_plain_readers_error_and_offset(tmp_path, text, problem):
    path = tmp_path / "m.json"
    path.write_bytes(text.encode())
    findings, errors, n = same(path)
    if problem:
        assert errors and problem in errors[0], errors


def test_not_an_array_empty_and_bom(tmp_path):
    for text in ['{"data": 1}', "", "   ", "[]", " [ ] ", "\ufeff[" + json.dumps(canonical(0)) + "," + json.dumps(canonical(1)) + "]"]:
        path = tmp_path / "m.json"
        path.write_text(text, encoding="utf-8")
        same(path)


def test_a_bucket_in_another_region_than_the_bundle_says(tmp_path):
    # bucket-name is in eu-central-1 in the bundle: a URL naming us-east-1 is never settled by the scan
    bundle = load_bundle(FIX / "integration.yaml")
    host = "west-bucket.s3.eu-central-1.amazonaws.com"
    path = tmp_path / "m.json"
    path.write_text(json.dumps([canonical(i, host if i % 3 else HOSTS[0]) for i in range(300)]))
    findings, _, _ = same(path, context_factory=lambda: m.Context(bundle))
    assert any(f["rule"] == "HG517" for f in findings)


def test_max_findings_stops_at_the_same_asset(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps([canonical(i, ext="dup") for i in range(200)]))
    findings, _, n = same(path, max_findings=5)
    assert len(findings) == 5 and n == 7  # asset 6 was being checked when the sixth finding came


def test_max_findings_keeps_the_bucket_counts_of_the_assets_checked(tmp_path):
    # bucket-level findings (deferred, with a count of the bucket's assets) after a stop in the middle of a block
    bundle = load_bundle(FIX / "integration.yaml")
    path = tmp_path / "m.json"
    assets = [canonical(i, HOSTS[i % 2], ext="dup" if i > 150 and i % 5 == 0 else None) for i in range(400)]
    path.write_text(json.dumps(assets))
    for limit in (3, 7, 11):
        findings, _, n = same(path, context_factory=lambda: m.Context(bundle), max_findings=limit)
        assert any("asset(s) use it" in f["message"] for f in findings) and n < 400
    # and a stop in a gap (an asset with a raw space, between canonical ones)
    for a in assets[150::7]:
        a["data"] = a["data"].replace("/img/", "/im g/")
    path.write_text(json.dumps(assets))
    for limit in (5, 6, 8, 12):  # (the first 4 findings are the two buckets')
        findings, _, n = same(path, context_factory=lambda: m.Context(bundle), max_findings=limit)
        assert any(f["rule"] == "HG509" for f in findings) and n < 400


def test_docs_example_and_fixtures(tmp_path):
    for name in ("docs-example.json", "assets.json"):
        same(FIX / name)
    bundle = load_bundle(FIX / "integration.yaml")
    same(FIX / "assets.json", context_factory=lambda: m.Context(bundle))


# -- properties ---------------------------------------------------------------------------------------------

_ID = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=6) | st.sampled_from(
    ["a", "b", "id-1", 'q"', "\\", "é"])
_ASSET = st.one_of(
    st.builds(lambda i, h, e, s, k, o: canonical(i, h, e, s, k, o), st.integers(0, 30), st.sampled_from(HOSTS + [
        "bk-a.s3.amazonaws.com", "s3.eu-central-1.amazonaws.com", "bk.d.s3.eu-central-1.amazonaws.com"] + GCS_HOSTS + AZURE_HOSTS),
        _ID | st.sampled_from(["%41", "x%C3%A9", "%C3"]), st.booleans(), st.sampled_from(KEY_TAILS), st.booleans()),
    st.fixed_dictionaries({"data": st.sampled_from([f"https://{HOSTS[0]}/a b", f"https://{HOSTS[1]}/a%2", "http://x/y",
                                                   f"https://{HOSTS[2]}/k+1", f"https://{HOSTS[0]}/"])},
                          optional={"externalId": _ID | st.integers(), "width": st.integers(-2, 3) | st.just("4"),
                                    "height": st.floats(allow_nan=False) | st.integers(0, 3),
                                    "metadata": st.builds(lambda i: canonical(i), st.integers(0, 3)) | st.just([])}),
    st.builds(lambda i, h, md, s: {**canonical(i, h, sizes=s), "metadata": md}, st.integers(0, 30),
              st.sampled_from(HOSTS), st.sampled_from([{}, {"frameRate": 30}, {"frameRate": 2.5}, {"frameRate": 0},
                                                       {"frameRate": True}, {"frameRate": "30"}, {"a": [1, {"b": 2}]},
                                                       {"frameRate": -1.0}, {"frameRate": 30, "s": "cam-1", "n": -3, "b": None},
                                                       {"s": "é"}, {"s": "a\\b"}, {"n": 2**70}, {"n": 1.5},
                                                       {"frameRate": 30, "frameRate ": 0}]) | st.just([]),
              st.booleans()),
    st.integers() | st.none() | st.text(max_size=3) | st.lists(st.integers(), max_size=2),
)


def _dump(assets: list, style: int) -> str:
    if style == 0:
        return json.dumps(assets)
    if style == 1:
        return json.dumps(assets, indent=2, ensure_ascii=False)
    if style == 2:
        return json.dumps(assets, separators=(",", ":"))
    if style == 4:
        return json.dumps(assets, indent=4).replace("\n", "\r\n")
    return "[\n" + ",\n".join(json.dumps(a) for a in assets) + "\n]\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assets=st.lists(_ASSET, max_size=25), style=st.integers(0, 4), cut=st.none() | st.floats(0, 1),
       seed=st.integers(0, 2**16))
@pytest.mark.parametrize("bundle", [None, "good", "gcp-good", "azure-good"])
def test_scan_equals_the_plain_reader(tmp_path, bundle, assets, style, cut, seed):
    text = _dump(assets, style).encode("utf-8")
    if cut is not None:  # damage the file: truncate, or splice in a stray byte
        at = int(len(text) * cut)
        text = text[:at] if seed % 2 else text[:at] + random.Random(seed).choice([b",", b"]", b"{", b'"', b"\\"]) + text[at:]
    path = tmp_path / "m.json"
    path.write_bytes(text)
    rnd = random.Random(seed)
    ctx = _context_factory(bundle)
    same(path, block_sizes=(None, rnd.randint(1, 40), rnd.randint(41, 400)), context_factory=ctx)


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.integers(0, 60).map(str), max_size=400), cap=st.sampled_from([8, 64, 1 << 12]),
       cuts=st.lists(st.integers(1, 90), min_size=1, max_size=10))
def test_add_many_equals_add_one_at_a_time(ids, cap, cuts):
    one = m.DigestTable(8)
    want = [(i, f) for i, f in ((i, one.add(x, i)) for i, x in enumerate(ids)) if f is not None]
    many = m.DigestTable(cap)
    got, pos, k = [], 0, 0
    while pos < len(ids):
        n = cuts[k % len(cuts)]
        got += many.add_many([hash(x) for x in ids[pos:pos + n]], pos)
        pos, k = pos + n, k + 1
    assert got == want and len(many) == len(one) == len(set(ids))


def test_ascii_bytes_and_str_ids_share_the_table():
    assert BYTES_HASH_LIKE_STR  # CPython: the scan hashes raw ids without decoding them
    t = m.DigestTable()
    assert t.add(b"img-1.jpg", 0) is None and t.add("img-1.jpg", 5) == 0


def test_a_huge_asset_and_crlf_lines(tmp_path):
    # an asset larger than several blocks (the scan gives up on it and the plain reader goes on), CRLF line ends
    big = canonical(1)
    big["contextData"] = {"text": "x" * 300_000}
    assets = [canonical(0), big] + [canonical(i, HOSTS[i % 3]) for i in range(2, 500)] + [canonical(7)]
    path = tmp_path / "m.json"
    path.write_bytes(json.dumps(assets, indent=1).replace("\n", "\r\n").encode())
    findings, errors, n = same(path, block_sizes=(None, 4096, 65536))
    assert n == 501 and not errors and [f["rule"] for f in findings] == ["HG512"]


@pytest.mark.parametrize("tail", KEY_TAILS)
@pytest.mark.parametrize("id_first", [False, True])
def test_escaped_keys_and_either_key_order(tmp_path, tail, id_first):
    """Runs of one key shape and key order, long enough for whole blocks: percent-escaped keys take the raw
    path when their escapes are UTF-8 (else those assets the ordinary one), "externalId" first as well."""
    assets = [canonical(i, HOSTS[i % 3], sizes=i % 2 == 1, key=tail if i % 5 else "", id_first=id_first)
              for i in range(600)]
    for i in range(0, 600, 3):
        assets[i]["metadata"] = {"frameRate": 25, "source": f"cam-{i}"} if i % 2 else {}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(assets, indent=2))
    parts = list(ms.scan(path, "m.json", block_size=4096))
    blocks = [p for p in parts if isinstance(p, ms.Block)]
    assert sum(b.count for b in blocks) >= 590  # (the last asset has no comma: the plain reader reads it)
    # a key whose escapes are not UTF-8 is no match: its asset is parsed (a gap) and takes the full path
    raw = sum(len(b.ids) for b in blocks)
    assert (raw >= 590) == (tail not in ("%C3", "%FF%20", "%E2%82x", "%2", "%%41"))
    same(path, block_sizes=(None, 97, 4096))


@pytest.mark.parametrize("bundle", [None, "good", "gcp-good", "azure-good"])
@pytest.mark.parametrize("id_first", [False, True])
@pytest.mark.parametrize("hosts", [GCS_HOSTS, AZURE_HOSTS])
def test_gcs_and_azure_urls_take_the_raw_path(tmp_path, bundle, id_first, hosts):
    """GCS and Azure URLs of the validator's fast form are settled from the raw bytes (learnt per bucket or
    container), with or without a bundle; under another provider's bundle they stay findings (HG505), whatever
    path they take."""
    assets = [canonical(i, hosts[i % len(hosts)] if i % 7 else HOSTS[i % 3], sizes=i % 2 == 1, id_first=id_first)
              for i in range(600)]
    assets[300]["data"] = assets[300]["data"].replace("img/", "img ")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(assets, indent=2))
    blocks = [p for p in ms.scan(path, "m.json", block_size=4096) if isinstance(p, ms.Block)]
    assert sum(b.count for b in blocks) >= 590
    ctx = _context_factory(bundle)
    findings, _, _ = same(path, block_sizes=(None, 97, 4096), context_factory=ctx)
    assert findings


_SEGMENT = st.text(st.sampled_from("abcXYZ09-._~!$&'()*,;=:@"), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(acct=st.text(st.sampled_from("abz09"), min_size=3, max_size=24), container=_SEGMENT,
       blob=st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join), provider=st.sampled_from([None, "azure"]))
def test_the_azure_fast_form_is_what_analyse_finds_clean(acct, container, blob, provider):
    from hubgate.manifest.url import FAST_AZURE, analyse
    url = f"https://{acct}.blob.core.windows.net/{container}/{blob}"
    assert FAST_AZURE.fullmatch(url)
    assert analyse(url, None, provider).problems == []


def _context_factory(bundle: str | None):
    """A fresh Context per run (a Context keeps counts), over one loaded bundle."""
    if bundle is None:
        return lambda: None
    loaded = load_bundle(BUNDLES / bundle / "integration.yaml")
    return lambda: m.Context(loaded)


_KEY = __import__("re").compile(ms._KEY_CHARS + b'"')  # (the closing quote: the look-ahead keeps a key non-empty)


@settings(max_examples=400, deadline=None)
@given(raw=st.binary(max_size=12) | st.text(max_size=4).map(lambda t: t.encode("utf-8", "surrogatepass")),
       lower=st.booleans(), plain=st.sampled_from(["", "a", "/x.jpg"]))
def test_the_key_pattern_takes_escapes_exactly_when_they_are_utf8(raw, lower, plain):
    """The raw scan's key accepts a run of %XX escapes exactly when the validator does (the bytes decode as UTF-8)."""
    from urllib.parse import unquote_to_bytes

    key = (plain + "".join(f"%{b:02x}" if lower else f"%{b:02X}" for b in raw) + plain).encode()
    try:
        unquote_to_bytes(key).decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    assert (_KEY.fullmatch(key + b'"') is not None) == (utf8 and bool(key))


@settings(max_examples=200, deadline=None)
@given(runs=st.lists(st.tuples(st.integers(0, 5), st.lists(st.integers(0, 40).map(str), max_size=30)), max_size=12),
       cap=st.sampled_from([8, 64]), spread=st.sampled_from([0, 1, 2]))
def test_add_many_with_runs_apart(runs, cap, spread):
    """Runs recorded at indexes with gaps between them (assets whose id is no string), given as a first index or
    as a list of indexes (consecutive, or every other one), report the first index of each repeated id, as one
    dict of first indexes does."""
    table, first, got, want, index = m.DigestTable(cap), {}, [], [], 0
    for skip, ids in runs:
        index += skip
        indexes = [index + j * spread for j in range(len(ids))] if spread else list(range(index, index + len(ids)))
        got += table.add_many([hash(x) for x in ids], index if spread == 0 or not ids else indexes)
        for i, x in zip(indexes, ids, strict=True):
            if x in first:
                want.append((i, first[x]))
            else:
                first[x] = i
        index = indexes[-1] + 1 if ids else index
    assert got == want and len(table) == len(first)


# -- the splitter run ahead in a child process (hubgate/manifest/ahead.py) ------------------------------------


@pytest.fixture
def ahead_always(monkeypatch):
    """Split ahead in a child whatever the file's size (and however many CPUs)."""
    from hubgate.manifest import ahead

    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(ahead, "may_fork", lambda: True)
    return ahead


def _no_child_left():
    import os

    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assets=st.lists(_ASSET, max_size=25), style=st.integers(0, 4), cut=st.none() | st.floats(0, 1),
       seed=st.integers(0, 2**16))
@pytest.mark.parametrize("bundle", [None, "good"])
def test_split_ahead_equals_the_plain_reader(tmp_path, ahead_always, bundle, assets, style, cut, seed):
    text = _dump(assets, style).encode("utf-8")
    if cut is not None:
        at = int(len(text) * cut)
        text = text[:at] if seed % 2 else text[:at] + random.Random(seed).choice([b",", b"]", b"{", b'"']) + text[at:]
    path = tmp_path / "m.json"
    path.write_bytes(text)
    same(path, block_sizes=(None, random.Random(seed).randint(20, 400)), context_factory=_context_factory(bundle))
    _no_child_left()


def test_split_ahead_on_a_large_file_and_stopped_early(tmp_path, ahead_always):
    assets = [canonical(i, HOSTS[i % 3], sizes=i % 2 == 1, key="%20a" if i % 3 else "") for i in range(3000)]
    for i in range(5, 3000, 97):
        assets[i]["data"] = assets[i]["data"].replace("/img/", "/im g/")
    for i in range(7, 3000, 211):
        assets[i]["externalId"] = assets[i - 1]["externalId"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(assets, indent=2))
    findings, _, n = same(path, block_sizes=(None, 4096))
    assert n == 3000 and {f["rule"] for f in findings} == {"HG509", "HG512"}
    same(path, block_sizes=(4096,), max_findings=3)  # the scan stops early: the child is ended and reaped
    _no_child_left()


def test_a_child_that_ends_early_leaves_the_rest_to_this_process(tmp_path, ahead_always):
    import os

    assets = [canonical(i, HOSTS[i % 3]) for i in range(2000)]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(assets))
    parent = os.getpid()

    def dying(raw, offset, block_size):  # the child's splitter fails after three runs; this process's does not
        for k, run in enumerate(ms.splits(raw, offset, block_size)):
            if k == 3 and os.getpid() != parent:
                raise RuntimeError("the child ends")
            yield run

    def runs(splitter):  # the matches and gaps in file order (the child's last runs may be cut elsewhere here)
        with open(path, "rb") as raw:
            raw.seek(1)
            text, ids, lengths, gaps, n = b"", [], [], [], 0
            for run in splitter(path, raw, 1, 2048, dying, ms.Split.unpacked) if splitter else ms.splits(raw, 1, 2048):
                assert run.offset == 1 + len(text)
                gaps += [(len(ids) + j, g) for j, g in run.gaps.items()]
                text += run.text[:run.size] if run.text else raw.read(run.size)
                ids += run.ids
                lengths += run.lengths
                n += 1
                assert [run.hosts.names[k] for k in run.hosts.at] == [f"https://{HOSTS[int(i[3:]) % 3]}/".encode() for i in run.ids]
            return text, ids, lengths, gaps, n

    (text, ids, lengths, gaps, n), want = runs(ahead_always.ahead), runs(None)
    assert (text, ids, lengths, gaps) == want[:4] and n > 5 and len(ids) == 1999
    _no_child_left()


def test_a_small_manifest_compiles_only_the_layout_it_uses(tmp_path):
    """A one-bundle check pays for the regexes it needs (each layout ~3 ms to compile, the locator's runs ~10 ms
    together): the docs' example manifest, its last asset left for the plain reader, needs the first layout only,
    and no run of the locator when nothing is found."""
    from hubgate.manifest import locate

    ms.layout.cache_clear()
    locate._run.cache_clear()
    path = BUNDLES / "good" / "assets.json"
    got = scanned(path, _context_factory("good")())
    assert got == (reference(path, _context_factory("good")())[0], [], 3)
    assert ms.layout.cache_info().currsize == 1
    assert locate._run.cache_info().currsize == 0
    # a short tail of another layout at the file's end: read by the plain reader, the same findings
    tail = [canonical(i) for i in range(3)] + [canonical(i, id_first=True) for i in range(3, 6)]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(tail, indent=2))
    assert same(path, block_sizes=(None,))[2] == 6
    assert ms.layout.cache_info().currsize == 1
