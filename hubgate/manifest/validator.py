"""The manifest validator: every HG5xx check of an asset, the bucket-level findings, and the stream loops.

Findings go to a sink as they are found (the CLI streams them out); nothing keeps the whole file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from ..findings import Finding
from .context import BucketFacts, Context
from .fastpath import FastPaths
from .fields import FieldChecks
from .ids import DigestTable
from .locate import Locator
from .reader import iter_batches
from .rules import (
    BUCKET_NO_CORS,
    BUCKET_UNREACHABLE,
    DATA_MISSING,
    DUPLICATE_ID,
    EXTERNAL_ID,
    HELP,
    NOT_ARRAY,
    NOT_OBJECT,
    SEVERITY,
)
from .scan import Block, scan
from .url import FAST_AZURE, FAST_GCS, FAST_S3, FAST_S3_PCT, URL_PROVIDER, analyse, fix_for, short
from .values import TooManyFindings, json_short, ptr, type_name


class Validator(FastPaths, FieldChecks):
    """Validates assets one at a time; findings accumulate in ``findings`` (streaming order), or go to ``sink``.

    The batch and raw-scan fast paths are in :class:`~hubgate.manifest.fastpath.FastPaths`, the optional
    fields' checks in :class:`~hubgate.manifest.fields.FieldChecks`."""

    def __init__(
        self,
        file: str,
        context: Context | None = None,
        base: str = "",
        max_findings: int | None = None,
        select: set[str] | None = None,
        ignore: set[str] | None = None,
        sink: Callable[[Finding], None] | None = None,
    ):
        self.file = file
        self.ctx = context or Context()
        self.base = base
        self.max_findings = max_findings
        self.select = select
        self.ignore = ignore
        self.findings: list[Finding] = []
        self.sink = sink
        self.emitted = 0
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self.ids = DigestTable()
        # in a raw-scan block: index -> first index of each id recorded before it (FastPaths._ids_of), else None
        self._pre: dict[int, int] | None = None
        self._pre_at: list[int] = []
        self.count = 0
        self.truncated = False
        self._wants_dup = self._wanted(DUPLICATE_ID)
        self._good: dict[str, BucketFacts] = {}  # host -> facts, for the batch loop (see _batch)
        self._good_b: dict[bytes, BucketFacts] = {}
        self._good_b_len = 0
        self.locator: Locator | None = None  # set for a file: findings then carry line and column
        self._placed: tuple[str | None, tuple] = (None, (None, None))  # the last asset placed, and its position

    def _wanted(self, rule: str) -> bool:
        return (self.select is None or rule in self.select) and not (self.ignore and rule in self.ignore)

    def add(self, rule: str, pointer: str, message: str, fix: str | None = None, severity: str | None = None,
            defer: list[Finding] | None = None) -> Finding | None:
        """Record a finding. ``defer``: held in that list (a bucket's ``findings``) and emitted by :meth:`finish`
        (bucket-level findings, whose message gets the number of assets at the end)."""
        if not self._wanted(rule):
            return None
        if self.max_findings is not None and self.emitted >= self.max_findings:
            self.truncated = True
            raise TooManyFindings()
        line = column = None
        if self.locator is not None:  # the asset's position: only now, for the few assets with findings
            index = pointer[len(self.base) + 1:].split("/", 1)[0]
            if index != self._placed[0]:  # (an asset's findings come together: placed once)
                self._placed = (index, self.locator.position(int(index) if index else None))
            line, column = self._placed[1]
        f = Finding(rule, severity or SEVERITY[rule], message, self.file, pointer, line, column, fix, HELP[rule])
        self.emitted += 1
        self.counts[f.severity] += 1
        if defer is None:
            self._emit(f)
        else:
            defer.append(f)
        return f

    def _emit(self, f: Finding) -> None:
        if self.sink is not None:
            self.sink(f)  # streamed out: nothing is kept, so memory does not grow with the findings
        else:
            self.findings.append(f)

    def not_array(self, kind: str) -> None:
        self.add(NOT_ARRAY, self.base, f"The manifest's top level is {kind}, not a JSON array of assets",
                 fix='Put the assets in a top-level array: [{"data": "https://...", "externalId": "..."}, ...]')

    # -- the stream ---------------------------------------------------------------------------
    def run(self, pairs: Iterable[tuple[int, Any]]) -> None:
        """Validate (index, asset) pairs. The common case -- a correct virtual-hosted URL of a bucket already
        seen, a string externalId -- is handled inline; everything else goes through :meth:`asset`."""
        fast = FAST_S3.fullmatch if self.ctx.provider in (None, "aws", "s3-compatible") else None
        seen: dict[str, BucketFacts] = {}
        facts_of = self.ctx.facts
        ids = self.ids
        want_dup = self._wants_dup
        optional = self._optional
        slow = self.asset
        i = -1
        # Assets are acyclic, so the collector would mostly rescan the young dicts ijson makes; collect less
        # often (not never: a sink may make cyclic garbage -- json.dumps(indent=...) does).
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            for i, item in pairs:
                if fast is not None and type(item) is dict:
                    data = item.get("data")
                    ext = item.get("externalId")
                    if type(data) is str and type(ext) is str and ext:
                        m = fast(data)
                        if m is not None:
                            bucket = m.group(1)
                            f = seen.get(bucket)
                            if f is not None and (f.region is None or f.region == m.group(2)):
                                f.uses += 1
                                if want_dup:
                                    first = ids.add(ext, i) if self._pre is None else self._pre.get(i)
                                    if first is not None:
                                        self._duplicate(i, ext, first)
                                if len(item) > 2:
                                    optional(i, item)
                                continue
                            slow(i, item)
                            if f is None and len(seen) < 10_000:
                                seen[bucket] = facts_of(bucket)
                            continue
                slow(i, item)
        finally:
            self.count = i + 1
            gc.set_threshold(*threshold)

    def run_file(self, path: Path, shown: str, progress: Callable[[int, int], None] | None = None) -> None:
        """Validate a manifest file: the same findings, in the same order, as :meth:`run` over
        :func:`iter_assets`. For S3, GCS and Azure bundles the common asset shape is settled from the raw bytes
        (:mod:`hubgate.manifest.scan`); everything else goes through :meth:`_batch`."""
        if self.ctx.provider not in (None, "aws", "s3-compatible", "gcp", "azure"):  # one asset at a time
            self.run((i, item) for base, items in iter_batches(path, shown, progress) for i, item in enumerate(items, base))
            return
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            for part in scan(path, shown, progress):
                if type(part) is Block:
                    self._block(part)
                else:
                    self._batch(*part)
        finally:
            gc.set_threshold(*threshold)

    def _duplicate(self, i: int, ext: str, first: int) -> None:
        self.add(DUPLICATE_ID, ptr(self.base, i, "externalId"),
                 f"externalId {short(ext)!r} of asset {i} is already used by asset {first}",
                 fix=f"Give asset {i} a unique externalId, e.g. {short(ext + '-' + str(i))!r}, "
                     f"or remove it if it repeats asset {first}")

    # -- one asset ---------------------------------------------------------------------------
    def asset(self, i: int, item: Any) -> None:
        if type(item) is not dict:
            self.add(NOT_OBJECT, ptr(self.base, i), f"Asset {i} is {type_name(item)} ({json_short(item)}), not an object",
                     fix='Make each element an object: {"data": "https://...", "externalId": "..."}')
            return
        data = item.get("data")
        if type(data) is str:
            self._url(i, data)
        elif data is None and "data" not in item:
            self.add(DATA_MISSING, ptr(self.base, i), f"Asset {i} has no \"data\" field (the asset's URL)",
                     fix='Add "data": "https://<bucket>.s3.<region>.amazonaws.com/<key>"')
        else:
            self.add(DATA_MISSING, ptr(self.base, i, "data"),
                     f"Asset {i}: \"data\" is {type_name(data)} ({json_short(data)}), not a URL string",
                     fix='Set "data" to the asset\'s URL string: "https://<bucket>.s3.<region>.amazonaws.com/<key>"')
        ext = item.get("externalId")
        if type(ext) is str and ext:
            if self._wants_dup:
                first = self.ids.add(ext, i) if self._pre is None else self._pre.get(i)
                if first is not None:
                    self._duplicate(i, ext, first)
        elif "externalId" not in item:
            self.add(EXTERNAL_ID, ptr(self.base, i), f"Asset {i} has no \"externalId\"",
                     fix='Add a unique "externalId", e.g. the file name')
        else:
            hint = f'"externalId": "{ext}"' if isinstance(ext, (int, float)) and not isinstance(ext, bool) else \
                '"externalId": "<unique name>"'
            self.add(EXTERNAL_ID, ptr(self.base, i, "externalId"),
                     f"Asset {i}: \"externalId\" is {type_name(ext) if ext != '' else 'empty'} ({json_short(ext)}), "
                     f"not a non-empty string", fix=f"Use a non-empty string: {hint}")
        if len(item) > 2:
            self._optional(i, item)

    def _url(self, i: int, url: str) -> None:
        ctx = self.ctx
        m = FAST_S3.fullmatch(url)
        if m is None and "%" in url:  # percent-escaped keys: clean when the escapes are UTF-8 (as analyse() judges)
            m = FAST_S3_PCT.fullmatch(url)
            if m is not None:
                try:
                    unquote_to_bytes(m.group(3)).decode("utf-8")
                except UnicodeDecodeError:
                    m = None
        counted = False
        if m is not None and ctx.provider in (None, "aws", "s3-compatible"):
            bucket, region = m.group(1), m.group(2)
            facts = ctx.facts(bucket)
            facts.uses += 1
            counted = True
            if facts.uses == 1:
                self._bucket(i, facts)
            if facts.region is None or facts.region == region:
                return
        elif ctx.provider in (None, "gcp"):
            m = FAST_GCS.fullmatch(url)
            if m is not None:
                facts = ctx.facts(m.group(1))
                facts.uses += 1
                if facts.uses == 1:
                    self._bucket(i, facts)
                return
        if ctx.provider in (None, "azure") and FAST_AZURE.fullmatch(url) is not None:
            return
        a = analyse(url, ctx.region_for, ctx.provider)
        where = ptr(self.base, i, "data")
        fix = f"Use \"{a.canonical}\"" if a.canonical and a.canonical != url else None
        seen = set()
        for p in a.problems:
            if p.rule not in seen:  # one problem, one finding
                seen.add(p.rule)
                self.add(p.rule, where, f"Asset {i}: {p.message}", fix=fix_for(p, a, fix))
        # bucket-level checks (S3 policy reach, CORS) are for S3 and GCS buckets; an Azure container is
        # judged by the bundle's SAS and Blob CORS rules (HG7xx)
        same = a.provider != "azure" and (ctx.provider is None or URL_PROVIDER.get(ctx.provider) == a.provider)
        if a.bucket and a.provider and not counted and same:
            facts = ctx.facts(a.bucket)
            facts.uses += 1
            if facts.uses == 1:
                self._bucket(i, facts)


    def _bucket(self, i: int, facts: BucketFacts) -> None:
        """Bucket-level findings, once per bucket at its first use; the use count is added at the end."""
        bundle = self.ctx.bundle
        if bundle is None:
            return
        where = ptr(self.base, i, "data")
        # over a bundle, a declared bucket the policy cannot reach is HG108's (as one without CORS is HG301's)
        if facts.reachable is False and not (facts.declared and self.ctx.declared_cors_checked):
            arn = f"arn:aws:s3:::{facts.name}"
            self.add(BUCKET_UNREACHABLE, where,
                     f"Bucket {facts.name!r} (first used by asset {i}) is not reachable by the permission policy "
                     f"of {bundle.file}",
                     fix=f"Add \"{arn}\" and \"{arn}/*\" to the Resource of the read statement, and the bucket "
                         f"to the bundle's buckets", defer=facts.findings)
        if not facts.declared:
            self.add(BUCKET_NO_CORS, where,
                     f"Bucket {facts.name!r} (first used by asset {i}) is not a bucket of the integration "
                     f"{bundle.name!r}, so its CORS configuration is unknown",
                     fix=f"Add {{name: {facts.name}, region: <region>, cors: cors/{facts.name}.json}} to buckets "
                         f"in {bundle.file}", defer=facts.findings)
        elif not facts.cors and not self.ctx.declared_cors_checked:
            self.add(BUCKET_NO_CORS, where,
                     f"Bucket {facts.name!r} (first used by asset {i}) has no CORS configuration in {bundle.file}",
                     fix=f"Add cors: cors/{facts.name}.json to bucket {facts.name!r}, allowing GET from the Hub "
                         f"origins ({', '.join(bundle.profile.data.get('cors', {}).get('origins', [])[:2]) or 'https://hub.ango.ai'})", defer=facts.findings)

    def finish(self) -> list[Finding]:
        for facts in self.ctx.buckets():
            for f in facts.findings:
                f.message += f"; {facts.uses} asset(s) use it"
                self._emit(f)
            facts.findings = []
        return self.findings
