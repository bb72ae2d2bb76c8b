"""Nesting depth is capped on every manifest path (raw scan, ijson reader, fix) without recursion: one clear
error naming the byte, exit 2, bounded memory (issue #20). Each run is a subprocess with an address-space limit,
so a regression fails the test instead of exhausting the machine."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hubgate.manifest.depth import MAX_DEPTH, DepthGuard, too_deep

ROOT = Path(__file__).resolve().parents[1]
GCP_BUNDLE = ROOT / "examples" / "gcp-good" / "integration.yaml"
GOOD = '{"data": "https://b.s3.eu-west-1.amazonaws.com/k%d", "externalId": "a%d"}'
LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))  # 2 GB: the old code grew to 24 GB
    sys.setrecursionlimit(100_000)  # a recursive reader would crash the interpreter, not hide behind 1000
    sys.argv = ["hubgate", *sys.argv[1:]]
    from hubgate.cli import main
    main()
""")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LIMITED, *args], capture_output=True, text=True, timeout=120)


def _deep_asset(depth: int) -> str:
    """Three good assets, then one whose metadata nests ``depth`` arrays."""
    good = ",".join(GOOD % (k, k) for k in range(3))
    return "[" + good + ', {"data": "x", "externalId": "y", "metadata": ' + "[" * depth + "]" * depth + "}]"


def _first_too_deep(text: str) -> int:
    """Offset of the first bracket that opens level MAX_DEPTH + 1 (a plain walk: these texts hold no strings
    with brackets)."""
    depth = 0
    for at, c in enumerate(text):
        depth += c in "[{"
        depth -= c in "]}"
        if depth > MAX_DEPTH:
            return at
    raise AssertionError("not too deep")


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("shape", ["top", "asset"])
@pytest.mark.parametrize("bundle", [None, GCP_BUNDLE], ids=["raw-scan", "ijson"])
def test_deep_manifest_is_one_clear_error(tmp_path, depth, shape, bundle):
    text = "[" * depth + "]" * depth if shape == "top" else _deep_asset(depth)
    path = tmp_path / "deep.json"
    path.write_text(text)
    res = _run("manifest", str(path), "--format", "json", *(["--bundle", str(bundle)] if bundle else []))
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    at = _first_too_deep(text)
    assert res.stderr.strip().splitlines() == [
        f"hubgate: {path}: malformed JSON at byte {at}: nested deeper than {MAX_DEPTH} levels"]
    if shape == "asset":  # the assets before the deep one were checked (asset 3 has none of its own yet)
        import json

        assert {f["pointer"] for f in json.loads(res.stdout)["findings"]} <= {f"/{k}/data" for k in range(3)}


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_fix_refuses_a_deep_manifest(tmp_path, depth):
    src, dst = tmp_path / "deep.json", tmp_path / "out.json"
    src.write_text(_deep_asset(depth))
    res = _run("manifest", "fix", str(src), str(dst))
    assert res.returncode == 2, res.stderr[-2000:]
    assert res.stderr.strip().splitlines() == [
        f"hubgate: {src}: malformed JSON at byte {_first_too_deep(_deep_asset(depth))}: nested deeper than "
        f"{MAX_DEPTH} levels"]
    assert not dst.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["deep.json"]  # no temp file left


def test_depth_at_the_limit_is_accepted(tmp_path):
    """64 levels (the top-level array included) pass; brackets inside strings and escapes do not count."""
    inner = "[" * (MAX_DEPTH - 3) + "]" * (MAX_DEPTH - 3)
    path = tmp_path / "ok.json"
    path.write_text('[{"data": "https://b.s3.eu-west-1.amazonaws.com/k", "externalId": "[[[\\"{{{", '
                    f'"metadata": {{"x": {inner}}}}}]')
    res = _run("manifest", str(path))
    assert (res.returncode, res.stderr) == (0, ""), res.stdout + res.stderr
    assert res.stdout.startswith("1 manifest(s) checked, 0 error(s)")
    path.write_text(path.read_text().replace(inner, "[" + inner + "]"))  # one level more
    assert _run("manifest", str(path)).returncode == 2


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 64, 4096])
def test_guard_across_chunks_equals_whole_text(cut):
    """The guard gives the same answer whatever the chunking (strings, escapes and brackets split anywhere)."""
    text = ('[{"a": "x\\\\", "b": "[[[\\"]]]{", "c": ' + "[" * 70 + "]" * 70 + "}]").encode()
    g = DepthGuard()
    hits = []
    for k in range(0, len(text), cut):
        at = g.feed(text[k:k + cut])
        if at is not None:
            hits.append(k + at)
            break
    assert hits == [text.index(b"[" * 70) + MAX_DEPTH - 2]
    assert not too_deep(text.replace(b"[" * 70 + b"]" * 70, b"[" * 62 + b"]" * 62))
