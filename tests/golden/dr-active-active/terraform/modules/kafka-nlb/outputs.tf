output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "ingress_cidrs" {
  description = "Every CIDR the load balancer admits, for tests and review."
  value       = distinct([for r in aws_vpc_security_group_ingress_rule.nlb_from_clients : r.cidr_ipv4])
}

output "settings" {
  description = "Hardening facts of the load balancer, for tests and review."
  value = {
    internal            = aws_lb.this.internal
    deletion_protection = aws_lb.this.enable_deletion_protection
    cross_zone          = aws_lb.this.enable_cross_zone_load_balancing
    listener_protocols  = distinct([for listener in aws_lb_listener.client : listener.protocol])
  }
}
