"""Position-aware loading of YAML and JSON documents: files read with the guards of ``hubgate.parsers``.

Every loaded document answers, for an RFC 6901 JSON pointer, the (line, column) where the value starts in
the source: from the YAML parser's own event marks, or for JSON from the text's tokens when a finding asks
(``hubgate.jsonpos``). Nothing is located by text search.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .pointers import escape_token, join_pointer  # noqa: F401 - part of this module's API

MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Document:
    """A parsed JSON/YAML value with where it came from.

    ``base`` is the pointer of this value inside its file (``""`` for a whole file, ``/trust_policy``
    for a document given inline in a bundle). ``json_source``: the JSON text ``data`` was read from (the
    whole file's), when it was; ``data`` then holds only values written in it (a value built in memory, as
    infrastructure code's assembled documents are, has no source).
    """

    file: str
    data: Any
    base: str = ""
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    json_source: str | None = field(default=None, repr=False)

    def pointer(self, *tokens: Any) -> str:
        return join_pointer(self.base, *tokens)

    def position(self, pointer: str) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``pointer``; the nearest parent's when unknown."""
        positions = self.positions
        p = pointer
        while True:
            try:  # one look-up (a Positions raises KeyError exactly when it does not hold the pointer)
                return positions[p]
            except KeyError:
                pass
            if not p:
                return (None, None)
            p = p.rsplit("/", 1)[0]

    def child(self, data: Any, *tokens: Any) -> Document:
        """The document of a value inside this one (``data``, found at ``tokens``)."""
        return Document(self.file, data, self.pointer(*tokens), self.positions, self.json_source)


def parse_text(text: str, file: str, base: str = "") -> Document:
    """Parse YAML or JSON text into a Document with positions (see ``hubgate.parsers``).

    JSON text is read as JSON (its scalar rules, duplicate keys refused); anything else, and JSON-looking
    text the JSON parser refuses, as YAML with the same guards.
    """
    from .parsers import load_json, load_yaml  # deferred: the parsers (PyYAML, ~15 ms) only to read a file

    if "\x00" in text:
        raise InputError(file, "binary file (contains NUL bytes), expected YAML or JSON")
    if not text.strip():
        raise InputError(file, "empty file, expected a YAML or JSON document")
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        loaded = load_json(text, file, base)
        if loaded is not None:
            return Document(file, loaded[0], base, loaded[1], text)
    data, positions = load_yaml(text, file, base)
    return Document(file, data, base, positions)


def read_text(path: Path, shown: str | None = None) -> str:
    """A file's text. Only regular files are read (a FIFO, device or directory is refused before any read:
    ``/dev/zero`` never ends, a FIFO blocks), and the size cap is enforced while reading, not from ``stat``."""
    shown = shown or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(shown, "file not found") from None
    except IsADirectoryError:
        raise InputError(shown, "is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(shown, "is a directory, expected a file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(shown, "not a regular file (a FIFO, device or socket), expected a file")
    except BaseException:
        os.close(fd)
        raise
    try:
        size = st.st_size
        if size > MAX_BYTES:
            raise InputError(shown, f"file is {size} bytes, larger than the {MAX_BYTES} byte limit")
        try:
            raw = _read_capped(fd, size)
        except OSError as exc:
            raise InputError(shown, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise InputError(shown, f"file is larger than the {MAX_BYTES} byte limit")
    if b"\x00" in raw:
        raise InputError(shown, "binary file (contains NUL bytes), expected YAML or JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not UTF-8 text (byte {exc.start})") from None


def _read_capped(fd: int, size: int) -> bytes:
    """The bytes of an open file up to its end, or up to one byte past ``MAX_BYTES`` (so that a file which
    grew is still refused). Read in chunks sized from ``stat`` (a buffered read of ``MAX_BYTES + 1`` would
    reserve that much memory for every file)."""
    chunks = []
    total = 0
    want = min(size + 1, MAX_BYTES + 1)
    while True:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_BYTES:
            break
        want = min(max(want, 1 << 16), MAX_BYTES + 1 - total)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def load_file(path: Path, shown: str | None = None) -> Document:
    shown = shown or str(path)
    return parse_text(read_text(path, shown), shown)
