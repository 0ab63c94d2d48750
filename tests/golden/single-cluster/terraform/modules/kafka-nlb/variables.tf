variable "name" {
  description = "Load balancer name (at most 24 characters; target groups append a suffix)."
  type        = string

  validation {
    condition     = length(var.name) <= 24
    error_message = "name must be at most 24 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the brokers."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the load balancer spans."
  type        = list(string)
}

variable "client_listeners" {
  description = "Client listeners to pass through: name and port, from the kgen plan."
  type        = list(object({ name = string, port = number }))
}

variable "broker_instance_ids" {
  description = "Broker instances, node name => instance id."
  type        = map(string)
}

variable "client_cidrs" {
  description = "CIDRs that may reach the load balancer."
  type        = list(string)
}

variable "broker_security_group_id" {
  description = "Security group of the brokers behind the load balancer."
  type        = string
}
