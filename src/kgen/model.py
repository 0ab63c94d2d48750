"""The blueprint language as frozen pydantic models (structure and types only).

Rules that span fields (quorum, ISR, flows, config keys) live in `rules.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.alias_generators import to_camel

API_VERSION = "kgen.dev/v1alpha1"
KIND = "KafkaBlueprint"

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DnsLabel = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=40, strict=True)]
Cidr = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$", strict=True)]
ConfigValue = bool | int | float | str | list[bool | int | float | str]
_AWS_REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
_AWS_ZONE = r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$"


class Spec(BaseModel):
    """Base for every blueprint model: camelCase names, unknown fields refused."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True,
        strict=True,
    )


Pattern = Literal["single", "stretch", "hub-and-spoke", "dr"]


class Metadata(Spec):
    """Who the blueprint is: its name and free labels."""

    name: DnsLabel = Field(description="Blueprint name; reaches resource names, so DNS-1123.")
    labels: dict[str, str] = Field(default_factory=dict, description="Free labels, copied to tags.")

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, item in value.items():
            if not re.fullmatch(r"[A-Za-z0-9][-A-Za-z0-9_.]{0,62}", key):
                raise ValueError(f"label key {key!r} must be 1-63 of A-Z a-z 0-9 - _ .")
            if not re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?", item):
                raise ValueError(f"label value {item!r} must be a Kubernetes label value: at most 63 of "
                                 "A-Z a-z 0-9 - _ ., starting and ending with a letter or digit")
        return value


class Kafka(Spec):
    """Which Apache Kafka release to run."""

    version: str = Field(description='Apache Kafka release, "3.7.0" to "4.3.x"; quote it.',
                         pattern=r"^\d+\.\d+(\.\d+)?$")
    mirror_url: str = Field(
        default="https://archive.apache.org/dist/kafka",
        pattern=r"^https://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?$",
        description="HTTPS base URL of the Apache Kafka release archive.",
        examples=["https://mirror.example.com/apache/kafka"])
    archive_checksum: str | None = Field(
        default=None, pattern=r"^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$",
        description="Checksum of kafka_2.13-<version>.tgz: sha512: and the SHA-512 of the release's "
                    "signed .sha512 file in lowercase hex. The Ansible roles refuse to install Kafka "
                    "without it.",
        examples=["sha512:" + "0" * 128])
    image_digest: str | None = Field(
        default=None, pattern=r"^sha256:[a-f0-9]{64}$",
        description="Pins the apache/kafka container image by digest (Helm).",
        examples=["sha256:" + "0" * 64])

    @property
    def minor(self) -> str:
        """The release line, e.g. "4.1"."""
        return ".".join(self.version.split(".")[:2])


Target = Literal["terraform", "ansible", "helm"]


class Storage(Spec):
    """Data volumes of a node; `volumes` > 1 means JBOD."""

    size_gib: int = Field(default=100, alias="sizeGiB", ge=8, le=16384, description="Size of each volume in GiB.")
    type: Literal["gp3", "io2"] = Field(default="gp3", description="EBS volume type.", examples=["gp3"])
    iops: int = Field(default=3000, ge=3000, le=64000, description="Provisioned IOPS per volume.", examples=[6000])
    throughput_mibps: int = Field(default=125, alias="throughputMiBps", ge=125, le=1000,
                                  description="gp3 throughput per volume in MiB/s.", examples=[500])
    volumes: int = Field(default=1, ge=1, le=8, description="Number of data volumes (JBOD).", examples=[2])


class NodeGroup(Spec):
    """A role's nodes: how many, on which instance type, with which storage."""

    count: int = Field(ge=0, le=300, description="Number of nodes.")
    instance_type: str = Field(default="m7i.large", pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$",
                               description="EC2 instance type.")
    storage: Storage = Field(default_factory=Storage, description="Data volumes.")


class Site(Spec):
    """An availability zone or data centre; becomes `broker.rack`."""

    name: DnsLabel = Field(description="Site name, used as broker.rack.")
    zone: str = Field(pattern=_AWS_ZONE, description="AWS availability zone, or Kubernetes zone label.")
    region: str | None = Field(default=None, pattern=_AWS_REGION,
                               description="Region of this site when it differs from the cluster's.",
                               examples=["eu-west-2"])
    brokers: bool = Field(default=True, description="false: a tie-breaker site that holds only a controller.")
    controllers: int | None = Field(default=None, ge=0, le=5,
                                    description="Controllers placed here; default spreads them round-robin.",
                                    examples=[1])


class Kubernetes(Spec):
    """Where the Helm target places this cluster."""

    namespace: DnsLabel | None = Field(default=None, description="Namespace; default kafka-<cluster>.")
    storage_class: DnsLabel | None = Field(default=None, description="StorageClass of data volumes.")
    cluster_domain: str = Field(default="cluster.local", pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
                                description="Cluster DNS domain.", examples=["cluster.local"])


