"""The Terraform format: an HCL module (``main.tf``, ``variables.tf``, ``outputs.tf``) with variables for the
buckets, the external ID (sensitive) and the profile's facts, and ``terraform.tfvars`` holding this
integration's values. The policy documents are ``aws_iam_policy_document`` data sources; CORS is set on the
existing buckets with ``aws_s3_bucket_cors_configuration`` (the buckets themselves are not managed)."""

from __future__ import annotations

import json

from .bundle import readme
from .facts import SID, Facts, cors_configuration


def q(value: str) -> str:
    """An HCL string literal (JSON's escapes; ``${`` and ``%{`` doubled so nothing is interpolated)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _list(values) -> str:
    return "[" + ", ".join(q(v) for v in values) + "]"


def _variable(name: str, type_: str, default: str | None, description: str | None = None) -> str:
    """A ``variable`` block (``description``: text for its quotes), ``=`` aligned as ``terraform fmt`` writes it."""
    attributes = {"description": description and f'"{description}"', "type": type_, "default": default}
    given = {k: v for k, v in attributes.items() if v is not None}
    width = max(map(len, given))
    return f'variable "{name}" {{\n' + "".join(f"  {k:<{width}} = {v}\n" for k, v in given.items()) + "}\n"


def variables_tf(facts: Facts) -> str:
    p = facts.profile
    rule = cors_configuration(facts)["CORSRules"][0]
    external_id = f'''variable "external_id" {{
  description = "The external ID of Hub's storage record; the trust policy demands it"
  type        = string
  sensitive   = true
  validation {{
    condition     = length(var.external_id) >= {p.external_id_min_length}
    error_message = "Use a random external ID of at least {p.external_id_min_length} characters (e.g. a UUID)."
  }}
}}
'''
    return "\n".join([
        _variable("buckets", "list(string)", None,
                  "The buckets Hub reads (each gets the bucket and object ARN in the policy, and CORS)"),
        external_id,
        _variable("region", "string", q(facts.region), "The region of the buckets and of Hub's storage record"),
        _variable("role_name", "string", q(facts.role_name), "Name of the IAM role Hub assumes"),
        _variable("hub_principal", "string", q(p.trusted_principal),
                  f"The principal Hub assumes the role as (vendor profile {p.name})"),
        _variable("read_actions", "list(string)", _list(p.required_actions), "The read-only actions Hub needs"),
        _variable("hub_origins", "list(string)", _list(rule["AllowedOrigins"]),
                  "The origins Hub's browser requests come from (CORS)"),
        _variable("cors_methods", "list(string)", _list(rule["AllowedMethods"])),
        _variable("cors_headers", "list(string)", _list(rule["AllowedHeaders"])),
    ])


def main_tf(facts: Facts) -> str:
    p = facts.profile
    rule = cors_configuration(facts)["CORSRules"][0]
    return f'''# {facts.name}: Hub storage integration (read-only, IAM delegation), written by hubgate generate.
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }}
  }}
}}

provider "aws" {{
  region = var.region
}}

data "aws_iam_policy_document" "trust" {{
  version = {q(p.policy_version)}
  statement {{
    effect  = "Allow"
    actions = [{q(p.trust_action)}]
    principals {{
      type        = "AWS"
      identifiers = [var.hub_principal]
    }}
    condition {{
      test     = "StringEquals"
      variable = {q(p.external_id_key)}
      values   = [var.external_id]
    }}
  }}
}}

data "aws_iam_policy_document" "read" {{
  version = {q(p.policy_version)}
  statement {{
    sid       = {q(SID)}
    effect    = "Allow"
    actions   = var.read_actions
    resources = flatten([for b in var.buckets : ["arn:aws:s3:::${{b}}/*", "arn:aws:s3:::${{b}}"]])
  }}
}}

resource "aws_iam_role" "hub" {{
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}}

resource "aws_iam_policy" "read" {{
  name   = "${{var.role_name}}-read"
  policy = data.aws_iam_policy_document.read.json
}}

resource "aws_iam_role_policy_attachment" "read" {{
  role       = aws_iam_role.hub.name
  policy_arn = aws_iam_policy.read.arn
}}

resource "aws_s3_bucket_cors_configuration" "hub" {{
  for_each = toset(var.buckets)
  bucket   = each.value
  cors_rule {{
    allowed_headers = var.cors_headers
    allowed_methods = var.cors_methods
    allowed_origins = var.hub_origins
    max_age_seconds = {int(rule["MaxAgeSeconds"])}
  }}
}}
'''


OUTPUTS_TF = '''output "role_arn" {
  description = "The role ARN for Hub's storage record"
  value       = aws_iam_role.hub.arn
}

output "region" {
  value = var.region
}
'''


def tfvars(facts: Facts) -> str:
    return (f"buckets     = {_list(facts.buckets)}\n"
            f"external_id = {q(facts.external_id)}\n"
            f"region      = {q(facts.region)}\n"
            f"role_name   = {q(facts.role_name)}\n")


def render(facts: Facts, out: str = "DIR") -> dict[str, str]:
    body = (
        "`terraform init && terraform apply` (the values are in `terraform.tfvars`; keep it out of version "
        "control, it holds the external ID). Then add the storage in Hub with the `role_arn` output, the external "
        "ID and the region. `terraform show -json` of the plan checks with `hubgate check`.\n"
    )
    return {
        "main.tf": main_tf(facts),
        "variables.tf": variables_tf(facts),
        "outputs.tf": OUTPUTS_TF,
        "terraform.tfvars": tfvars(facts),
        "README.md": readme(facts, "terraform", out, body),
    }
