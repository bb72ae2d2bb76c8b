"""``hubgate explain``: decide one request against a bundle's policies."""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from ..redact import clean
from .options import TEXT_JSON, allow_outside_refs_option, format_option


@click.command()
@click.argument("path", type=click.Path())
@click.option("--action", help="Action to decide, e.g. s3:PutObject (default with --principal: the profile's trust action).")
@click.option("--resource", help="Resource ARN, e.g. arn:aws:s3:::my-bucket/key.")
@click.option("--context", "context", multiple=True, metavar="KEY=VALUE",
              help="Request context value (repeatable; a key given twice is multivalued).")
@allow_outside_refs_option()
@click.option("--principal", help="Trust side: the principal that calls sts:AssumeRole.")
@click.option("--external-id", help="Trust side: the sts:ExternalId the principal sends.")
@format_option(TEXT_JSON, help=None)
def explain(path, action, resource, context, principal, external_id, fmt) -> None:
    """Decide one request against a bundle's policies and say which statement decided it.

    \b
    Permission side:  --action s3:GetObject --resource arn:aws:s3:::b/key [--context aws:SourceIp=1.2.3.4]
    Trust side:       --principal arn:aws:iam::397578311638:user/angohub-delegate --external-id X
    Exit code 0 when allowed, 1 when denied, 2 on bad input.
    """
    from ..explain import explain_request  # the IAM evaluator: only this command needs it

    ctx: dict = {}
    for pair in context:
        if "=" not in pair:
            raise click.UsageError(f"--context {pair!r}: expected KEY=VALUE")
        k, v = pair.split("=", 1)
        if k in ctx:
            ctx[k] = (ctx[k] if isinstance(ctx[k], list) else [ctx[k]]) + [v]
        else:
            ctx[k] = v
    try:
        allowed, text = explain_request(path, action, resource, ctx, principal, external_id, fmt)
    except InputError as exc:
        click.echo(f"hubgate: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(clean(text), nl=False)  # secrets masked, unencodable characters escaped
    sys.exit(0 if allowed else 1)
