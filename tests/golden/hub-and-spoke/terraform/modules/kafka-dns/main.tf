# Node names are what Ansible connects to and what certificates carry as SANs, so
# they live in one private zone that every cluster of the blueprint resolves. The
# kafka-nodes module writes one record per node into it.

locals {
  zone_id = var.zone_id == null ? aws_route53_zone.this[0].zone_id : var.zone_id
}

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38: private hosted zone; Route 53 supports DNSSEC signing only for public zones
  #checkov:skip=CKV2_AWS_39: private hosted zone; aws_route53_query_log supports public zones only, private-zone queries are logged by Resolver query logging on the VPC, which the network owner runs
  count   = var.zone_id == null ? 1 : 0
  name    = var.zone_name
  comment = "Kafka node names (kgen)"

  dynamic "vpc" {
    for_each = var.vpcs
    content {
      vpc_id     = vpc.value
      vpc_region = vpc.key
    }
  }

  lifecycle {
    # Other clusters of the blueprint associate their VPCs with this zone.
    ignore_changes = [vpc]
  }
}

resource "aws_route53_zone_association" "this" {
  for_each   = var.zone_id == null ? {} : var.vpcs
  zone_id    = var.zone_id
  vpc_id     = each.value
  vpc_region = each.key
}
