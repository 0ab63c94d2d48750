variable "nodes" {
  description = "Nodes of this region, keyed by node name, as the kgen plan lists them."
  type = map(object({
    role          = string
    site          = string
    zone          = string
    node_id       = number
    hostname      = string
    instance_type = string
    volumes = list(object({
      device           = string
      mount            = string
      size_gib         = number
      type             = string
      iops             = number
      throughput_mibps = number
    }))
  }))
}

variable "ami_id" {
  description = "AMI every node boots from in this region."
  type        = string
}

variable "subnet_ids" {
  description = "Existing private subnet per site name."
  type        = map(string)
}

variable "security_group_ids" {
  description = "Security group id per role."
  type        = map(string)
}

variable "instance_profile_names" {
  description = "Instance profile per node role: SSM management and that role's secrets."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for root and data volumes."
  type        = string
}

variable "root_volume_size_gib" {
  description = "Size of each node's encrypted root volume."
  type        = number
}

variable "termination_protection" {
  description = "Refuse API termination of nodes."
  type        = bool
}

variable "zone_id" {
  description = "Private Route 53 zone that gets one A record per node."
  type        = string
}

variable "record_ttl" {
  description = "TTL of node records in seconds."
  type        = number
  default     = 300
}