class Network(Spec):
    """AWS network placement: an existing VPC by default."""

    create_vpc: bool = Field(default=False, description="Create a VPC instead of using an existing one.",
                            examples=[True])
    vpc_cidr: Cidr | None = Field(default=None, description="The cluster VPC's CIDR; peers open rules to it.")


ClusterRole = Literal["hub", "spoke", "primary", "standby"]


class Cluster(Spec):
    """One Kafka cluster in KRaft mode."""

    name: DnsLabel = Field(description="Cluster name; also its MirrorMaker alias.")
    region: str = Field(pattern=_AWS_REGION, description="AWS region.")
    role: ClusterRole | None = Field(default=None, description="hub/spoke or primary/standby.")
    sites: list[Site] = Field(min_length=1, description="Sites (zones or data centres).")
    controllers: NodeGroup = Field(description="KRaft controllers.")
    brokers: NodeGroup = Field(description="Brokers.")
    site_loss: Literal["consistency", "availability"] = Field(
        default="consistency",
        description="Stretch clusters: what a site loss costs (see docs/blueprint.md).")
    kubernetes: Kubernetes = Field(default_factory=Kubernetes, description="Helm placement.")
    network: Network = Field(default_factory=Network, description="AWS network placement.")
    config: dict[str, ConfigValue] = Field(
        default_factory=dict, description="Broker config overrides, checked against Kafka's tables.")
    plugin_config: dict[str, str] = Field(
        default_factory=dict,
        description="Escape hatch for plugin keys missing from Kafka's tables (rsm.config.*).",
        examples=[{"rsm.config.bucket": "tiered-storage"}])


class Certificates(Spec):
    """Where node certificates come from; always by reference."""

    source: Literal["cert-manager", "files", "aws-private-ca", "self-signed"] = Field(
        default="cert-manager", description="Certificate source. self-signed is for dev only.")
    issuer: DnsLabel | None = Field(default=None, description="cert-manager (Cluster)Issuer name.")
    ca_arn: str | None = Field(default=None, pattern=r"^arn:aws[-a-z]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority/[0-9a-f-]+$",
                               description="AWS Private CA ARN.",
                               examples=["arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0f5e8a2c-1111-2222-3333-444455556666"])
    ca_file: str | None = Field(default=None, pattern=r"^/[A-Za-z0-9._/-]+$",
                                description="Path of the organisation CA PEM on the control host.",
                                examples=["/etc/pki/org-ca.pem"])


class Tls(Spec):
    """TLS settings shared by every listener."""

    protocols: list[Literal["TLSv1.3", "TLSv1.2"]] = Field(
        default_factory=lambda: ["TLSv1.3"], min_length=1,
        description="Enabled protocols; TLSv1.2 needs the allow-tls12 waiver.")
    certificates: Certificates = Field(default_factory=Certificates, description="Certificate source.")


class Peers(Spec):
    """Who may reach a port: CIDRs and Kubernetes namespaces."""

    cidrs: list[Cidr] = Field(default_factory=list, description="Source CIDRs.")
    namespaces: list[DnsLabel] = Field(default_factory=list,
                                       description="Kubernetes namespaces (Helm NetworkPolicies).")


WaiverName = Literal["allow-tls12", "open-client-cidr", "self-signed-ca"]


class Waiver(Spec):
    """An explicit, scoped opt-out of a hardened default."""

    name: WaiverName = Field(description="Which default to waive.", examples=["allow-tls12"])
    clusters: list[DnsLabel] = Field(min_length=1, description="Clusters the waiver applies to.", examples=[["orders"]])
    reason: str = Field(min_length=10, max_length=300, description="Why; printed in the output.",
                        examples=["legacy Java 8 clients until Q3"])


class Security(Spec):
    """Security settings; secure unless a waiver says otherwise."""

    client_authentication: Literal["scram-sha-512", "mtls"] = Field(
        default="scram-sha-512", description="How clients authenticate.")
    tls: Tls = Field(default_factory=Tls, description="TLS settings.")
    clients: Peers = Field(default_factory=Peers, description="Who may reach the client listener.")
    monitoring: Peers = Field(default_factory=Peers, description="Who may scrape metrics.")
    waivers: list[Waiver] = Field(default_factory=list, description="Scoped opt-outs.",
        examples=[[{"name": "allow-tls12", "clusters": ["orders"], "reason": "legacy Java 8 clients until Q3"}]])


Operation = Literal[
    "All", "Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction",
    "DescribeConfigs", "AlterConfigs", "IdempotentWrite", "CreateTokens", "DescribeTokens",
]


class Acl(Spec):
    """One ACL binding."""

    resource: Literal["topic", "group", "cluster", "transactional-id"] = Field(description="Resource type.")
    name: str = Field(default="kafka-cluster", min_length=1, max_length=249,
                      pattern=r"^[A-Za-z0-9._-]+$", description="Resource name or prefix.")
    pattern: Literal["literal", "prefixed"] = Field(default="literal", description="Name match.")
    operations: list[Operation] = Field(min_length=1, description="Operations.")
    permission: Literal["allow", "deny"] = Field(default="allow", description="Allow or deny.", examples=["deny"])


