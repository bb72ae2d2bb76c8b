"""Duplicate ``externalId`` detection in bounded memory: :class:`DigestTable`."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable

# CPython hashes ASCII bytes and str alike, so raw-scanned ids and parsed ones share the duplicate-id table
BYTES_HASH_LIKE_STR = hash(b"hubgate-id-0") == hash("hubgate-id-0")


def as_text(x: str | bytes) -> str:
    """An id as str (raw-scanned ids are plain ASCII bytes)."""
    return x.decode("ascii") if type(x) is bytes else x


class DigestTable:
    """Set of 8-byte id digests with the first index of each, in bounded memory (~13-19 bytes an id).

    A Python set of the ids (or of 16-byte blake2b digest objects) costs ~100 bytes per asset. Here every
    digest recorded is appended to one flat array (8 bytes, in bulk at C speed), and an open-addressing table
    (linear probing, no deletion, load factor 3/8..3/4) holds, per slot, the 1-based position in that array of
    a distinct digest (4 bytes; 0 marks an empty slot). One store per new id: the loop is the hot path of
    duplicate detection. The index of a position is found from the runs recorded (a bisection, for the few
    duplicates only). Chance of any false duplicate among 10 million ids: ~3e-6.

    The digest is Python's own hash of the id: 64-bit SipHash-1-3 with a per-process random key, cached on a
    str -- as collision-resistant as an 8-byte blake2b digest for this purpose and ~10x cheaper to get.
    """

    def __init__(self, capacity: int = 1 << 14):
        self._digests = array("q")  # every digest recorded, in order
        self._run_at = array("q")  # position in _digests of each run's first digest...
        self._run_base = array("q")  # ...and that digest's index
        self._n = 0
        self._alloc(capacity)

    def _alloc(self, cap: int) -> None:
        self._slots = array("I", bytes(4 * cap))
        self._mask = cap - 1
        self._limit = cap * 3 // 4

    def __len__(self) -> int:
        return self._n

    def add(self, value: str | bytes, index: int) -> int | None:
        """Record the id at ``index``; return the first index when it was seen before."""
        seen = self.add_many([hash(value)], index)
        return seen[0][1] if seen else None

    def _index(self, position: int) -> int:
        """The index of the digest at ``position`` (0-based) of :attr:`_digests`."""
        run = bisect_right(self._run_at, position) - 1
        return self._run_base[run] + position - self._run_at[run]

    def add_many(self, hashes: Iterable[int], base: int | list[int]) -> list[tuple[int, int]]:
        """Record ids by their hashes, the j-th at index ``base + j`` (or ``base[j]``, increasing), in order, as
        :meth:`add` one at a time would; returns ``(index, first index)`` for each id seen before, in index
        order."""
        hashes = hashes if isinstance(hashes, list) else list(hashes)
        if not hashes:
            return []
        while self._n + len(hashes) > self._limit:
            self._grow()
        digests, slots, mask = self._digests, self._slots, self._mask
        start = len(digests)
        self._runs(start, base, len(hashes))
        digests.extend(hashes)
        dups = []
        for at, h in enumerate(hashes, start + 1):
            slot = h & mask
            k = slots[slot]
            if not k:
                slots[slot] = at
                continue
            while digests[k - 1] != h:
                slot = (slot + 1) & mask
                k = slots[slot]
                if not k:
                    slots[slot] = at
                    break
            else:
                dups.append((at - 1 - start, k - 1))
        self._n += len(hashes) - len(dups)
        if type(base) is int:
            return [(base + j, self._index(k)) for j, k in dups]
        return [(base[j], self._index(k)) for j, k in dups]

    def _runs(self, start: int, base: int | list[int], n: int) -> None:
        """Note the index of the digests recorded from position ``start`` on: runs of consecutive indexes."""
        run_at, run_base = self._run_at, self._run_base
        if type(base) is not int:
            if base[-1] - base[0] != n - 1:  # not consecutive (assets without an id between): a run at each break
                last = None
                for at, index in enumerate(base, start):
                    if index - 1 != last:
                        run_at.append(at)
                        run_base.append(index)
                    last = index
                return
            base = base[0]
        if not run_at or run_base[-1] + start - run_at[-1] != base:  # (else one run goes on)
            run_at.append(start)
            run_base.append(base)

    def _grow(self) -> None:
        old = self._slots
        self._alloc((self._mask + 1) * 2)
        digests, slots, mask = self._digests, self._slots, self._mask
        for k in filter(None, old):
            slot = digests[k - 1] & mask
            while slots[slot]:
                slot = (slot + 1) & mask
            slots[slot] = k
