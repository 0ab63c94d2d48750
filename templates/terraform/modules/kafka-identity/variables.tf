variable "name" {
  description = "Prefix of the role and instance profile names."
  type        = string
}

variable "secret_arns" {
  description = "Secrets the nodes may read."
  type        = list(string)
}

variable "kms_key_arns" {
  description = "Customer-managed keys the nodes may decrypt with (secrets)."
  type        = list(string)
}

variable "log_group_arn" {
  description = "Log group the nodes ship broker logs to."
  type        = string
}
