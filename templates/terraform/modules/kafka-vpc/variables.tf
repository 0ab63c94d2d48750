variable "name" {
  description = "Name prefix of the VPC and everything in it."
  type        = string
}

variable "cidr" {
  description = "CIDR of the VPC; every site subnet is carved from it."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && var.cidr != "0.0.0.0/0"
    error_message = "cidr must be a CIDR and must not be 0.0.0.0/0."
  }
}

variable "subnets" {
  description = "One private subnet per site: site => availability zone and the subnet's number within the VPC CIDR."
  type        = map(object({ zone = string, netnum = number }))

  validation {
    condition     = length(var.subnets) > 0 && length(distinct([for s in values(var.subnets) : s.netnum])) == length(var.subnets)
    error_message = "subnets needs at least one site, and each site its own netnum."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each site subnet (cidrsubnet newbits)."
  type        = number
}

variable "endpoint_services" {
  description = "AWS services the nodes reach through interface endpoints, since the VPC has no route to the internet."
  type        = list(string)
  default     = ["ssm", "ssmmessages", "ec2messages", "secretsmanager", "logs"]
}

variable "kms_key_arn" {
  description = "Customer-managed key that encrypts the flow log group."
  type        = string
}

variable "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  type        = string
}

variable "flow_log_role_name" {
  description = "IAM role name for the flow log service (IAM names are account-wide, so it includes the region)."
  type        = string
}

variable "flow_log_retention_in_days" {
  description = "Days CloudWatch keeps the flow logs."
  type        = number
}
