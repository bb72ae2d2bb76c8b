"""Integrations where they are defined: Terraform plans (``terraform show -json``) and CloudFormation templates.

Both are read into the same intermediate form (:class:`hubgate.iac.assemble.RoleSpec`: one IAM role that
Hub assumes, its trust and permission policies, the buckets those policies reach and their CORS), which
:func:`hubgate.iac.assemble.assemble` turns into an ordinary :class:`hubgate.bundle.Bundle`. Every rule
then runs unchanged; findings point into the plan/template file (pointer and line of the resource).

Options (function arguments, or the environment when a caller such as ``hubgate check`` passes none):

``roles``        ``HUBGATE_IAC_ROLE``         comma-separated role names or addresses/logical ids to check
                                              (default: every role the vendor could assume, see
                                              ``assemble.vendor_could_assume``)
``account_id``   ``HUBGATE_IAC_ACCOUNT_ID``   account of the role when the source cannot know it
``external_id``  ``HUBGATE_IAC_EXTERNAL_ID``  the external ID as Hub's storage record has it
``region``       ``HUBGATE_IAC_REGION``       the record's region when the source cannot know it
"""

from __future__ import annotations

from .options import IacOptions


def is_terraform_plan(data) -> bool:
    from .terraform import is_plan  # the reader only when asked: keeps importing the package light

    return is_plan(data)


def is_cloudformation_template(data) -> bool:
    from .cloudformation import is_template  # the reader only when asked: keeps importing the package light

    return is_template(data)


__all__ = ["IacOptions", "is_terraform_plan", "is_cloudformation_template"]
