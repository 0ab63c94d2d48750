output "security_group_ids" {
  description = "Security group id per role."
  value       = local.groups
}

output "ingress_cidrs" {
  description = "Every CIDR any ingress rule admits, for tests and review."
  value = distinct(concat(
    [for r in aws_vpc_security_group_ingress_rule.quorum_from_remote_sites : r.cidr_ipv4],
    [for r in aws_vpc_security_group_ingress_rule.client_from_cidrs : r.cidr_ipv4],
    [for r in aws_vpc_security_group_ingress_rule.client_from_remote_mirrormaker : r.cidr_ipv4],
    [for r in aws_vpc_security_group_ingress_rule.metrics : r.cidr_ipv4],
  ))
}

output "cidr_ingress_rules" {
  description = "Every CIDR ingress rule as role:port:cidr (port or first-last); AWS refuses duplicates within a group."
  value = concat(
    [for k, r in aws_vpc_security_group_ingress_rule.quorum_from_remote_sites : "${local.remote_quorum[k].role}:${r.from_port}:${r.cidr_ipv4}"],
    [for r in aws_vpc_security_group_ingress_rule.client_from_cidrs : "broker:${r.from_port}:${r.cidr_ipv4}"],
    [for r in aws_vpc_security_group_ingress_rule.client_from_remote_mirrormaker : "broker:${r.from_port}:${r.cidr_ipv4}"],
    [for k, r in aws_vpc_security_group_ingress_rule.metrics : "${local.metrics_from[k].role}:${r.from_port}${r.to_port == r.from_port ? "" : "-${r.to_port}"}:${r.cidr_ipv4}"],
  )
}
