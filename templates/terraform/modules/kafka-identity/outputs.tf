output "instance_profile_names" {
  description = "Instance profile per node role."
  value       = { for role, profile in aws_iam_instance_profile.node : role => profile.name }
}

output "role_arns" {
  description = "IAM role per node role."
  value       = { for role, node in aws_iam_role.node : role => node.arn }
}

output "readable_secrets" {
  description = "Names of the secrets each node role may read, for tests and review."
  value       = { for role, grant in var.roles : role => sort(keys(grant.secrets)) }
}
