variable "name" {
  description = "Prefix of the security group names."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC the nodes run in."
  type        = string
}

variable "with_mirrormaker" {
  description = "Create the MirrorMaker security group (this cluster is a replication target)."
  type        = bool
  default     = false
}

variable "rules" {
  description = "Every rule of these groups, from the kgen plan's access matrix: the group (a role) that holds it, ingress or egress, the peer as another role's group here or as CIDRs, protocol, port and why."
  type = list(object({
    direction   = string
    group       = string
    peer_group  = string
    peer_cidrs  = list(string)
    protocol    = string
    port        = number
    description = string
  }))

  validation {
    condition     = alltrue([for r in var.rules : contains(["ingress", "egress"], r.direction) && (r.peer_group == null || length(r.peer_cidrs) == 0)])
    error_message = "Each rule is ingress or egress, with a peer group or peer CIDRs, not both."
  }
}
