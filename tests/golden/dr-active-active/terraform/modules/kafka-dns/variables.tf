variable "zone_name" {
  description = "Private zone that names every node."
  type        = string
}

variable "zone_id" {
  description = "Existing private zone to add records to; null creates the zone."
  type        = string
  default     = null
}

variable "vpcs" {
  description = "VPCs that resolve the zone: region => VPC id."
  type        = map(string)
}
