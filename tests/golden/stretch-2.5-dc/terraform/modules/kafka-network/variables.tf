variable "name" {
  description = "Prefix of the security group names."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC the nodes run in."
  type        = string
}

variable "controller_listener" {
  description = "The KRaft controller listener: name and port, from the kgen plan."
  type        = object({ name = string, port = number })
}

variable "broker_listener" {
  description = "The inter-broker listener: name and port, from the kgen plan."
  type        = object({ name = string, port = number })
}

variable "client_listeners" {
  description = "Listeners clients, the admin and MirrorMaker use: name and port, from the kgen plan."
  type        = list(object({ name = string, port = number }))
}

variable "metrics_port" {
  description = "Port of the Prometheus exporter on every node."
  type        = number
}

variable "flow_metrics_ports" {
  description = "Exporter ports on the MirrorMaker hosts, one per flow into this cluster, consecutive from metrics_port."
  type        = list(number)
}

variable "client_cidrs" {
  description = "CIDRs that may reach the client listeners."
  type        = list(string)
}

variable "monitoring_cidrs" {
  description = "CIDRs that may scrape the metrics port."
  type        = list(string)
}

variable "remote_site_cidrs" {
  description = "VPC CIDRs of this cluster's sites in other regions (stretch across regions)."
  type        = list(string)
  default     = []
}

variable "mirrormaker_reader_cidrs" {
  description = "VPC CIDRs of MirrorMaker workers that replicate out of this cluster."
  type        = list(string)
  default     = []
}

variable "mirrormaker_source_cidrs" {
  description = "VPC CIDRs of the clusters this cluster's MirrorMaker workers replicate from."
  type        = list(string)
  default     = []
}

variable "with_mirrormaker" {
  description = "Create the MirrorMaker security group (this cluster is a replication target)."
  type        = bool
  default     = false
}

variable "egress_https_cidrs" {
  description = "CIDRs nodes reach on 443: SSM, Secrets Manager, CloudWatch and the Kafka mirror."
  type        = list(string)
}
