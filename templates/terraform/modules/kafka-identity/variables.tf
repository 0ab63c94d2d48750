variable "name" {
  description = "Prefix of the role and instance profile names; each role appends its node role."
  type        = string
}

variable "roles" {
  description = "Node role (controller, broker, mirrormaker) => the secrets its nodes may read, secret name => ARN."
  type        = map(object({ secrets = map(string) }))

  validation {
    condition     = alltrue([for role in values(var.roles) : length(role.secrets) > 0])
    error_message = "Every node role reads at least the TLS store passwords."
  }
}

variable "secrets_kms_key_arn" {
  description = "Customer-managed key of the secrets; nodes may decrypt with it only through Secrets Manager in this region."
  type        = string
}

variable "log_group_arn" {
  description = "Log group the nodes ship broker logs to."
  type        = string
}
