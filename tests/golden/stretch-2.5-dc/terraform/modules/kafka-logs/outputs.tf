output "arn" {
  description = "ARN of the broker log group."
  value       = aws_cloudwatch_log_group.kafka.arn
}

output "name" {
  description = "Name of the broker log group."
  value       = aws_cloudwatch_log_group.kafka.name
}
