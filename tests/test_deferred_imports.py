"""An import inside a function only where it keeps start-up fast, with a comment saying why (issue #18).

Every ``import`` in a function body of ``hubgate/``, ``checks/`` and ``scenarios/`` carries a comment on its
own line(s) or on the line right above it (e.g. ``# deferred: jsonschema costs ~40 ms and is only needed
for an invalid document`` or ``# deferred: optional extra 'live' (moto)``). A group of consecutive imports
may share the comment above (or on) its first import. Anything else belongs at the top of the module.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

from conftest import REPO

ROOTS = ("hubgate", "checks", "scenarios")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_IMPORTS = (ast.Import, ast.ImportFrom)


def _comment_lines(source: str) -> set[int]:
    """Line numbers holding a comment (a real ``#`` token, not one inside a string)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {tok.start[0] for tok in tokens if tok.type == tokenize.COMMENT}


def _statement_lists(node: ast.AST):
    """Every list of statements under ``node`` (bodies, else branches, handlers, match cases...)."""
    for child in ast.walk(node):
        for value in vars(child).values():
            if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
                yield value


def uncommented_deferred_imports(path: Path) -> list[int]:
    """Line numbers of imports inside a function of ``path`` with no comment saying why."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    comments = _comment_lines(source)
    in_function: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, _FUNCTIONS):
            in_function |= {id(n) for n in ast.walk(fn) if isinstance(n, _IMPORTS)}
    bad: set[int] = set()
    for stmts in _statement_lists(tree):
        group_ok, prev_end = False, None
        for stmt in stmts:
            if not (isinstance(stmt, _IMPORTS) and id(stmt) in in_function):
                prev_end = None
                continue
            own = comments & set(range(stmt.lineno - 1, stmt.end_lineno + 1))
            if prev_end is None or stmt.lineno != prev_end + 1:  # a new group starts here
                group_ok = bool(own)
            elif own:
                group_ok = True
            if not group_ok:
                bad.add(stmt.lineno)
            prev_end = stmt.end_lineno
    return sorted(bad)


def _offenders(root: Path) -> list[str]:
    out = []
    for top in ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            out += [f"{path.relative_to(root)}:{line}" for line in uncommented_deferred_imports(path)]
    return out


def test_every_import_inside_a_function_says_why():
    offenders = _offenders(REPO)
    assert offenders == [], (
        "imports inside a function without a comment saying why (move them to the top of the module, or "
        "comment why deferring them keeps start-up fast, e.g. '# deferred: optional extra ...'):\n  "
        + "\n  ".join(offenders))


def test_the_check_sees_what_it_should(tmp_path):
    (tmp_path / "m.py").write_text(
        "import os\n"
        "\n"
        "def f():\n"
        "    import json\n"                                   # 4: no comment
        "    s = '# not a comment'; import re\n"              # 5: a '#' in a string is no comment
        "    # deferred: a group under one comment\n"
        "    import csv\n"
        "    from collections import (\n"
        "        OrderedDict,\n"
        "    )\n"
        "    x = 1\n"
        "    import glob\n"                                   # 12: the group ended at x = 1
        "    import heapq  # deferred: on its own line\n"
        "    import bisect\n"                                 # 14: follows a commented import: same group
        "    if x:\n"
        "        import zlib\n"                               # 16: nested block, no comment
        "    def g():\n"
        "        from typing import Any  # deferred: nested function\n"
        "    return lambda: __import__('x')\n",
        encoding="utf-8")
    assert uncommented_deferred_imports(tmp_path / "m.py") == [4, 5, 12, 16]
