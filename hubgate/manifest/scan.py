"""Raw scanning of an import manifest: the common asset settled from the bytes, without building a dict.

Most manifests are machine-written, and nearly every asset has one shape::

    {"data": "https://<host>/<key of plain characters and %XX escapes>", "externalId": "<plain ASCII>"
     [, "width": N, "height": N][, "metadata": {<plain members>}]}     (or "externalId" first)

:func:`splits` reads the file in blocks of 256 KB and splits each block with one regular expression
(the first of ``_LAYOUTS``) that matches exactly that shape -- a complete, valid JSON object followed by its
top-level comma -- capturing the ``https://<host>/`` prefix and the externalId. Everything between two
matches (a *gap*: assets of any other shape, and the bad ones) is parsed by ijson, as the plain reader
does (a block's gaps in one parser call), so the validator sees them as ordinary dicts. For a large file the
splitting runs ahead in a child process (:mod:`.ahead`); :func:`scan` turns the runs into :class:`Block` objects.
A gap must parse as whole elements; when one does not
(malformed JSON, an object nested in a match, ...), or nothing matches for a while, the rest of the file
goes through the plain reader (:func:`hubgate.manifest.reader.iter_batches`) from the last top-level comma, so the
elements, findings, errors and byte offsets are those of the plain reader in every case.

Why the split cannot mislead: a match never starts inside a JSON string (a string cannot hold a raw
quote), and a match nested inside a larger value leaves an unbalanced gap before it, which fails to parse
and sends the rest down the plain path.
"""

from __future__ import annotations

import functools
import io
import json
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress
from pathlib import Path

from .ahead import ahead
from .depth import MAX_DEPTH, too_deep
from .reader import IJSON, array_start, ijson, iter_batches, open_manifest

_WS = rb"[ \t\n\r]*+"  # JSON whitespace only (\s would admit \f and \v)
# the validator's fast-path host (url.FAST_S3): <bucket without dots>.s3.<region>.amazonaws.com
_HOST = rb"[a-z0-9][a-z0-9\-]*+\.s3\.[a-z]{2}(?:-[a-z]++)++-[0-9]++\.amazonaws\.com"
# the validator's fast-path key (url.FAST_S3_PCT): its safe characters and %XX escapes whose bytes are UTF-8, as the
# validator checks each key's (``unquote_to_bytes(key).decode("utf-8")``): each run of escapes is a sequence of
# well-formed UTF-8 characters (RFC 3629's table: no overlong form, no surrogate, nothing above U+10FFFF), so a key
# with other escapes is no match -- its asset is a gap, and takes the full path. Unrolled: runs of safe characters
# after each escaped character, no alternation per safe character; the look-ahead keeps the key non-empty.
_SAFE = rb"[A-Za-z0-9\-._~!$&'()*,;=:@/]*+"
_HEX = rb"[0-9A-Fa-f]"
_CONT = rb"%[89ABab]" + _HEX  # a continuation byte, 80-BF
_UTF8 = (rb"%(?:[0-7]" + _HEX + rb"|[Cc][2-9A-Fa-f]" + _CONT + rb"|[Dd]" + _HEX + _CONT  # 1 or 2 bytes
         + rb"|[Ee](?:0%[ABab]" + _HEX + rb"|[1-9A-Ca-cEFef]" + _CONT + rb"|[Dd]%[89]" + _HEX + rb")" + _CONT  # 3
         + rb"|[Ff](?:0%[9ABab]" + _HEX + rb"|[1-3]" + _CONT + rb"|4%8" + _HEX + rb")" + _CONT + _CONT + rb")")  # 4
_KEY_CHARS = rb"(?!\")" + _SAFE + rb"(?:" + _UTF8 + _SAFE + rb")*+"
_ID_CHARS = rb"[\x20\x21\x23-\x5b\x5d-\x7e]++"  # printable ASCII without '"' and '\': no escapes, non-empty
_SIZE = rb"[1-9][0-9]{0,17}+"  # a positive integer that fits 64 bits
_DATA = rb'"data"' + _WS + rb":" + _WS + rb'"(https://' + _HOST + rb'/)' + _KEY_CHARS + rb'"' + _WS
# the validator's GCS fast path (url.FAST_GCS): https://storage.googleapis.com/<bucket>/<plain key>
_GCS_DATA = (rb'"data"' + _WS + rb":" + _WS + rb'"(https://storage\.googleapis\.com/[a-z0-9][a-z0-9._\-]*[a-z0-9]/)'
             + rb"[A-Za-z0-9\-._~!$&'()*,;=:@/]++" + rb'"' + _WS)
