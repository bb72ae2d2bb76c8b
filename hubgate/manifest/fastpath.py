"""The validator's fast paths: runs of parsed assets settled in one loop (:meth:`FastPaths._batch`) and the
raw scanner's blocks (:meth:`FastPaths._block`), with the same findings, in the same order, as one asset at a
time (:meth:`hubgate.manifest.validator.Validator.asset`)."""

from __future__ import annotations

from bisect import bisect_left
from itertools import chain, count, repeat
from urllib.parse import unquote_to_bytes

from .context import BucketFacts
from .ids import BYTES_HASH_LIKE_STR, as_text
from .url import FAST_AZURE, FAST_GCS, FAST_S3, FAST_S3_PCT, GCS_PREFIX, URL_MARKS
from .values import TooManyFindings

_NO_FACTS = BucketFacts("")  # an Azure container's: its use count is no one's (Validator._url keeps none)


class FastPaths:
    """Mixed into :class:`~hubgate.manifest.validator.Validator` (which provides ``asset``, ``run``,
    ``_duplicate``, ``_optional``, ``ids``, ``count``, ``ctx``, ``_good``...)."""

    def _good_hosts(self) -> dict[bytes, BucketFacts]:
        """:attr:`_good` keyed by the encoded ``https://<host>/`` prefix (it only grows: rebuilt on growth)."""
        if self._good_b_len != len(self._good):
            self._good_b = {k.encode(): f for k, f in self._good.items()}
            self._good_b_len = len(self._good)
        return self._good_b

    def _block(self, block) -> None:
        """A :class:`hubgate.manifest.scan.Block`: its canonical assets are the ones :meth:`_batch` settles in
        its loop when their host is known (a clean URL on a host seen with its right region, a non-empty plain
        externalId, positive integer sizes), so they need only the bucket count and the duplicate-id probe."""
        if self.locator is not None:
            self.locator.enter(block)
        good = self._good_hosts()
        uses = block.hosts.uses()
        try:
            facts = [good[h] for h in uses]
        except KeyError:  # a host not settled yet: the whole block the ordinary way (this learns it)
            self._batch(block.base, block.items())
            return
        for f, n in zip(facts, uses.values(), strict=False):
            f.uses += n
        if self._wants_dup:
            self._pre = self._ids_of(block)
            self._pre_at = list(self._pre)  # (in index order)
        i = block.base
        done = 0  # canonical assets checked
        in_run = False
        ids = block.ids
        try:
            for j, items in chain(block.gaps, ((len(ids), None),)):
                if j > done:
                    if self._wants_dup:
                        in_run = True
                        self._record(ids[done:j], i)
                        in_run = False
                    i += j - done
                    done = j
                if items:
                    self._gap(i, items)
                    i += len(items)
        except TooManyFindings:  # the canonical assets after the stop were counted above: take them back
            checked = done + (self.count - i) if in_run else done  # the run ids[done:] starts at asset i
            for h, n in block.hosts.uses(checked).items():
                good[h].uses -= n
            raise
        finally:
            self._pre = None
        self.count = i

    def _ids_of(self, block) -> dict[int, int]:
        """Record every externalId of the block (the canonical ones and the gaps' strings) in one call, in index
        order: the first index of each one seen before, by its index (:meth:`_record` and ``asset`` report
        them in their turn). One call a block instead of two for each gap: ~40 canonical assets between two
        bad ones make many short runs."""
        ids = block.ids
        vals: list = []
        indexes: list[int] | None = None
        done, i = 0, block.base
        for j, items in chain(block.gaps, ((len(ids), None),)):
            if j > done:
                vals += ids[done:j]
                if indexes is not None:
                    indexes += range(i, i + j - done)
                i += j - done
                done = j
            for k, item in enumerate(items or (), i):
                ext = item.get("externalId") if type(item) is dict else None
                if type(ext) is str and ext:
                    vals.append(ext)
                    if indexes is not None:
                        indexes.append(k)
                elif indexes is None:  # an asset without an id: the indexes are no longer contiguous
                    indexes = list(range(block.base, k))
            if items:
                i += len(items)
        hashes = list(map(hash, vals if BYTES_HASH_LIKE_STR else map(as_text, vals)))
        return dict(self.ids.add_many(hashes, block.base if indexes is None else indexes))

    def _gap(self, i: int, items: list) -> None:
        """Assets between canonical ones (a few, mostly with findings): :meth:`_batch`'s full path directly."""
        if len(items) > 16:
            self._batch(i, items)
            return
        good = self._good
        for k, item in enumerate(items, i):
            self.count = k + 1
            self.asset(k, item)
            if type(item) is dict:
                url = item.get("data")
                if type(url) is str and url[:url.find("/", 8) + 1] not in good:
                    self._learn(url)

    def _batch(self, base: int, items: list) -> None:
        """Validate a run of parsed assets (``base`` is the index of the first): the same findings, in the same
        order, as :meth:`run`, with less work per asset. At C speed: the URLs are joined by newlines and one
        ``bytes.translate`` marks every character that is not a FAST_S3 key character, so the URLs holding one
        are sent down the full path. In the loop, an asset whose URL starts with a host already seen with its
        right region (``https://<host>/``), whose externalId is a non-empty string and whose other fields are
        absent or plainly valid needs only the bucket count and its id recorded; everything else goes through
        :meth:`asset`, as in :meth:`run`."""
        n = len(items)
        self.count = base
        try:
            datas = list(map(dict.get, items, repeat("data")))
        except TypeError:  # an element that is not an object
            self.run(enumerate(items, base))
            return
        try:
            joined = "\n".join(datas)
        except TypeError:  # a "data" that is not a string: blank, it takes the full path
            datas = [d if type(d) is str else "" for d in datas]
            joined = "\n".join(datas)
        if joined.count("\n") != n - 1:  # a URL holds a line break: the lines are not the assets
            self.run(enumerate(items, base))
            return
        # URLs with a character the fast path does not settle (space, '%', '+', non-ASCII, ...) are blanked:
        # they take the full path
        marks = joined.encode("utf-8", "surrogatepass").translate(URL_MARKS)
        bad = marks.find(b"#")
        urls = datas  # as written (a host is learnt from a URL that takes the full path)
        if bad >= 0:
            datas = datas[:]
            line = 0
            last = 0
            while bad >= 0:
                line += marks.count(b"\n", last, bad)
                datas[line] = ""
                last = bad
                bad = marks.find(b"\n", bad)
                if bad < 0:
                    break
                bad = marks.find(b"#", bad)
        if ".amazonaws.com/\n" in joined or joined.endswith(".amazonaws.com/"):  # perhaps an empty key
            if datas is urls:
                datas = datas[:]
            for j, d in enumerate(datas):
                if d.endswith(".amazonaws.com/"):
                    datas[j] = ""
        exts = list(map(dict.get, items, repeat("externalId")))
        good = self._good.get
        want_dup = self._wants_dup
        optional = self._optional
        asset = self.asset
        record = self._record
        run: list[str] = []  # externalIds of the settled assets since the last one that took the full path
        start = base  # index of run[0]
        try:
            for i, item, url, ext in zip(count(base), items, datas, exts):
                # a clean URL (only safe characters, a key) on a host seen before with its right region
                facts = good(url[:url.find("/", 8) + 1])
                if facts is not None and type(ext) is str and ext:
                    facts.uses += 1
                    if not run:
                        start = i
                    run.append(ext)
                    k = len(item)
                    if k != 2:  # plainly valid sizes and metadata need no look (data and externalId are there)
                        w = item.get("width")
                        if w is not None:
                            hh = item.get("height")
                            if type(w) is int and type(hh) is int and w > 0 and hh > 0:
                                k -= 2
                        md = item.get("metadata")
                        if type(md) is dict:
                            fr = md.get("frameRate", 1)
                            if (type(fr) is int or type(fr) is float) and fr > 0:
                                k -= 1
                        if k == 2:
                            continue
                        if want_dup:  # this asset's duplicate-id finding comes before its field findings
                            record(run, start)
                        run = []
                        self.count = i + 1
                        optional(i, item)
                    continue
                if run:
                    if want_dup:
                        record(run, start)
                    run = []
                self.count = i + 1  # (record sets its own count: --max-findings may stop it at any asset)
                asset(i, item)  # the full path; it counts its own bucket use
                if facts is None:
                    url = urls[i - base]
                    if url:
                        self._learn(url)
            if run and want_dup:
                record(run, start)
        except TooManyFindings:  # assets of the run after the stop were counted: take them back
            for k in range(max(self.count, start), start + len(run)):
                url = datas[k - base]
                good(url[:url.find("/", 8) + 1]).uses -= 1
            raise
        self.count = base + n

    def _record(self, run: list, base: int) -> None:
        """Record the externalIds ``run`` (str, or plain ASCII bytes from the raw scan) of assets ``base``,
        ``base + 1``..., reporting those seen before. (CPython hashes ASCII bytes and str alike, so raw and
        parsed ids share the table.) In a raw-scan block they were recorded already (:meth:`_ids_of`): only
        reported here."""
        pre = self._pre
        if pre is not None:
            at = self._pre_at
            dups = [(k, pre[k]) for k in at[bisect_left(at, base):bisect_left(at, base + len(run))]]
        else:
            dups = self.ids.add_many(list(map(hash, run if BYTES_HASH_LIKE_STR else map(as_text, run))), base)
        for at, first in dups:
            self.count = at + 1
            self._duplicate(at, as_text(run[at - base]), first)

    def _learn(self, url: str) -> None:
        """After an asset's full check: settle later URLs on its host in the batch loop when the URL is of the
        fast form and the bucket's facts say its region is right (the conditions of :meth:`run`'s fast path)."""
        good = self._good
        if len(good) >= 10_000:
            return
        provider = self.ctx.provider
        if provider in (None, "gcp") and url.startswith(GCS_PREFIX):  # (Validator._url's GCS fast path)
            m = FAST_GCS.fullmatch(url)
            if m is not None:
                facts = self.ctx.known(m.group(1))
                if facts is not None:
                    good[url[:len(GCS_PREFIX) + len(m.group(1)) + 1]] = facts
            return
        if provider in (None, "azure") and FAST_AZURE.fullmatch(url) is not None:  # no facts: counted nowhere
            good[url[:url.find("/", url.find("/", 8) + 1) + 1]] = _NO_FACTS
            return
        if provider not in (None, "aws", "s3-compatible"):
            return
        m = FAST_S3.fullmatch(url)
        if m is None:  # a key with escapes: the same, when they are UTF-8 (as Validator._url judges)
            m = FAST_S3_PCT.fullmatch(url) if "%" in url else None
            if m is None:
                return
            try:
                unquote_to_bytes(m.group(3)).decode("utf-8")
            except UnicodeDecodeError:
                return
        facts = self.ctx.known(m.group(1))
        if facts is not None and (facts.region is None or facts.region == m.group(2)):
            good[url[:url.find("/", 8) + 1]] = facts
