"""``hubgate rules``: the rule catalogue, or one rule's documentation."""

from __future__ import annotations

import sys

import click

from .options import format_option


@click.command()
@click.argument("rule_id", required=False)
@format_option(("text", "json", "markdown"), help=None)
def rules(rule_id, fmt) -> None:
    """List the rule catalogue, or print one rule's documentation (what, why, examples, fix)."""
    # The rule registry imports every rule module: only this command needs it.
    from .. import ruledocs
    from ..rules import get_rule

    if rule_id:
        rule = get_rule(rule_id)
        if rule is None:
            click.echo(f"hubgate: unknown rule {rule_id!r}; `hubgate rules` lists them", err=True)
            sys.exit(2)
        click.echo(ruledocs.rule_doc(rule, fmt), nl=False)
    elif fmt == "markdown":
        click.echo(ruledocs.render_markdown(), nl=False)  # the whole catalogue as one page (docs/)
    else:
        click.echo(ruledocs.catalogue(fmt), nl=False)
