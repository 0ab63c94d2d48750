# An internal NLB for clients in peered networks. Listeners are TCP passthrough so TLS
# (and mTLS) ends at the brokers, which keeps client identity end to end.

locals {
  listeners = { for l in var.client_listeners : l.name => l }
  targets = {
    for pair in setproduct(var.client_listeners, keys(var.broker_instance_ids)) :
    "${pair[0].name}-${pair[1]}" => { listener = pair[0].name, port = pair[0].port, node = pair[1] }
  }
  client_from_cidrs = {
    for pair in setproduct(var.client_listeners, var.client_cidrs) :
    "${pair[0].name}-${pair[1]}" => { listener = pair[0], cidr = pair[1] }
  }
}

# The NLB's own group: clients in, brokers out. Brokers admit it for health checks and
# for traffic; with client IP preservation they also see the client CIDRs directly.
resource "aws_security_group" "nlb" {
  name        = "${var.name}-nlb"
  description = "Client load balancer of ${var.name}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "nlb_from_clients" {
  for_each          = local.client_from_cidrs
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.listener.port
  to_port           = each.value.listener.port
  description       = "${each.value.listener.name} listener from clients ${each.value.cidr}"
}

resource "aws_vpc_security_group_egress_rule" "nlb_to_brokers" {
  for_each                     = local.listeners
  security_group_id            = aws_security_group.nlb.id
  referenced_security_group_id = var.broker_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "${each.key} listener of the brokers"
}

resource "aws_vpc_security_group_ingress_rule" "brokers_from_nlb" {
  for_each                     = local.listeners
  security_group_id            = var.broker_security_group_id
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "${each.key} listener from the client load balancer"
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91: NLB access logs are written only for TLS listeners; these are TCP passthrough so TLS reaches the brokers
  name                             = var.name
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.subnet_ids
  security_groups                  = [aws_security_group.nlb.id]
  enable_deletion_protection       = true
  enable_cross_zone_load_balancing = true
}

resource "aws_lb_target_group" "client" {
  for_each = local.listeners

  name        = "${var.name}-${substr(lower(each.key), 0, 7)}"
  port        = each.value.port
  protocol    = "TCP"
  vpc_id      = var.vpc_id
  target_type = "instance"

  health_check {
    protocol = "TCP"
    port     = "traffic-port"
  }
}

resource "aws_lb_listener" "client" {
  for_each = local.listeners

  load_balancer_arn = aws_lb.this.arn
  port              = each.value.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.client[each.key].arn
  }
}

resource "aws_lb_target_group_attachment" "broker" {
  for_each = local.targets

  target_group_arn = aws_lb_target_group.client[each.value.listener].arn
  target_id        = var.broker_instance_ids[each.value.node]
  port             = each.value.port
}
