# Security groups per role. Every port comes in from the kgen plan; every rule is one
# resource with a description, and peers are security groups or the blueprint's CIDRs.

locals {
  roles = var.with_mirrormaker ? ["controller", "broker", "mirrormaker"] : ["controller", "broker"]

  client_from_cidrs = {
    for pair in setproduct(var.client_listeners, var.client_cidrs) :
    "${pair[0].name}-${pair[1]}" => { listener = pair[0], cidr = pair[1] }
  }
  # A reader CIDR that is also a client CIDR already has its rule; AWS refuses duplicates.
  client_from_mirrormaker_cidrs = {
    for pair in setproduct(var.client_listeners, setsubtract(var.mirrormaker_reader_cidrs, var.client_cidrs)) :
    "${pair[0].name}-${pair[1]}" => { listener = pair[0], cidr = pair[1] }
  }
  client_to_source_cidrs = {
    for pair in setproduct(var.client_listeners, var.mirrormaker_source_cidrs) :
    "${pair[0].name}-${pair[1]}" => { listener = pair[0], cidr = pair[1] }
  }
  metrics_from = {
    for pair in setproduct(local.roles, var.monitoring_cidrs) :
    "${pair[0]}-${pair[1]}" => { role = pair[0], cidr = pair[1] }
  }
  # First and last exporter port per role: MirrorMaker hosts run one process per flow.
  metrics_ports = {
    controller  = [var.metrics_port, var.metrics_port]
    broker      = [var.metrics_port, var.metrics_port]
    mirrormaker = length(var.flow_metrics_ports) > 0 ? [min(var.flow_metrics_ports...), max(var.flow_metrics_ports...)] : [var.metrics_port, var.metrics_port]
  }
  https_to = {
    for pair in setproduct(local.roles, var.egress_https_cidrs) :
    "${pair[0]}-${pair[1]}" => { role = pair[0], cidr = pair[1] }
  }
  remote_quorum = {
    for pair in setproduct(["controller", "broker"], var.remote_site_cidrs) :
    "${pair[0]}-${pair[1]}" => { role = pair[0], cidr = pair[1] }
  }
  groups = merge(
    { controller = aws_security_group.controller.id, broker = aws_security_group.broker.id },
    var.with_mirrormaker ? { mirrormaker = aws_security_group.mirrormaker[0].id } : {},
  )
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

# Controller listener: controllers and brokers only.
resource "aws_vpc_security_group_ingress_rule" "controller_from_controllers" {
  security_group_id            = aws_security_group.controller.id
  referenced_security_group_id = aws_security_group.controller.id
  ip_protocol                  = "tcp"
  from_port                    = var.controller_listener.port
  to_port                      = var.controller_listener.port
  description                  = "${var.controller_listener.name} listener from controllers"
}

resource "aws_vpc_security_group_ingress_rule" "controller_from_brokers" {
  security_group_id            = aws_security_group.controller.id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = var.controller_listener.port
  to_port                      = var.controller_listener.port
  description                  = "${var.controller_listener.name} listener from brokers"
}

resource "aws_vpc_security_group_egress_rule" "controller_to_controllers" {
  security_group_id            = aws_security_group.controller.id
  referenced_security_group_id = aws_security_group.controller.id
  ip_protocol                  = "tcp"
  from_port                    = var.controller_listener.port
  to_port                      = var.controller_listener.port
  description                  = "${var.controller_listener.name} listener to controllers"
}

resource "aws_vpc_security_group_egress_rule" "broker_to_controllers" {
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.controller.id
  ip_protocol                  = "tcp"
  from_port                    = var.controller_listener.port
  to_port                      = var.controller_listener.port
  description                  = "${var.controller_listener.name} listener to controllers"
}

# Inter-broker listener: brokers only.
resource "aws_vpc_security_group_ingress_rule" "broker_from_brokers" {
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = var.broker_listener.port
  to_port                      = var.broker_listener.port
  description                  = "${var.broker_listener.name} listener from brokers"
}

resource "aws_vpc_security_group_egress_rule" "broker_to_brokers" {
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = var.broker_listener.port
  to_port                      = var.broker_listener.port
  description                  = "${var.broker_listener.name} listener to brokers"
}

# Sites of this cluster in other regions cannot be referenced by security group, so
# their VPC CIDRs stand in for the controller and broker groups there. A remote CIDR
# holds both roles, so the controller rule admits remote controllers and brokers.
resource "aws_vpc_security_group_ingress_rule" "quorum_from_remote_sites" {
  for_each          = local.remote_quorum
  security_group_id = local.groups[each.value.role]
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.role == "controller" ? var.controller_listener.port : var.broker_listener.port
  to_port           = each.value.role == "controller" ? var.controller_listener.port : var.broker_listener.port
  description       = "${each.value.role == "controller" ? var.controller_listener.name : var.broker_listener.name} listener from remote sites ${each.value.cidr}"
}

resource "aws_vpc_security_group_egress_rule" "quorum_to_remote_sites" {
  for_each          = local.remote_quorum
  security_group_id = local.groups[each.value.role]
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.role == "controller" ? var.controller_listener.port : var.broker_listener.port
  to_port           = each.value.role == "controller" ? var.controller_listener.port : var.broker_listener.port
  description       = "${each.value.role == "controller" ? var.controller_listener.name : var.broker_listener.name} listener to remote sites ${each.value.cidr}"
}

resource "aws_vpc_security_group_egress_rule" "broker_to_remote_controllers" {
  for_each          = toset(var.remote_site_cidrs)
  security_group_id = aws_security_group.broker.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.controller_listener.port
  to_port           = var.controller_listener.port
  description       = "${var.controller_listener.name} listener to remote-site controllers ${each.value}"
}

# Client listeners: the blueprint's client CIDRs, local MirrorMaker workers, and the
# MirrorMaker workers of clusters that replicate out of this one.
resource "aws_vpc_security_group_ingress_rule" "client_from_cidrs" {
  for_each          = local.client_from_cidrs
  security_group_id = aws_security_group.broker.id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.listener.port
  to_port           = each.value.listener.port
  description       = "${each.value.listener.name} listener from clients ${each.value.cidr}"
}

resource "aws_vpc_security_group_ingress_rule" "client_from_mirrormaker" {
  for_each                     = var.with_mirrormaker ? { for l in var.client_listeners : l.name => l } : {}
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.mirrormaker[0].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "${each.value.name} listener from local MirrorMaker workers"
}

resource "aws_vpc_security_group_ingress_rule" "client_from_remote_mirrormaker" {
  for_each          = local.client_from_mirrormaker_cidrs
  security_group_id = aws_security_group.broker.id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.listener.port
  to_port           = each.value.listener.port
  description       = "${each.value.listener.name} listener from remote MirrorMaker workers ${each.value.cidr}"
}

resource "aws_vpc_security_group_egress_rule" "mirrormaker_to_brokers" {
  for_each                     = var.with_mirrormaker ? { for l in var.client_listeners : l.name => l } : {}
  security_group_id            = aws_security_group.mirrormaker[0].id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "${each.value.name} listener of the local brokers"
}

resource "aws_vpc_security_group_egress_rule" "mirrormaker_to_sources" {
  for_each          = var.with_mirrormaker ? local.client_to_source_cidrs : {}
  security_group_id = aws_security_group.mirrormaker[0].id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.listener.port
  to_port           = each.value.listener.port
  description       = "${each.value.listener.name} listener of source cluster ${each.value.cidr}"
}

# Metrics: only the monitoring CIDRs.
resource "aws_vpc_security_group_ingress_rule" "metrics" {
  for_each          = local.metrics_from
  security_group_id = local.groups[each.value.role]
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = local.metrics_ports[each.value.role][0]
  to_port           = local.metrics_ports[each.value.role][1]
  description       = "Prometheus metrics from monitoring ${each.value.cidr}"
}

# HTTPS out for SSM, Secrets Manager, CloudWatch Logs and the Kafka release mirror.
# DNS and NTP go to the VPC resolver and Amazon Time Sync, which security groups do not filter.
resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.https_to
  security_group_id = local.groups[each.value.role]
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to AWS APIs and the Kafka release mirror ${each.value.cidr}"
}
