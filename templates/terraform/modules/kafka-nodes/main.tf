# Controllers, brokers and MirrorMaker workers. Data lives on separate volumes so a
# node can be replaced (terraform apply -replace) without losing its log dirs.

locals {
  volumes = merge([
    for name, node in var.nodes : {
      for volume in node.volumes : "${name}:${volume.device}" => merge(volume, { node = name, zone = node.zone })
    }
  ]...)
}

resource "aws_instance" "node" {
  for_each = var.nodes

  ami                         = var.ami_id
  instance_type               = each.value.instance_type
  subnet_id                   = var.subnet_ids[each.value.site]
  vpc_security_group_ids      = [var.security_group_ids[each.value.role]]
  iam_instance_profile        = var.instance_profile_names[each.value.role]
  associate_public_ip_address = false
  monitoring                  = true
  ebs_optimized               = true
  disable_api_termination     = var.termination_protection

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted             = true
    kms_key_id            = var.kms_key_arn
    volume_type           = "gp3"
    volume_size           = var.root_volume_size_gib
    delete_on_termination = true
  }

  tags = {
    Name            = each.key
    "kgen:role"     = each.value.role
    "kgen:site"     = each.value.site
    "kgen:hostname" = each.value.hostname
    "kgen:node-id"  = each.value.node_id == null ? "none" : tostring(each.value.node_id)
  }

  lifecycle {
    # A new AMI must not replace a broker behind the operator's back: roll nodes
    # one at a time with -replace after Ansible has drained them.
    ignore_changes = [ami]
  }
}

resource "aws_ebs_volume" "data" {
  for_each = local.volumes

  availability_zone = each.value.zone
  size              = each.value.size_gib
  type              = each.value.type
  iops              = each.value.iops
  throughput        = each.value.type == "gp3" ? each.value.throughput_mibps : null
  encrypted         = true
  kms_key_id        = var.kms_key_arn

  tags = {
    Name         = "${each.value.node}:${each.value.mount}"
    "kgen:node"  = each.value.node
    "kgen:mount" = each.value.mount
  }
}

resource "aws_volume_attachment" "data" {
  for_each = local.volumes

  device_name = each.value.device
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.node[each.value.node].id
}

resource "aws_route53_record" "node" {
  for_each = var.nodes

  zone_id = var.zone_id
  name    = each.value.hostname
  type    = "A"
  ttl     = var.record_ttl
  records = [aws_instance.node[each.key].private_ip]
}
