"""What the validator knows about the integration: :class:`Context` (the bundle, a region override) and the
per-bucket :class:`BucketFacts` it learns while reading."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..findings import Finding


@dataclass
class BucketFacts:
    name: str
    declared: bool = False
    region: str | None = None  # known region (explicit in the bundle), None when unknown
    cors: bool = False
    reachable: bool | None = None  # None: no permission policy to judge by
    uses: int = 0
    findings: list[Finding] = field(default_factory=list)


class Context:
    """What the validator knows about the integration: the bundle (optional) and a region override."""

    def __init__(self, bundle=None, region: str | None = None, declared_cors_checked: bool = False):
        self.bundle = bundle
        self.declared_cors_checked = declared_cors_checked  # HG301 reports declared buckets without CORS
        self.region = region
        self.provider = bundle.provider if bundle is not None else None
        self._facts: dict[str, BucketFacts] = {}
        self._declared = {}
        if bundle is not None:
            for b in bundle.buckets:
                self._declared[b.name] = b

    def region_for(self, bucket: str) -> str | None:
        b = self._declared.get(bucket)
        if b is not None:
            r = b.region or self.bundle.region
            if r:
                return r
        return self.region

    def facts(self, bucket: str) -> BucketFacts:
        f = self._facts.get(bucket)
        if f is not None:
            return f
        f = BucketFacts(bucket)
        b = self._declared.get(bucket)
        if b is not None:
            f.declared = True
            f.cors = b.cors is not None
        f.region = self.region_for(bucket)
        if self.bundle is not None and self.bundle.permission_policy is not None and self.provider in ("aws", "s3-compatible"):
            from ..s3policy import view  # only with a permission policy: keeps the CLI start-up light

            arn = self.bundle.role_arn or ""
            partition = arn.split(":")[1] if arn.startswith("arn:") and arn.count(":") >= 5 and arn.split(":")[1] else "aws"
            f.reachable = view(self.bundle.permission_policy).reachable(
                bucket, self.bundle.profile.required_actions, partition
            )
        if len(self._facts) < 100_000:
            self._facts[bucket] = f
        return f

    def known(self, bucket: str) -> BucketFacts | None:
        """The facts already learnt about ``bucket`` (None when it was not seen yet)."""
        return self._facts.get(bucket)

    def buckets(self) -> Iterable[BucketFacts]:
        return self._facts.values()
