"""The documentation in docs/ is what the code generates, and the user-facing pages stand on their own."""

from __future__ import annotations

import re

import pytest

from hubgate import clidocs, ruledocs
from hubgate.rules import all_rules

from conftest import REPO

DOCS = REPO / "docs"


def _stale(page: str, command: str) -> str:
    return f"docs/{page} is out of date with the code; regenerate it with `{command}` and commit the result"


# The Azure examples' SAS tokens are valid from yesterday for 180 days (so that the pass examples pass on
# any day): the page keeps the dates of the day it was generated, and is compared without them.
_SAS_TIME = re.compile(r"\b(st|se)=\d{4}-\d\d-\d\dT")


def _undated(text: str) -> str:
    return _SAS_TIME.sub(r"\1=<date>T", text)


def test_rules_page_is_the_generated_catalogue():
    assert _undated((DOCS / "rules.md").read_text(encoding="utf-8")) == _undated(ruledocs.render_markdown()), _stale(
        "rules.md", ruledocs.REGENERATE)


def test_rules_page_comparison_ignores_only_the_sas_dates():
    assert _undated("st=2026-11-29T00:00:00Z&se=2027-05-29T") == _undated("st=2031-01-02T00:00:00Z&se=2031-07-01T")
    assert _undated("st=2026-11-29T00:00:00Z sp=rl") != _undated("st=2026-11-29T00:00:00Z sp=r")


def test_cli_page_is_the_generated_reference():
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == clidocs.render_markdown(), _stale(
        "cli.md", clidocs.REGENERATE)


def test_rules_markdown_has_every_rule_in_catalogue_order_with_all_its_parts():
    text = ruledocs.render_markdown()
    ids = re.findall(r"^## (HG\d{3}) ", text, re.MULTILINE)
    assert ids == list(all_rules())
    sections = text.split("\n## ")[1:]
    for rule, section in zip(all_rules().values(), sections, strict=False):
        assert section.startswith(f"{rule.id} {rule.title}\n")
        assert f"Severity: **{rule.severity}**" in section
        for part in (rule.what, rule.why, rule.fix, "### Failing example", "### Passing example"):
            assert part in section, (rule.id, part[:40])


def test_rules_markdown_renders_references_when_a_rule_has_them(monkeypatch):
    rules = list(all_rules().values())
    first, second = type(rules[0]), type(rules[1])
    monkeypatch.setattr(first, "references", (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html",
        ("S3 actions", "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"),
    ), raising=False)
    text = ruledocs.render_markdown()
    one = text.split(f"\n## {rules[0].id} ", 1)[1].split("\n## ", 1)[0]
    assert one.endswith(
        "### References\n\n"
        "- <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html>\n"
        "- [S3 actions](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)\n")
    two = text.split(f"\n## {rules[1].id} ", 1)[1].split("\n## ", 1)[0]
    assert ("### References" in two) == bool(getattr(second, "references", None))


def test_rules_markdown_index_links_resolve_to_headings():
    text = ruledocs.render_markdown()
    anchors = re.findall(r"^\| \[HG\d{3}\]\(#([^)]+)\)", text, re.MULTILINE)
    headings = re.findall(r"^## (HG\d{3} .*)$", text, re.MULTILINE)
    github = [re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings]
    assert anchors == github and len(anchors) == len(all_rules())


def test_rules_format_markdown_prints_the_catalogue(hubgate):
    r = hubgate("rules", "--format", "markdown")
    assert r.code == 0 and r.stdout == ruledocs.render_markdown()


def test_cli_page_covers_every_command_and_option():
    import click

    from hubgate.cli import cli

    text = clidocs.render_markdown()

    def walk(cmd, path):
        yield path, cmd
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                if not sub.hidden:
                    yield from walk(sub, f"{path} {name}")

    for path, cmd in walk(cli, "hubgate"):
        section = text.split(f"\n## {path}\n", 1)[1].split("\n## ", 1)[0]
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert any(o in section for o in param.opts), (path, param.opts)


# The name of the team's internal contract page, which users do not have (spelt in parts so that this file
# does not name it either).
INTERNAL = "DE" + "SIGN"


@pytest.mark.parametrize("page", ["README.md", "docs/bundle-format.md", "docs/rules.md", "docs/generate-and-report.md"])
def test_user_pages_stand_alone(page):
    text = (REPO / page).read_text(encoding="utf-8")
    assert INTERNAL not in text
    assert "../shared" not in text and "shared/vectors" not in text and "shared/corpus" not in text