# the validator's Azure fast path (url.FAST_AZURE): https://<account>.blob.core.windows.net/<container>/<blob>
_AZURE_DATA = (rb'"data"' + _WS + rb":" + _WS + rb'"(https://[a-z0-9]{3,24}+\.blob\.core\.windows\.net/'
               + rb"[A-Za-z0-9\-._~!$&'()*,;=:@]++/)" + rb"[A-Za-z0-9\-._~!$&'()*,;=:@/]++" + rb'"' + _WS)
_EXT = rb'"externalId"' + _WS + rb":" + _WS + rb'"(' + _ID_CHARS + rb')"' + _WS
_SIZES = (rb"(?:," + _WS + rb'"width"' + _WS + rb":" + _WS + _SIZE + _WS
          + rb"," + _WS + rb'"height"' + _WS + rb":" + _WS + _SIZE + _WS + rb")?+")
# "metadata": an object of plain members, none of which the validator could object to: frameRate a positive
# integer; any other key plain ASCII with plain ASCII strings, 64-bit integers, true, false or null as values
_MD_VALUE = rb'(?:"[\x20\x21\x23-\x5b\x5d-\x7e]*+"|-?(?:0|[1-9][0-9]{0,17}+)|true|false|null)'
_MD_MEMBER = (rb'(?:"frameRate"' + _WS + rb":" + _WS + rb"[1-9][0-9]{0,8}+|" + rb'"(?!frameRate")[\x20\x21\x23-\x5b\x5d-\x7e]*+"'
              + _WS + rb":" + _WS + _MD_VALUE + rb")" + _WS)
_METADATA = (rb"(?:," + _WS + rb'"metadata"' + _WS + rb":" + _WS + rb"\{" + _WS
             + rb"(?:" + _MD_MEMBER + rb"(?:," + _WS + _MD_MEMBER + rb")*+)?+\}" + _WS + rb")?+")
_END = rb"\}" + _WS + rb",)"  # leading whitespace, not trailing: a block cut in whitespace leaves no gap
# The layouts a split tries, each as (pattern, index of the host, index of the id) in each group of a split's
# parts; a block with no match of the current one tries the others. Group 1: the whole match (its length places
# the assets when a finding needs a line); then the host and the id. Each pattern is compiled when a scan first
# tries it (:func:`layout`; ~3 ms each): a small manifest of the usual shape needs only the first.
_LAYOUTS = (
    (rb"(" + _WS + rb"\{" + _WS + _DATA + rb"," + _WS + _EXT + _SIZES + _METADATA + _END, 2, 3),  # S3
    (rb"(" + _WS + rb"\{" + _WS + _EXT + rb"," + _WS + _DATA + _SIZES + _METADATA + _END, 3, 2),  # "externalId" first
    (rb"(" + _WS + rb"\{" + _WS + _GCS_DATA + rb"," + _WS + _EXT + _SIZES + _METADATA + _END, 2, 3),  # GCS URLs
    (rb"(" + _WS + rb"\{" + _WS + _EXT + rb"," + _WS + _GCS_DATA + _SIZES + _METADATA + _END, 3, 2),
    (rb"(" + _WS + rb"\{" + _WS + _AZURE_DATA + rb"," + _WS + _EXT + _SIZES + _METADATA + _END, 2, 3),  # Azure Blob
    (rb"(" + _WS + rb"\{" + _WS + _EXT + rb"," + _WS + _AZURE_DATA + _SIZES + _METADATA + _END, 3, 2),
)


@functools.cache
def layout(i: int) -> tuple[re.Pattern, int, int]:
    """The ``i``-th layout (see ``_LAYOUTS``), compiled."""
    source, at_host, at_id = _LAYOUTS[i]
    return re.compile(source), at_host, at_id


