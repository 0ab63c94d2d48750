variable "name_prefix" {
  description = "Path prefix of every secret name."
  type        = string
}

variable "secrets" {
  description = "Secrets to create, name (below the prefix) => description. kgen never sets a value."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key that encrypts the secrets."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30
    error_message = "recovery_window_in_days must be between 7 and 30."
  }
}
