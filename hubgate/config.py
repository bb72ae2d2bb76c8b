"""Project configuration: ``[tool.hubgate]`` in pyproject.toml or a ``.hubgate.toml`` (nearest first).

```toml
[tool.hubgate]                 # in .hubgate.toml the same keys sit at the top level
select = ["HG1", "HG2"]
ignore = ["HG105"]
fail-on = "warning"

[[tool.hubgate.per-path-ignores]]
path = "examples/ango-docs/**"  # glob on the finding's file, relative to the config's folder
rules = ["HG109"]
reason = "the docs' policies pasted as printed, on purpose"  # required
```
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .findings import SEVERITIES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass
class PathIgnore:
    path: str
    rules: list[str]
    reason: str


@dataclass
class Config:
    file: str | None = None
    root: Path = field(default_factory=Path.cwd)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    per_path_ignores: list[PathIgnore] = field(default_factory=list)

    def path_suppression(self, rule: str, file: str) -> str | None:
        if not self.per_path_ignores:
            return None  # the common case, asked once per finding: no path arithmetic
        try:
            rel = os.path.relpath(os.path.abspath(file), self.root)
        except ValueError:
            rel = file
        rel = rel.replace("\\", "/")
        for entry in self.per_path_ignores:
            if not any(rule.startswith(r.upper()) for r in entry.rules):
                continue
            if fnmatch.fnmatch(rel, entry.path) or fnmatch.fnmatch(rel, entry.path.rstrip("/") + "/*"):
                return entry.reason
        return None


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        dot = d / ".hubgate.toml"
        if dot.is_file():
            return dot
        py = d / "pyproject.toml"
        if py.is_file() and "[tool.hubgate" in py.read_text("utf-8", errors="replace"):
            return py
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    shown = str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(shown, f"cannot read configuration: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(shown, f"not valid TOML: {exc}") from None
    section = data.get("tool", {}) if path.name == "pyproject.toml" else data
    if path.name == "pyproject.toml":
        section = section.get("hubgate", {}) if isinstance(section, dict) else None
    if not isinstance(section, dict):
        where = "[tool.hubgate]" if path.name == "pyproject.toml" else "the file"
        raise InputError(shown, f"{where} must be a table of settings (not an array of tables)")
    cfg = Config(file=shown, root=path.parent.resolve())
    known = {"select", "ignore", "fail-on", "per-path-ignores"}
    unknown = sorted(set(map(str, section)) - known)
    if unknown:
        raise InputError(shown, f"unknown hubgate setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    for key in ("select", "ignore"):
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(shown, f"{key} must be a list of rule ids")
        setattr(cfg, key, value)
    fail_on = section.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise InputError(shown, f"fail-on must be one of {', '.join(SEVERITIES)}, got {fail_on!r}")
    cfg.fail_on = fail_on
    entries = section.get("per-path-ignores", [])
    if not isinstance(entries, list):
        raise InputError(shown, "per-path-ignores must be an array of tables ([[tool.hubgate.per-path-ignores]])")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(shown, f"per-path-ignores[{i}] must be a table")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(shown, f"per-path-ignores[{i}] needs a reason: say why these findings are accepted")
        rules = entry.get("rules")
        if isinstance(rules, str):
            rules = [rules]
        if not rules or not all(isinstance(r, str) for r in rules):
            raise InputError(shown, f"per-path-ignores[{i}] needs rules = [\"HG...\"]")
        path = entry.get("path")
        if not isinstance(path, str) or not path:
            raise InputError(shown, f"per-path-ignores[{i}] needs a path glob")
        cfg.per_path_ignores.append(PathIgnore(path, rules, reason))
    return cfg