BLOCK_SIZE = 256 << 10  # larger blocks save little and raise peak memory (a block's parts, its parse)
# Give up on scanning when this much text has no match (another layout, e.g. "externalId" first, or one huge
# asset): the plain reader takes the rest. (Each block re-splits the text carried over, so keep this small.)
MAX_CARRY = 1 << 20
# A text this short left unmatched at the file's end (its last asset, as a rule) is not tried against the other
# layouts: the plain reader takes it at once, and a small manifest compiles no other layout.
_SHORT_END = 64 << 10


@dataclass
class Hosts:
    """The ``https://<host>/`` prefix of each match: the distinct ones (``names``, a few) and each match's number
    in them (one byte each, while there are fewer than 256; counted at C speed)."""

    names: list[bytes]
    at: bytes | array

    @classmethod
    def of(cls, hosts: list[bytes]) -> Hosts:
        names = list(dict.fromkeys(hosts))
        number = {h: k for k, h in enumerate(names)}.__getitem__
        return cls(names, bytes(map(number, hosts)) if len(names) < 256 else array("I", map(number, hosts)))

    def uses(self, start: int = 0) -> dict[bytes, int]:
        """The number of matches from the ``start``-th on of each host (those it has)."""
        at = self.at[start:] if start else self.at
        uses = {h: at.count(k) for k, h in enumerate(self.names)}
        return {h: n for h, n in uses.items() if n} if 0 in uses.values() else uses

    def __getitem__(self, j: slice) -> Hosts:
        return Hosts(self.names, self.at[j])


@dataclass
class Split:
    """A run of the file as the splitter cuts it: ``size`` bytes from ``offset``, whole elements each followed by
    its comma; per canonical asset (match) its length, ``https://<host>/`` prefix and id, and the text of each
    non-empty gap by the number of the match it comes before."""

    offset: int
    size: int
    lengths: Sequence[int]
    hosts: Hosts
    ids: list[bytes]
    gaps: dict[int, list | None]  # j -> the assets of the (non-empty) gap before match j, None if not whole elements
    gap_lens: dict[int, int]  # j -> that gap's length
    text: bytes = b""  # the text read (of which text[:size] is the run), when this process read it

    def packed(self) -> tuple:
        """The run as plain values, compact (to send to another process; no text: the receiver reads it)."""
        lengths = self.lengths if type(self.lengths) is array else array("I", self.lengths)
        return (self.offset, self.size, lengths.tobytes(), self.hosts.names, self.hosts.at,
                b"\n".join(self.ids), self.gaps, self.gap_lens)  # (an id holds no line break)

    @classmethod
    def unpacked(cls, packed: tuple) -> Split:
        offset, size, lengths, names, numbers, ids, gaps, gap_lens = packed
        lens = array("I")
        lens.frombytes(lengths)
        return cls(offset, size, lens, Hosts(names, numbers), ids.split(b"\n"), gaps, gap_lens)


