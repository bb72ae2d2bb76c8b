"""Duplicate ``externalId`` detection in bounded memory: :class:`DigestTable`."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from itertools import count

# CPython hashes ASCII bytes and str alike, so raw-scanned ids and parsed ones share the duplicate-id table
BYTES_HASH_LIKE_STR = hash(b"hubgate-id-0") == hash("hubgate-id-0")


def as_text(x: str | bytes) -> str:
    """An id as str (raw-scanned ids are plain ASCII bytes)."""
    return x.decode("ascii") if type(x) is bytes else x


class DigestTable:
    """Set of 8-byte id digests with the first index of each, in two flat arrays (12 bytes a slot).

    A Python set of the ids (or of 16-byte blake2b digest objects) costs ~100 bytes per asset; this costs
    16-32 (load factor 3/8..3/4). Chance of any false duplicate among 10 million ids: ~3e-6.

    The digest is Python's own hash of the id: 64-bit SipHash-1-3 with a per-process random key, cached on a
    str -- as collision-resistant as an 8-byte blake2b digest for this purpose and ~10x cheaper to get. It is
    stored as is (signed); ``hash()`` never returns -1, which marks an empty slot. Open addressing, linear
    probing, no deletion.
    """

    EMPTY = -1

    def __init__(self, capacity: int = 1 << 14):
        self._alloc(capacity)

    def _alloc(self, cap: int) -> None:
        self._keys = array("q", [self.EMPTY]) * cap
        self._first = array("I", bytes(4 * cap))
        self._mask = cap - 1
        self._n = 0
        self._limit = cap * 3 // 4

    def __len__(self) -> int:
        return self._n

    def add(self, value: str | bytes, index: int) -> int | None:
        """Record the id at ``index``; return the first index when it was seen before."""
        seen = self.add_many([hash(value)], index)
        return seen[0][1] if seen else None

    def add_many(self, hashes: Iterable[int], base: int) -> list[tuple[int, int]]:
        """Record ids by their hashes, the j-th at index ``base + j``, in order, as :meth:`add` one at a time
        would; returns ``(index, first index)`` for each id seen before, in index order. (One tight loop:
        the hot path of duplicate detection, ~0.5 µs an id, most of it the table's cache misses.)"""
        hashes = hashes if isinstance(hashes, list) else list(hashes)
        while self._n + len(hashes) > self._limit:
            self._grow()
        keys, first, mask = self._keys, self._first, self._mask
        dups = []
        for i, h in zip(count(base), hashes):
            slot = h & mask
            k = keys[slot]
            if k == -1:
                keys[slot] = h
                first[slot] = i
                continue
            while k != h:
                slot = (slot + 1) & mask
                k = keys[slot]
                if k == -1:
                    keys[slot] = h
                    first[slot] = i
                    break
            else:
                dups.append((i, first[slot]))
        self._n += len(hashes) - len(dups)
        return dups

    def _grow(self) -> None:
        old_keys, old_first = self._keys, self._first
        n = self._n
        self._alloc((self._mask + 1) * 2)
        keys, first, mask = self._keys, self._first, self._mask
        for k, f in zip(old_keys, old_first, strict=False):
            if k != -1:
                slot = k & mask
                while keys[slot] != -1:
                    slot = (slot + 1) & mask
                keys[slot] = k
                first[slot] = f
        self._n = n
