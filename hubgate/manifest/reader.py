"""Streaming readers of a manifest file: the elements of its top-level array, parsed by ``ijson`` (its C
backend ``yajl2_c``) a run at a time, with byte offsets for malformed JSON and the nesting depth capped
(:mod:`hubgate.manifest.depth`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import InputError
from .depth import MAX_DEPTH, DepthGuard

try:  # the C backend is ~20x faster than the pure-Python one
    import ijson

    try:
        IJSON = ijson.get_backend("yajl2_c")
    except Exception:  # pragma: no cover - depends on the ijson build
        IJSON = ijson
except ImportError:  # pragma: no cover - ijson is a declared dependency
    ijson = None
    IJSON = None

BUF_SIZE = 64 * 1024  # ijson's read size (the last chunk is kept to locate errors)
# Resuming after a top-level comma: the parser is fed this, then the rest of the file, so that it is in the
# state it would be in after that comma (a "]" next is still an error); the sentinel element is dropped.
RESUME_PREFIX = b"[0,"
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


class ManifestError(InputError):
    """Malformed JSON partway through a manifest (exit 2); findings before it are still reported."""

    def __init__(self, file: str, offset: int, problem: str):
        self.offset = offset
        super().__init__(file, f"malformed JSON at byte {offset}: {problem}")


class NotArray(InputError):
    def __init__(self, file: str, kind: str):
        self.kind = kind
        super().__init__(file, f"the top level is {kind}, not a JSON array")


class _Reader:
    """A binary file wrapper that counts bytes, remembers the last chunk (for error offsets) and stops at the
    first byte nested past :data:`MAX_DEPTH`: the text before it is handed out, then :class:`ManifestError`."""

    def __init__(self, raw, start: int, shown: str, depth: DepthGuard):
        self.raw = raw
        self.pos = start
        self.chunk = b""
        self.chunk_start = start
        self.shown = shown
        self.depth = depth
        self.deep: int | None = None  # offset of the byte past the depth limit, once seen

    def read(self, n: int = -1) -> bytes:
        if self.deep is not None:
            raise ManifestError(self.shown, self.deep, TOO_DEEP)
        data = self.raw.read(n)
        at = self.depth.feed(data)
        if at is not None:
            self.deep = self.pos + at
            data = data[:at]
            if not data:
                raise ManifestError(self.shown, self.deep, TOO_DEEP)
        self.chunk_start = self.pos
        self.chunk = data
        self.pos += len(data)
        return data


class _Prefixed:
    """A binary file whose first read starts with ``prefix`` (to resume parsing in the middle of an array)."""

    def __init__(self, prefix: bytes, raw):
        self.prefix = prefix
        self.raw = raw

    def read(self, n: int = -1) -> bytes:
        if self.prefix and n:  # ijson first reads 0 bytes to learn the type: the prefix waits for real reads
            head, self.prefix = self.prefix, b""
            return head + self.raw.read(max(n - len(head), 0) if n >= 0 else -1)
        return self.raw.read(n)


def _error_offset(exc: Exception, reader: _Reader) -> int:
    """The byte offset of a yajl parse error: located from the error's context snippet in the last chunk."""
    msg = exc.args[0] if exc.args else ""
    if isinstance(msg, str):
        msg = msg.encode("utf-8", "surrogateescape")
    if not isinstance(msg, bytes):
        return reader.pos
    lines = msg.split(b"\n")
    if len(lines) < 3 or b"(right here)" not in lines[2]:
        return reader.pos
    arrow = lines[2].find(b"^")
    snippet = lines[1]
    before, after = snippet[:arrow], snippet[arrow:]
    chunk = reader.chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    if not chunk:
        return reader.pos
    # yajl pads with spaces so that the arrow sits under the offending byte; text starts at most 30 before it
    for take in range(min(30, len(before)), -1, -1):
        pat = before[len(before) - take:] + after
        if take < 30:  # fewer than 30 bytes before the error: it is that close to the chunk start
            if chunk.startswith(pat) or (not after and chunk[:take] == pat):
                return reader.chunk_start + take
            continue
        hits = [m.start() for m in re.finditer(re.escape(pat), chunk)]
        if len(hits) == 1:
            return reader.chunk_start + hits[0] + take
    return reader.pos


