# Empty secrets: operators (or a rotation job) put the values in, so no password ever
# reaches Terraform state or version control. Nodes read them through their role.

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57: kgen creates these secrets empty and never holds the values; rotating a SCRAM or keystore password means changing it in Kafka and on every node in step, which a Secrets Manager rotation function does not do
  for_each = var.secrets

  name                    = "${var.name_prefix}/${each.key}"
  description             = each.value
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
}
