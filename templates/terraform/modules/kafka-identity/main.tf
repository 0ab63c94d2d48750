# One role per node role (controller, broker, MirrorMaker): SSM Session Manager instead
# of SSH, read access to the secrets that role needs and no others, decryption with the
# cluster key only through Secrets Manager, and write access to the broker log group.

data "aws_partition" "current" {}

data "aws_region" "current" {}

resource "aws_iam_role" "node" {
  for_each = var.roles

  name        = "${var.name}-${each.key}"
  description = "Kafka ${each.key} nodes of ${var.name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  for_each = var.roles

  role       = aws_iam_role.node[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy" "node" {
  for_each = var.roles

  name = "kafka-${each.key}"
  role = aws_iam_role.node[each.key].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadOwnSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = values(each.value.secrets)
      },
      {
        Sid      = "DecryptSecretsThroughSecretsManager"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.secrets_kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "secretsmanager.${data.aws_region.current.name}.amazonaws.com" }
        }
      },
      {
        Sid      = "ShipBrokerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = ["${var.log_group_arn}:*"]
      },
    ]
  })
}

resource "aws_iam_instance_profile" "node" {
  for_each = var.roles

  name = "${var.name}-${each.key}"
  role = aws_iam_role.node[each.key].name
}
