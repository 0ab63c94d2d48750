output "nodes" {
  description = "Every node: instance id, private address, placement and hardening facts."
  value = {
    for name, node in var.nodes : name => {
      id                          = aws_instance.node[name].id
      private_ip                  = aws_instance.node[name].private_ip
      hostname                    = node.hostname
      role                        = node.role
      site                        = node.site
      zone                        = node.zone
      subnet_id                   = aws_instance.node[name].subnet_id
      associate_public_ip_address = aws_instance.node[name].associate_public_ip_address
      http_tokens                 = aws_instance.node[name].metadata_options[0].http_tokens
      hop_limit                   = aws_instance.node[name].metadata_options[0].http_put_response_hop_limit
      root_encrypted              = aws_instance.node[name].root_block_device[0].encrypted
      root_kms_key_id             = aws_instance.node[name].root_block_device[0].kms_key_id
      security_group_ids          = aws_instance.node[name].vpc_security_group_ids
      instance_profile            = aws_instance.node[name].iam_instance_profile
    }
  }
}

output "volumes" {
  description = "Every data volume with its node and encryption key."
  value = {
    for key, volume in local.volumes : key => {
      node       = volume.node
      encrypted  = aws_ebs_volume.data[key].encrypted
      kms_key_id = aws_ebs_volume.data[key].kms_key_id
    }
  }
}

output "dns_names" {
  description = "Every node record name."
  value       = sort([for record in aws_route53_record.node : record.fqdn])
}
