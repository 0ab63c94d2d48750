output "zone_id" {
  description = "Id of the private zone."
  value       = local.zone_id
}
