output "vpc_id" {
  description = "Id of the created VPC."
  value       = aws_vpc.this.id
}

output "cidr" {
  description = "CIDR of the created VPC."
  value       = aws_vpc.this.cidr_block
}

output "subnet_ids" {
  description = "Private subnet id per site."
  value       = { for site, subnet in aws_subnet.site : site => subnet.id }
}

output "route_table_id" {
  description = "Private route table of every site subnet; add peering or transit gateway routes to it."
  value       = aws_route_table.private.id
}

output "settings" {
  description = "Hardening facts of the VPC, for tests and review."
  value = {
    cidr = aws_vpc.this.cidr_block
    subnets = { for site, subnet in aws_subnet.site : site => {
      cidr                    = subnet.cidr_block
      zone                    = subnet.availability_zone
      map_public_ip_on_launch = subnet.map_public_ip_on_launch
    } }
    default_sg_ingress_rules = length(aws_default_security_group.this.ingress)
    default_sg_egress_rules  = length(aws_default_security_group.this.egress)
    flow_log_traffic_type    = aws_flow_log.this.traffic_type
    flow_log_destination     = aws_flow_log.this.log_destination
    flow_log_group_arn       = aws_cloudwatch_log_group.flow.arn
    flow_log_kms_key_id      = aws_cloudwatch_log_group.flow.kms_key_id
  }
}