def _problem_of(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    return str(msg).split("\n", 1)[0].strip().rstrip(".") or type(exc).__name__


def array_start(raw, shown: str) -> tuple[int, int]:
    """(length of the UTF-8 BOM, offset of the opening ``[``) of a manifest read from ``raw``'s start;
    ``NotArray`` or ``ManifestError`` when there is no array."""
    head = raw.read(4096)
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    body = head[bom:].lstrip()
    if not body:
        raise ManifestError(shown, len(head), "the file is empty")
    first = body[:1]
    if first != b"[":
        kind = {b"{": "an object", b'"': "a string"}.get(first) or ("a number" if first in b"-0123456789" else "plain text")
        raise NotArray(shown, kind)
    return bom, len(head) - len(body)


def open_manifest(path: Path, shown: str):
    """The manifest opened for binary reading; ``InputError`` naming ``shown`` when it cannot be."""
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(shown, exc.strerror or str(exc)) from None


def _open_items(path: Path, shown: str, resume: int | None = None):
    """(file, reader, items iterator) for the elements of the manifest's top-level array.

    ``resume``: an offset just after a top-level comma; the items iterator then starts with a sentinel
    element (from ``RESUME_PREFIX``) that the caller drops, and the elements after the comma follow.
    """
    raw = open_manifest(path, shown)
    try:
        if IJSON is None:  # pragma: no cover
            raise InputError(shown, "the ijson package is needed to read manifests (pip install ijson)")
        if resume is None:
            bom, _ = array_start(raw, shown)
            raw.seek(bom)
            reader = _Reader(raw, bom, shown, DepthGuard())
        else:  # the prefix's "[" stands for the top-level array, so the depth counts as from the start
            raw.seek(resume)
            reader = _Reader(_Prefixed(RESUME_PREFIX, raw), resume - len(RESUME_PREFIX), shown, DepthGuard())
        return raw, reader, IJSON.items(reader, "item", use_float=True, buf_size=BUF_SIZE)
    except BaseException:
        raw.close()
        raise


def _malformed(shown: str, exc: Exception, reader: _Reader) -> ManifestError:
    if isinstance(exc, ManifestError):
        return exc
    if isinstance(exc, ijson.JSONError):
        offset, problem = _error_offset(exc, reader), _problem_of(exc)
        if "invalid char" in problem and offset > 0:  # yajl has consumed the offending byte
            offset -= 1
        return ManifestError(shown, offset, problem)
    return ManifestError(shown, reader.pos, str(exc))


_PARSE_ERRORS = (ManifestError, UnicodeDecodeError, ValueError) + ((ijson.JSONError,) if ijson else ())


def iter_assets(path: Path, shown: str, progress: Callable[[int, int], None] | None = None) -> Iterator[tuple[int, Any]]:
    """(index, asset) for each element of the manifest's top-level array, read incrementally.

    Raises ``InputError`` when the file cannot be read, ``ManifestError`` on malformed JSON or nesting past
    :data:`MAX_DEPTH` (after the assets before the error have been yielded), ``NotArray`` when the top level
    is not an array.
    """
    raw, reader, items = _open_items(path, shown)
    with raw:
        i = -1
        try:
            for i, item in enumerate(items):
                if progress is not None and not (i & 1023):
                    progress(reader.pos, i)
                yield i, item
        except _PARSE_ERRORS as exc:
            raise _malformed(shown, exc, reader) from None
        if progress is not None:
            progress(reader.pos, i + 1)


def iter_batches(
    path: Path, shown: str, progress: Callable[[int, int], None] | None = None, size: int = 2048,
    resume: int | None = None, base: int = 0,
) -> Iterator[tuple[int, list]]:
    """(index of the first, list of assets) for consecutive runs of up to ``size`` elements, read incrementally.

    The same elements, errors and error offsets as :func:`iter_assets`, with less work per asset: the parser
    fills each list at C speed (``list.extend`` over ``islice``). On malformed JSON the assets before the error
    are yielded first, then ``ManifestError`` is raised. ``resume``/``base``: start just after the top-level
    comma at that byte offset, numbering the elements from ``base`` (see :mod:`hubgate.manifest.scan`).
    """
    raw, reader, items = _open_items(path, shown, resume)
    with raw:
        n = base
        sentinel = resume is not None
        while True:
            batch: list = []
            error = None
            try:
                batch.extend(islice(items, size + sentinel))  # the sentinel comes on top of the first run
            except _PARSE_ERRORS as exc:
                error = _malformed(shown, exc, reader)
            if sentinel and batch:
                del batch[0]
                sentinel = False
            if error is not None:
                if batch:
                    yield n, batch
                raise error from None
            if not batch:
                break
            if progress is not None:
                progress(reader.pos, n)
            yield n, batch
            n += len(batch)
        if progress is not None:
            progress(reader.pos, n)
