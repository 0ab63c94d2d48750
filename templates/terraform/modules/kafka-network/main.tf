# Security groups per role, and every rule they hold. The rules are data: each one is a
# row of the kgen plan's access matrix seen from this region (ingress on the row's target
# group, egress on its source group), passed in by the cluster root. Nothing in this
# module decides who may reach whom.

locals {
  groups = merge(
    { controller = aws_security_group.controller.id, broker = aws_security_group.broker.id },
    var.with_mirrormaker ? { mirrormaker = aws_security_group.mirrormaker[0].id } : {},
  )
  roles_by_group = { for role, id in local.groups : id => role }

  # One instance per rule and CIDR. Two rows can meet in one rule (a peer cluster's VPC
  # CIDR may also be a client CIDR); AWS refuses the duplicate, so the first one stays.
  instances = flatten([
    for rule in var.rules : rule.peer_group != null ? [merge(rule, { peer = rule.peer_group, cidr = null })] : [
      for cidr in rule.peer_cidrs : merge(rule, { peer = cidr, cidr = cidr })
    ]
  ])
  by_key  = { for r in local.instances : "${r.direction}:${r.group}:${r.peer}:${r.protocol}:${r.port}" => r... }
  ingress = { for key, rules in local.by_key : key => rules[0] if rules[0].direction == "ingress" }
  egress  = { for key, rules in local.by_key : key => rules[0] if rules[0].direction == "egress" }
}

resource "aws_security_group" "controller" {
  #checkov:skip=CKV2_AWS_5: attached to the instances of the kafka-nodes module through the security_group_ids output, which checkov does not follow across modules; the generated terraform test asserts every node runs in its role's group
  name        = "${var.name}-controller"
  description = "Kafka KRaft controllers of ${var.name}"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "broker" {
  #checkov:skip=CKV2_AWS_5: attached to the instances of the kafka-nodes module through the security_group_ids output, which checkov does not follow across modules; the generated terraform test asserts every node runs in its role's group
  name        = "${var.name}-broker"
  description = "Kafka brokers of ${var.name}"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "mirrormaker" {
  #checkov:skip=CKV2_AWS_5: attached to the instances of the kafka-nodes module through the security_group_ids output, which checkov does not follow across modules; the generated terraform test asserts every node runs in its role's group
  count       = var.with_mirrormaker ? 1 : 0
  name        = "${var.name}-mirrormaker"
  description = "MirrorMaker 2 workers replicating into ${var.name}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "rule" {
  for_each                     = local.ingress
  security_group_id            = local.groups[each.value.group]
  referenced_security_group_id = each.value.cidr == null ? local.groups[each.value.peer] : null
  cidr_ipv4                    = each.value.cidr
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
}

resource "aws_vpc_security_group_egress_rule" "rule" {
  for_each                     = local.egress
  security_group_id            = local.groups[each.value.group]
  referenced_security_group_id = each.value.cidr == null ? local.groups[each.value.peer] : null
  cidr_ipv4                    = each.value.cidr
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
}
