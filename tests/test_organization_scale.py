"""HG404 over large organizations: linear time, and a report that stays proportional (issue #20)."""

from __future__ import annotations

import dataclasses
import time

from hubgate.bundle import bundle_from_data
from hubgate.example import good_bundle
from hubgate.rules import Target, run_rules

_TEMPLATE = bundle_from_data(good_bundle(name="template"), file="template.yaml")


def organization(names: list[str]) -> list[Target]:
    """One bundle per name, each in its own file, all in one organization (copies of one parsed bundle:
    HG404 reads only the name, the file and the document)."""
    org = [dataclasses.replace(_TEMPLATE, name=n, doc=dataclasses.replace(_TEMPLATE.doc, file=f"b{i:05}.yaml"))
           for i, n in enumerate(names)]
    return [Target("bundle", bundle=b, organization=org) for b in org]


def hg404(targets: list[Target]):
    return run_rules(targets, select={"HG404"})


def test_ten_thousand_bundles_in_well_under_a_minute():
    targets = organization([f"storage-{i}" for i in range(9_998)] + ["twin", "twin"])
    start = time.perf_counter()
    found = hg404(targets)
    elapsed = time.perf_counter() - start
    # comparing every bundle with every other took over 400 s here; linear takes a fraction of a second
    assert elapsed < 20, f"HG404 took {elapsed:.1f}s for 10,000 bundles"
    assert [(f.file, f.message) for f in found] == [
        ("b09998.yaml", "Storage name 'twin' is also used by b09999.yaml in the same organization"),
        ("b09999.yaml", "Storage name 'twin' is also used by b09998.yaml in the same organization"),
    ]


def test_thousands_of_equal_names_keep_the_report_proportional():
    targets = organization(["shared"] * 3_000)
    found = hg404(targets)
    assert len(found) == 3_000  # still one finding per bundle, each in its own file
    assert max(len(f.message) for f in found) < 300
    assert sum(len(f.message) + len(f.fix or "") for f in found) < 1_500_000  # was ~280 MB
    first = found[0]
    assert first.message == ("Storage name 'shared' is also used by b00001.yaml, b00002.yaml, b00003.yaml, "
                             "b00004.yaml, b00005.yaml and 2994 other files in the same organization")


def test_few_duplicates_name_every_other_file_as_before():
    found = hg404(organization(["dup"] * 6 + ["solo"]))
    assert len(found) == 6
    assert found[5].message == ("Storage name 'dup' is also used by b00000.yaml, b00001.yaml, b00002.yaml, "
                                "b00003.yaml, b00004.yaml in the same organization")


def test_index_follows_an_organization_that_grows():
    targets = organization(["a", "b"])
    assert not hg404(targets)
    org = targets[0].organization
    org.append(dataclasses.replace(org[0], doc=dataclasses.replace(org[0].doc, file="late.yaml")))
    assert [f.file for f in hg404(targets)] == ["b00000.yaml"]