class Principal(Spec):
    """A client identity (SCRAM user or certificate CN) and its ACLs."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
                                           max_length=64, strict=True)] = Field(
        description="User name; principal User:<name>.")
    clusters: list[DnsLabel] = Field(default_factory=list, description="Clusters; default all.")
    acls: list[Acl] = Field(default_factory=list, description="ACL bindings.")


class Topic(Spec):
    """A topic kgen creates and keeps in shape."""

    name: str = Field(description="Topic name (Kafka rules: [A-Za-z0-9._-], at most 249).")
    partitions: int = Field(description="Partition count (>= 1).")
    replication_factor: int | None = Field(default=None, ge=1, le=16,
                                           description="Replicas; default from the topology.")
    clusters: list[DnsLabel] = Field(default_factory=list, description="Clusters; default all.")
    config: dict[str, ConfigValue] = Field(default_factory=dict, description="Topic config overrides.")


class MirrorMaker(Spec):
    """MirrorMaker 2 workers, dedicated mode, next to each target cluster."""

    nodes_per_target: int = Field(default=2, ge=1, le=10, description="Workers per target cluster.")
    instance_type: str = Field(default="m7i.large", pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$",
                               description="EC2 instance type.")


class Flow(Spec):
    """Replication from source cluster(s) to target cluster(s)."""

    source: str = Field(pattern=r"^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$",
                        description='Source cluster name, or a glob like "store-*".')
    target: str = Field(pattern=r"^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$",
                        description="Target cluster name or glob.")
    topics: list[str] = Field(default_factory=lambda: [".*"], min_length=1,
                              description="Topic regexes to mirror.")
    groups: list[str] = Field(default_factory=lambda: [".*"], description="Group regexes to checkpoint.")
    policy: Literal["default", "identity"] = Field(default="default",
                                                   description="Replication policy.")
    sync_group_offsets: bool = Field(default=False, description="Write translated offsets to the target.")
    emit_checkpoints_interval_seconds: int = Field(default=60, ge=1, le=86400,
                                                   description="Checkpoint interval.")

    @field_validator("topics", "groups")
    @classmethod
    def _check_regex(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not re.fullmatch(r"[A-Za-z0-9._*+?|()\[\]\\^$-]+", pattern):
                raise ValueError(f"{pattern!r} uses characters a topic regex does not need")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regex: {exc}") from None
        return value


class Replication(Spec):
    """MirrorMaker 2 flows for hub-and-spoke and dr."""

    mode: Literal["active-passive", "active-active"] | None = Field(
        default=None, description="dr only: active-passive or active-active.")
    mirror_maker: MirrorMaker = Field(default_factory=MirrorMaker, description="Worker sizing.")
    flows: list[Flow] = Field(default_factory=list, description="Replication flows.")


class Dns(Spec):
    """Private DNS zone that names every node."""

    zone: str = Field(default="kafka.internal", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$",
                      description="Private Route 53 zone.")


class BlueprintSpec(Spec):
    """What to build."""

    pattern: Pattern = Field(description="Topology.")
    environment: Literal["production", "dev"] = Field(default="production",
                                                      description="dev allows a self-signed CA.")
    kafka: Kafka = Field(description="Kafka release.")
    targets: list[Target] = Field(default_factory=lambda: ["terraform", "ansible", "helm"],
                                  min_length=1, description="Targets to render.")
    dns: Dns = Field(default_factory=Dns, description="Node DNS.")
    clusters: list[Cluster] = Field(min_length=1, description="Clusters.")
    security: Security = Field(default_factory=Security, description="Security.")
    principals: list[Principal] = Field(default_factory=list, description="Principals and ACLs.")
    topics: list[Topic] = Field(default_factory=list, description="Topics.")
    replication: Replication = Field(default_factory=Replication, description="MirrorMaker 2.")


class Blueprint(Spec):
    """A kgen blueprint document."""

    api_version: Literal["kgen.dev/v1alpha1"] = Field(description="Always kgen.dev/v1alpha1.")
    kind: Literal["KafkaBlueprint"] = Field(description="Always KafkaBlueprint.")
    metadata: Metadata = Field(description="Name and labels.")
    spec: BlueprintSpec = Field(description="What to build.")


def json_schema() -> dict[str, Any]:
    """The blueprint language as JSON Schema 2020-12, for editors."""
    schema = Blueprint.model_json_schema(by_alias=True, mode="validation")
    schema["properties"]["extends"] = {
        "description": "Base blueprints: names from kgen's blueprints/ or relative paths.",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kgen.dev/schema/v1alpha1/blueprint.schema.json",
        **schema,
    }
