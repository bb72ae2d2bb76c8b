variable "buckets" {
  description = "The buckets Hub reads (each gets the bucket and object ARN in the policy, and CORS)"
  type        = list(string)
}

variable "external_id" {
  description = "The external ID of Hub's storage record; the trust policy demands it"
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.external_id) >= 16
    error_message = "Use a random external ID of at least 16 characters (e.g. a UUID)."
  }
}

variable "region" {
  description = "The region of the buckets and of Hub's storage record"
  type        = string
  default     = "eu-central-1"
}

variable "role_name" {
  description = "Name of the IAM role Hub assumes"
  type        = string
  default     = "HubStorageReadOnly"
}

variable "hub_principal" {
  description = "The principal Hub assumes the role as (vendor profile ango-hub)"
  type        = string
  default     = "arn:aws:iam::397578311638:user/angohub-delegate"
}

variable "read_actions" {
  description = "The read-only actions Hub needs"
  type        = list(string)
  default     = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"]
}

variable "hub_origins" {
  description = "The origins Hub's browser requests come from (CORS)"
  type        = list(string)
  default     = ["https://hub.ango.ai", "https://api.ango.ai"]
}

variable "cors_methods" {
  type    = list(string)
  default = ["GET"]
}

variable "cors_headers" {
  type    = list(string)
  default = ["*"]
}
