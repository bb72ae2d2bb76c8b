"""The manifest package's shape (issue #18 item 1): one job per module, none over 400 lines, no private name
imported from a sibling, no import cycle; and ``bundle_findings`` keeps its cache to itself."""

from __future__ import annotations

import ast
import gc
import shutil
from pathlib import Path

from hubgate import manifest as m
from hubgate.bundle import load_bundle

PACKAGE = Path(m.__file__).parent
FIX = Path(__file__).resolve().parent / "fixtures" / "manifest"


def _imports() -> dict[str, list[tuple[str, str]]]:
    """module -> [(sibling module, imported name)] for ``from .x import y`` lines."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out[path.stem] = [(node.module, alias.name) for node in ast.walk(tree)
                          if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
                          for alias in node.names]
    return out


def test_modules_are_small_and_import_no_private_name():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
    private = [(mod, src, name) for mod, names in _imports().items() for src, name in names if name.startswith("_")]
    assert private == []


def test_no_import_cycle():
    graph = {mod: {src for src, _ in names} for mod, names in _imports().items()}

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert [mod for mod in graph if mod in reach(mod)] == []


def test_bundle_findings_are_computed_once_and_not_kept_in_the_bundle(tmp_path):
    shutil.copytree(FIX, tmp_path / "b")
    y = tmp_path / "b" / "integration.yaml"
    bundle = load_bundle(y, str(y))
    first = m.bundle_findings(bundle)
    assert first and m.bundle_findings(bundle) is first  # the file is read once per bundle
    assert not any(isinstance(v, list) and v is first for v in vars(bundle).values())
    assert "_manifest_findings" not in vars(bundle)
    from hubgate.manifest import api

    assert id(bundle) in api.BUNDLE_FINDINGS  # the cache itself is what is tested
    key = id(bundle)
    del bundle
    gc.collect()
    assert key not in api.BUNDLE_FINDINGS  # the entry goes with its bundle
