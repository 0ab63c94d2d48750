output "key_arn" {
  description = "ARN of the customer-managed key."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the customer-managed key."
  value       = aws_kms_key.this.key_id
}

output "rotation_enabled" {
  description = "Whether yearly key rotation is on."
  value       = aws_kms_key.this.enable_key_rotation
}
