output "arns" {
  description = "Secret ARN per secret name."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "kms_key_ids" {
  description = "Encryption key per secret name, for tests and review."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.kms_key_id }
}
