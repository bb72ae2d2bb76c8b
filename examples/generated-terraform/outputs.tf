output "role_arn" {
  description = "The role ARN for Hub's storage record"
  value       = aws_iam_role.hub.arn
}

output "region" {
  value = var.region
}