@dataclass
class Block:
    """The assets of a run of the file: ``hosts[j]``/``ids[j]`` of the j-th canonical asset (bytes), and
    ``gaps``: ``(j, assets)`` -- the other assets, parsed, that come before the j-th canonical one."""

    base: int  # index of the block's first asset
    count: int  # assets in the block
    hosts: Hosts
    ids: list[bytes]
    gaps: list[tuple[int, list]] = field(default_factory=list)
    text: bytes = b""  # text[:size]: the block's elements, each followed by its comma
    size: int = 0
    offset: int = 0  # file offset of text[0] (just after a top-level comma, or the opening bracket)
    lengths: Sequence[int] = ()  # the length of each match
    gap_lens: dict[int, int] = field(default_factory=dict)  # j -> the length of the (non-empty) gap before match j
    _starts: list[int] | None = field(default=None, repr=False)  # the matches' lengths summed (lazily)
    _sum_j: int = field(default=0, repr=False)  # _sum: the length of the gaps before match _sum_j
    _sum: int = field(default=0, repr=False)
    _sum_k: int = field(default=0, repr=False)  # the first of ``gaps`` at or after match _sum_j
    _cursor: tuple[int, int] = field(default=(0, 0), repr=False)  # (gap number, gap elements before it)
    _last: int = field(default=-1, repr=False)

    def anchor(self, i: int) -> tuple[int, int]:
        """(index, file offset) of an element at or before asset ``i`` of this block, from which a walk of the
        elements in between (at most one gap's) reaches it: the match itself, or the start of its gap. Findings
        come in asset order, so cursors over the gaps and the match lengths make this cheap."""
        k, before = self._cursor if i >= self._last else (0, 0)
        self._last = i
        gaps = self.gaps
        while k < len(gaps):
            j, items = gaps[k]
            first = self.base + j + before  # the asset index of the gap's first element
            if i < first:
                break
            if i < first + len(items):
                self._cursor = (k, before)
                return first, self.offset + self._gap_start(j)
            before += len(items)
            k += 1
        self._cursor = (k, before)
        j = i - self.base - before  # the match's number
        return i, self.offset + self._gap_start(j) + self.gap_lens.get(j, 0)

    def _gap_start(self, j: int) -> int:
        """Offset in ``text`` of gap j (the text before match j): the lengths of the matches before it (summed
        once, at C speed) and of the (few non-empty) gaps before it, summed from the last gap asked for."""
        if self._starts is None:
            self._starts = list(accumulate(self.lengths, initial=0))
        if j < self._sum_j:
            self._sum_j, self._sum, self._sum_k = 0, 0, 0
        k, parsed = self._sum_k, self.gaps
        while k < len(parsed) and parsed[k][0] < j:
            self._sum += self.gap_lens[parsed[k][0]]
            k += 1
        self._sum_j, self._sum_k = j, k
        return self._starts[j] + self._sum

    def items(self) -> list:
        """Every asset of the block as the plain reader gives it (for blocks the validator cannot settle):
        the block is whole elements, each with its comma, i.e. one gap."""
        items = _parse_gap(self.text[:self.size])
        assert items is not None, "a block is whole elements"
        return items


_MARK = "\0hubgate-gap\0"  # between the gaps of a block when they are parsed together
_GAP_MARK = json.dumps(_MARK).encode()
_items = getattr(IJSON, "items_gen", None) or IJSON.items  # items_gen skips ijson's source sniffing


def _parse(text: bytes) -> list | None:
    # (no deeper than its openers: counted first, at memchr speed -- a block's gaps seldom hold more than the limit)
    if text.count(b"{") + text.count(b"[") > MAX_DEPTH and too_deep(text):
        return None  # the plain reader takes it from the last settled comma, and names the offset
    try:
        return list(_items(io.BytesIO(text), "item", use_float=True))
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        return None


def _strip_gap(gap: bytes) -> bytes | None:
    """A gap (whole elements, each followed by a comma) without its last comma; None when it cannot be that."""
    body = gap.rstrip(b" \t\n\r")
    return body[:-1] if body.endswith(b",") and len(body) > 1 else None


def _parse_gap(gap: bytes) -> list | None:
    """The elements of a gap, or None when it is not whole elements."""
    body = _strip_gap(gap)
    return (_parse(b"[" + body + b"]") or None) if body is not None else None


def _parse_gaps(gaps: list[bytes]) -> list[list] | None:
    """The elements of each gap, parsed together (one parser for the block) with a marker string between them.

    Accepted only when exactly ``len(gaps) - 1`` markers come out as top-level elements and every gap gives
    at least one element: then each gap began and ended at the top level, i.e. is whole elements on its own.
    Otherwise (a malformed gap, or an asset equal to the marker) None: the caller parses them one by one."""
    bodies = list(map(_strip_gap, gaps))
    if None in bodies:
        return None
    items = _parse(b"[" + (b"," + _GAP_MARK + b",").join(bodies) + b"]")
    if items is None:
        return None
    out: list[list] = []
    run: list = []
    for x in items:
        if type(x) is str and x == _MARK:
            if not run:
                return None
            out.append(run)
            run = []
        else:
            run.append(x)
    if not run:
        return None
    out.append(run)
    return out if len(out) == len(gaps) else None


