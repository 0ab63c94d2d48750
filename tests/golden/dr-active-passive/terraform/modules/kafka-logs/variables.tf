variable "name" {
  description = "Log group name."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key that encrypts the log group."
  type        = string
}

variable "retention_in_days" {
  description = "Days CloudWatch keeps broker logs."
  type        = number
}
