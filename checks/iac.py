"""HG8xx: integrations read from infrastructure code (Terraform plans, CloudFormation templates).

A bundle assembled by ``hubgate.iac`` lists in ``x-hubgate-iac.unresolved`` every value the plan or
template cannot decide on its own: attributes Terraform knows only after apply, intrinsics that depend on
the deploying account or other stacks, policies attached by ARN but not defined in the file. Those values
are never taken as passing any rule (their documents are left out or stay visibly unresolved); HG801 says
which they are, so a clean result on infrastructure code is read with them in mind.
"""

from __future__ import annotations

from collections.abc import Iterable

from hubgate import docrefs as ref
from hubgate.example import good_bundle
from hubgate.findings import Finding
from hubgate.rules import Rule, Target, register

IAC_KEY = "x-hubgate-iac"


@register("HG801", "info", family="iac", references=(ref.CFN_INTRINSICS, ref.TF_JSON))
class Unresolved(Rule):
    """Value in infrastructure code not resolvable statically

    ## What it checks
    For a bundle assembled from a Terraform plan or a CloudFormation template, each value the file alone does
    not decide: a Terraform attribute known only after apply, a CloudFormation intrinsic (`!ImportValue`,
    `!GetAZs`, `!If` on a deploy-time condition, `!Ref` to a parameter without default or to
    `AWS::AccountId`), a managed policy attached by ARN but not defined in the file, a bucket granted by the
    policy but defined elsewhere. The finding points at the value.

    ## Why it matters
    What cannot be read cannot be proven: the rules judge only what the file states, and an unresolved policy,
    bucket or CORS rule is never counted as correct. Knowing which values were left out tells the reviewer
    what the result does not cover (check them with `hubgate snapshot` after deploy).

    ## Fix
    Give the value literally (a parameter Default, a constant in Terraform), pass it to hubgate (account id,
    external ID, region options), or check the deployed account with `hubgate snapshot`.
    """

    fail_examples = (
        good_bundle(**{IAC_KEY: {"source": "cloudformation", "resource": "AngoHubRole", "unresolved": [
            {"pointer": "/permission_policy/Statement/0/Resource/0",
             "message": "!ImportValue cannot be resolved statically: it depends on another stack's export"}]}}),
    )
    pass_examples = (
        good_bundle(),
        good_bundle(**{IAC_KEY: {"source": "terraform", "resource": "aws_iam_role.hub", "unresolved": []}}),
    )

    def check(self, target: Target) -> Iterable[Finding]:
        b = target.bundle
        if b is None or not isinstance(b.data.get(IAC_KEY), dict):
            return
        seen = set()
        for entry in b.data[IAC_KEY].get("unresolved") or []:
            if not isinstance(entry, dict):
                continue
            ptr, msg = str(entry.get("pointer", b.doc.base)), str(entry.get("message", "value not resolvable"))
            if (ptr, msg) in seen:
                continue
            seen.add((ptr, msg))
            yield self.finding(b.doc, ptr, msg, fix=self.fix)
