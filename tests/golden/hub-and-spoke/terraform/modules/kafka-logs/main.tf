resource "aws_cloudwatch_log_group" "kafka" {
  name              = var.name
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_arn
}
