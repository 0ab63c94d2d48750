# A private VPC for one cluster in one region, created only when the blueprint sets
# network.createVpc. One private subnet per site, carved from the VPC CIDR. There is no
# internet gateway, no NAT and no public subnet: nodes reach SSM, Secrets Manager and
# CloudWatch Logs through interface endpoints, and other networks through the routes
# (peering, transit gateway) the operator adds to the private route table.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  # Interface endpoints take one subnet per availability zone: the first site's of each.
  sites_by_zone    = { for site, subnet in var.subnets : subnet.zone => site... }
  endpoint_subnets = [for zone, sites in local.sites_by_zone : aws_subnet.site[sites[0]].id]
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = var.name
  }
}

resource "aws_subnet" "site" {
  for_each = var.subnets

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.value.zone
  cidr_block              = cidrsubnet(var.cidr, var.subnet_newbits, each.value.netnum)
  map_public_ip_on_launch = false

  tags = {
    Name        = "${var.name}-${each.key}"
    "kgen:site" = each.key
  }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-private"
  }
}

resource "aws_route_table_association" "site" {
  for_each = var.subnets

  subnet_id      = aws_subnet.site[each.key].id
  route_table_id = aws_route_table.private.id
}

# No rules: anything that lands in the default group by accident can talk to nothing.
# The empty lists (not just absent blocks) make Terraform remove rules added later.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = []
  egress  = []
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "AWS API interface endpoints of ${var.name}"
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_vpc" {
  security_group_id = aws_security_group.endpoints.id
  cidr_ipv4         = var.cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to the AWS API endpoints from the cluster VPC ${var.cidr}"
}

resource "aws_vpc_endpoint" "interface" {
  for_each = toset(var.endpoint_services)

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.endpoint_subnets
  security_group_ids  = [aws_security_group.endpoints.id]

  tags = {
    Name = "${var.name}-${each.key}"
  }
}

# ---- flow logs: every accepted and rejected flow, to a KMS-encrypted log group ----

resource "aws_cloudwatch_log_group" "flow" {
  name              = var.flow_log_group_name
  retention_in_days = var.flow_log_retention_in_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_iam_role" "flow" {
  name        = var.flow_log_role_name
  description = "VPC flow logs of ${var.name} to CloudWatch Logs"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        ArnLike = {
          "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:vpc-flow-log/*"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "flow" {
  name = "vpc-flow-logs"
  role = aws_iam_role.flow.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteFlowLogsToOneGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [aws_cloudwatch_log_group.flow.arn, "${aws_cloudwatch_log_group.flow.arn}:*"]
      },
      {
        # DescribeLogGroups lists groups and cannot be scoped to one group.
        Sid      = "FindTheGroup"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogGroups"]
        Resource = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"]
      },
    ]
  })
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow.arn
  iam_role_arn             = aws_iam_role.flow.arn
  max_aggregation_interval = 60
}
