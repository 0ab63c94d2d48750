variable "description" {
  description = "What the key protects; shown in the KMS console."
  type        = string
}

variable "alias" {
  description = "Key alias without the alias/ prefix."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias must be 1-250 of A-Z a-z 0-9 / _ - and must not start with aws/."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "manage_ebs_encryption_by_default" {
  description = "Turn on EBS encryption by default for the account in this region."
  type        = bool
  default     = true
}
