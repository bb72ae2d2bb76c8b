"""HG404: rules over an organization (the bundles of one directory, or the bundle files given together)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import ClassVar

from hubgate import docrefs as ref
from hubgate.bundle import Bundle
from hubgate.example import good_bundle
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, register

# --- HG404 -----------------------------------------------------------------------------------------------


@register("HG404", "error", family="record", references=(ref.ANGO_AWS,))
class DuplicateName(Rule):
    """Duplicate storage name in the organization

    ## What it checks
    The storage `name` must be unique among the bundles of one organization (one directory, or the bundle
    files given together). Every bundle that shares a name is reported, each in its own file. Names are
    compared exactly, after trimming spaces.

    ## Why it matters
    The docs: "provide your connection with a unique name", and integrations "belong to your organization".
    Import dialogs pick a storage by name; two with one name leave users guessing which bucket, role and
    external ID an import uses.

    ## Fix
    Give each storage of the organization its own name.
    """

    # An organization example: a list of bundles checked together (hubgate.example.example_targets).
    fail_examples = ([good_bundle(), good_bundle(role_arn="arn:aws:iam::123456789012:role/AngoHubVideo")],)
    pass_examples = ([good_bundle(), good_bundle(name="prod-video")], good_bundle())

    shown_files: ClassVar[int] = 5  # other files a message names; beyond that it gives their count

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None:
            return
        name = str(b.name).strip()
        files = self._files_by_name(target.organization).get(name, ())
        count = len(files) - (b.file in files)
        if not count:
            return
        named = list(islice((f for f in files if f != b.file), self.shown_files))
        more = f" and {count - len(named)} other files" if count > len(named) else ""
        yield self.finding(
            b.doc, b.doc.pointer("name"),
            f"Storage name {name!r} is also used by {', '.join(named)}{more} in the same organization",
            fix=f"Rename this storage (e.g. {name + '-2'!r}) or the other one(s)",
        )

    def _files_by_name(self, organization: list[Bundle]) -> dict[str, dict[str, None]]:
        """Name -> the files using it (sorted), built once per organization: every bundle of it is a target,
        and comparing each with every other is quadratic (10,000 bundles took minutes)."""
        cached = getattr(self, "_index", None)
        if cached is not None and cached[0] is organization and cached[1] == len(organization):
            return cached[2]
        by_name: dict[str, set[str]] = {}
        for o in organization:
            by_name.setdefault(str(o.name).strip(), set()).add(o.file)
        index = {n: dict.fromkeys(sorted(fs)) for n, fs in by_name.items()}
        self._index = (organization, len(organization), index)
        return index