def splits(raw, offset: int, block_size: int) -> Iterator[Split]:
    """Cut the file from ``offset`` (``raw`` is there) into :class:`Split` runs, block by block: each block is
    split by the layout that matched last (another one is tried when it has no match); the text after the last
    match is carried into the next block. Ends at the file's end, or where this much text has no match."""
    pending = b""
    current = 0
    pattern, at_host, at_id = layout(current)
    groups = pattern.groups + 1  # a split gives the gap before each match, then the match's groups (alike in all)
    data = raw.read(block_size)
    while True:
        buf = pending + data if pending else data
        if not buf:
            return
        parts = pattern.split(buf)
        carry = parts.pop()
        matches = len(parts) // groups
        # perhaps another key order or URL form (not for a short text left at the file's end: ``_SHORT_END``)
        if not matches and (data or len(buf) > _SHORT_END):
            for i in range(len(_LAYOUTS)):
                if i != current:
                    parts = layout(i)[0].split(buf)
                    carry = parts.pop()
                    matches = len(parts) // groups
                    if matches:
                        current = i
                        pattern, at_host, at_id = layout(i)
                        break
        if not matches:
            if not data or len(carry) > max(MAX_CARRY, 4 * block_size):
                return
            pending = carry
            data = raw.read(block_size)
            continue
        gaps = parts[0::groups]
        size = len(buf) - len(carry)
        where = list(compress(range(matches), gaps))
        texts = [gaps[j] for j in where]
        parsed = (_parse_gaps(texts) or list(map(_parse_gap, texts))) if where else []  # (each, if not together)
        yield Split(offset, size, array("I", map(len, parts[1::groups])), Hosts.of(parts[at_host::groups]),
                    parts[at_id::groups], dict(zip(where, parsed, strict=True)), dict(zip(where, map(len, texts),
                                                                                        strict=True)), buf)
        offset += size
        pending = carry
        data = raw.read(block_size)


def scan(
    path: Path, shown: str, progress: Callable[[int, int], None] | None = None, block_size: int | None = None
) -> Iterator[Block | tuple[int, list]]:
    """The manifest's assets, in order, as :class:`Block` runs and, where the plain reader takes over,
    ``(index of the first, list)`` batches as :func:`hubgate.manifest.reader.iter_batches` gives them.

    Raises what the plain reader raises (``InputError``, ``NotArray``, ``ManifestError`` after the assets
    before the error), at the same offsets.
    """
    block_size = block_size or BLOCK_SIZE
    raw = open_manifest(path, shown)
    resume: int | None = None  # offset after the last top-level comma consumed (None: nothing yet)
    base = 0
    with raw:
        _, start = array_start(raw, shown)
        raw.seek(start + 1)
        runs = ahead(path, raw, start + 1, block_size, splits, Split.unpacked)  # a child splits ahead, or this process
        try:
            for run in runs:
                text = run.text or raw.read(run.size)  # (a child's run: this process reads the same bytes)
                block = Block(base, len(run.ids), run.hosts, run.ids, offset=run.offset, lengths=run.lengths,
                              gap_lens=run.gap_lens)
                for j, items in run.gaps.items():  # (in order)
                    if items is None:  # the block up to that gap, then the plain reader from there
                        if j:
                            cut = block._gap_start(j)
                            block.hosts, block.ids, block.lengths = block.hosts[:j], block.ids[:j], block.lengths[:j]
                            block.count = j + sum(len(items) for _, items in block.gaps)
                            block.text, block.size = text, cut
                            yield block
                            base += block.count
                            resume = run.offset + cut
                        break
                    block.gaps.append((j, items))
                    block.count += len(items)
                else:
                    block.text, block.size = text, run.size
                    yield block
                    base += block.count
                    resume = run.offset + run.size
                    if progress is not None:
                        progress(resume, base)
                    continue
                break  # a gap that is not whole elements
        finally:
            runs.close()
    if resume is None:
        yield from iter_batches(path, shown, progress)  # nothing was settled here: the plain reader throughout
    else:
        yield from iter_batches(path, shown, progress, resume=resume, base=base)


__all__ = ["Block", "Split", "layout", "scan", "splits"]
