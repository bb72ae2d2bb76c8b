# acme-generated: Hub storage integration (read-only, IAM delegation), written by hubgate generate.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

data "aws_iam_policy_document" "trust" {
  version = "2012-10-17"
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.hub_principal]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

data "aws_iam_policy_document" "read" {
  version = "2012-10-17"
  statement {
    sid       = "HubReadOnly"
    effect    = "Allow"
    actions   = var.read_actions
    resources = flatten([for b in var.buckets : ["arn:aws:s3:::${b}/*", "arn:aws:s3:::${b}"]])
  }
}

resource "aws_iam_role" "hub" {
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_policy" "read" {
  name   = "${var.role_name}-read"
  policy = data.aws_iam_policy_document.read.json
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = aws_iam_role.hub.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_s3_bucket_cors_configuration" "hub" {
  for_each = toset(var.buckets)
  bucket   = each.value
  cors_rule {
    allowed_headers = var.cors_headers
    allowed_methods = var.cors_methods
    allowed_origins = var.hub_origins
    max_age_seconds = 3000
  }
}
