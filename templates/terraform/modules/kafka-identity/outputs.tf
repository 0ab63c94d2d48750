output "instance_profile_name" {
  description = "Instance profile of every node."
  value       = aws_iam_instance_profile.node.name
}

output "role_arn" {
  description = "Role every node runs as."
  value       = aws_iam_role.node.arn
}
