output "security_group_ids" {
  description = "Security group id per role."
  value       = local.groups
}

output "ingress_cidrs" {
  description = "Every CIDR any ingress rule admits, for tests and review."
  value       = distinct([for r in aws_vpc_security_group_ingress_rule.rule : r.cidr_ipv4 if r.cidr_ipv4 != null])
}

output "rules" {
  description = "Every rule the groups hold, read back from the rule resources: direction:group:peer:protocol:from-to, the peer a role (its group) or a CIDR."
  value = concat(
    [for r in aws_vpc_security_group_ingress_rule.rule : format("ingress:%s:%s:%s:%d-%d", local.roles_by_group[r.security_group_id], r.cidr_ipv4 != null ? r.cidr_ipv4 : local.roles_by_group[r.referenced_security_group_id], r.ip_protocol, r.from_port, r.to_port)],
    [for r in aws_vpc_security_group_egress_rule.rule : format("egress:%s:%s:%s:%d-%d", local.roles_by_group[r.security_group_id], r.cidr_ipv4 != null ? r.cidr_ipv4 : local.roles_by_group[r.referenced_security_group_id], r.ip_protocol, r.from_port, r.to_port)],
  )
}
