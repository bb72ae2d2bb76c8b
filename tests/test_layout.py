"""The layout of rules and their models (issue #18): rule modules hold rules only and stay small, CORS is
judged by one model, every package ships, and moving a rule does not change what reporters say about it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from hubgate.cors.checks import (
    CorsCheck,
    MethodMissingCheck,
    NoCorsCheck,
    OriginMissingCheck,
    OriginTooWideCheck,
)
from hubgate.rules import all_rules

from conftest import REPO

CHECKS = REPO / "checks"
CORE_MODELS = [REPO / "hubgate" / p for p in ("cors", "gcp", "azure", "trust.py", "providers.py")]
MAX_RULE_MODULE_LINES = 450


def _python_files(*roots: Path) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        out += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return out


@pytest.mark.parametrize("path", _python_files(CHECKS), ids=lambda p: str(p.relative_to(REPO)))
def test_rule_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_RULE_MODULE_LINES, f"{path.relative_to(REPO)} has {lines} lines: split the family"


def test_cors_matching_is_not_written_in_rule_modules():
    """Origins, methods and suggestions are the CORS model's (hubgate.cors), not each provider's rules'."""
    banned = {"_origin_ok", "_method_ok", "_suggest", "_suggested", "origin_allowed", "method_allowed",
              "headers_allowed", "matching_rule", "cors_rules", "gcs_entries", "_single_star", "_field"}
    defined = [(p.relative_to(REPO), node.name) for p in _python_files(CHECKS)
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.FunctionDef) and node.name in banned]
    assert defined == []


CORS_SHAPES = {
    "HG301": NoCorsCheck, "HG302": OriginMissingCheck, "HG303": MethodMissingCheck, "HG304": OriginTooWideCheck,
    "HG608": NoCorsCheck, "HG609": OriginMissingCheck, "HG610": MethodMissingCheck, "HG611": OriginTooWideCheck,
    "HG706": NoCorsCheck, "HG707": OriginMissingCheck, "HG708": MethodMissingCheck, "HG709": OriginTooWideCheck,
}


@pytest.mark.parametrize("rule_id", sorted(CORS_SHAPES))
def test_every_cors_rule_is_a_shape_of_the_one_model(rule_id):
    rule = all_rules()[rule_id]
    assert isinstance(rule, CORS_SHAPES[rule_id]) and isinstance(rule, CorsCheck)
    assert "check" not in type(rule).__dict__, "the shape judges; the rule only words its findings"


def test_no_private_name_imported_across_modules():
    offenders = []
    for path in _python_files(CHECKS, *CORE_MODELS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                offenders += [(str(path.relative_to(REPO)), a.name) for a in node.names if a.name.startswith("_")]
    assert offenders == []


# Where each family's rules lived when SARIF tags were first published: a rule moved to another module
# keeps its tag (consumers filter on it).
SARIF_TAG = {"HG1": "permissions", "HG2": "trust", "HG3": "cors", "HG4": "record", "HG5": "manifest",
             "HG6": "gcp", "HG7": "azure", "HG8": "iac"}


def test_sarif_tags_do_not_follow_module_moves(hubgate):
    log = json.loads(hubgate("check", "examples/good", "--format", "sarif").stdout)
    tags = {r["id"]: r["properties"]["tags"][1] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert tags and {rid: tag for rid, tag in tags.items() if tag != SARIF_TAG[rid[:3]]} == {}


def test_every_package_is_listed_for_the_wheel():
    tomllib = pytest.importorskip("tomllib")
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    dirs = {("hubgate." + ".".join(p.parent.relative_to(REPO / "hubgate").parts)).rstrip(".")
            for p in (REPO / "hubgate").rglob("__init__.py")}
    dirs |= {".".join(("hubgate.checks",) + p.parent.relative_to(CHECKS).parts) for p in CHECKS.rglob("__init__.py")}
    assert dirs - listed == set()
    roots = setuptools["package-dir"]
    for pkg in listed:  # each listed package's folder follows from its nearest mapped root, as setuptools derives it
        root = max((r for r in roots if pkg == r or pkg.startswith(r + ".")), key=len)
        folder = REPO / roots[root] / pkg[len(root):].lstrip(".").replace(".", "/")
        assert folder.is_dir(), f"{pkg} -> {folder} does not exist"


@pytest.mark.parametrize("rule_id", sorted(all_rules()))
def test_every_rule_names_the_pages_it_enforces(rule_id, hubgate):
    rule = all_rules()[rule_id]
    refs = type(rule).__dict__.get("references")
    assert refs, f"{rule_id} has no references of its own"
    assert all(isinstance(t, str) and t and u.startswith("https://") for t, u in refs)
    text = hubgate("rules", rule_id).stdout
    assert text.endswith("References\n" + "".join(f"- {t}: {u}\n" for t, u in refs))


def test_rules_and_help_do_not_import_the_manifest_validator():
    """`hubgate rules` needs only the HG5xx table of the manifest package; its validator, scanner and
    readers are imported when a manifest is checked (PEP 562 in hubgate/manifest/__init__.py)."""
    import subprocess
    import sys

    code = ("import sys; from hubgate import ruledocs; ruledocs.catalogue('text'); "
            "print(sorted(m for m in sys.modules if m.startswith('hubgate.manifest.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['hubgate.manifest.rules']", out
