"""Derive once, render many: turn a validated blueprint into the plan every target reads.

Every fact two targets share is computed here and nowhere else: node ids and names,
host names, racks, listeners and ports, principals, ACLs, each node's Kafka
properties and each MirrorMaker flow's properties.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from kgen import access, kafka_keys, topology
from kgen.identities import (
    ADMIN_PRINCIPAL,
    BROKER_PRINCIPAL,
    CONTROLLER_PRINCIPAL,
    PRINCIPAL_MAPPING,
    RESERVED_PRINCIPALS,
    flow_principal,
    node_principal,
)
from kgen.model import Blueprint, Cluster, Flow

CONFIG_DIR = "/etc/kafka"
TLS_DIR = "/etc/kafka/tls"
SECRETS_FILE = "/etc/kafka/tls/passwords.properties"
DATA_ROOT = "/var/lib/kafka"
METADATA_DIR = "/var/lib/kafka/metadata"
METRICS_PORT = 7071
# Kafka's FileConfigProvider resolves ${file:<path>:<key>} when the broker starts, so
# passwords stay in a root-owned file and never in server.properties.
FILE_PROVIDER = "org.apache.kafka.common.config.provider.FileConfigProvider"
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
RACK_AWARE_SELECTOR = "org.apache.kafka.common.replica.RackAwareReplicaSelector"
IDENTITY_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
DEFAULT_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
SCRAM_ITERATIONS = 8192
# Only kgen's own principals (broker, controller, admin) are super users, on every node.
SUPER_USERS = tuple(f"User:{name}" for name in RESERVED_PRINCIPALS)


@dataclass(frozen=True)
class Listener:
    """One Kafka listener: name, port, protocol and who may connect."""

    name: str
    port: int
    protocol: str
    client_auth: str
    roles: tuple[str, ...]


CONTROLLER_LISTENER = "CONTROLLER"
BROKER_LISTENER = "BROKER"
CLIENT_LISTENER = "CLIENT"
# Who may reach each listener is the plan's access matrix (kgen.access), not a listener field.
LISTENERS_SCRAM = (
    Listener(CONTROLLER_LISTENER, 9093, "SSL", "required", ("controller",)),
    Listener(BROKER_LISTENER, 9094, "SSL", "required", ("broker",)),
    Listener(CLIENT_LISTENER, 9092, "SASL_SSL", "none", ("broker",)),
)
LISTENERS_MTLS = (*LISTENERS_SCRAM[:2], Listener(CLIENT_LISTENER, 9092, "SSL", "required", ("broker",)))


def listeners_for(client_authentication: str) -> tuple[Listener, ...]:
    """The three listeners kgen always runs; only the client listener's protocol varies."""
    return LISTENERS_MTLS if client_authentication == "mtls" else LISTENERS_SCRAM


def listener(listeners: tuple[Listener, ...], name: str) -> Listener:
    """The listener called `name`."""
    return next(item for item in listeners if item.name == name)


@dataclass(frozen=True)
class Volume:
    """One data volume: EBS device and mount path."""

    device: str
    mount: str
    size_gib: int
    type: str
    iops: int
    throughput_mibps: int


@dataclass(frozen=True)
class Node:
    """One host or pod: a controller, a broker or a MirrorMaker worker."""

    name: str
    cluster: str
    role: str
    node_id: int | None
    site: str
    zone: str
    region: str
    hostname: str
    k8s_hostname: str
    instance_type: str
    volumes: tuple[Volume, ...]
    # The principal this node's own certificate names (CN); MirrorMaker hosts have none,
    # only the client identities of their flows.
    principal: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    k8s_properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AclBinding:
    """One ACL, as kafka-acls applies it."""

    principal: str
    resource_type: str
    name: str
    pattern: str
    operation: str
    permission: str


@dataclass(frozen=True)
class TopicPlan:
    """A topic on one cluster, with its resolved replication factor and config."""

    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str]


@dataclass(frozen=True)
class PrincipalPlan:
    """A principal kgen knows: generated ones and the blueprint's."""

    name: str
    kind: str
    clusters: tuple[str, ...]

    @property
    def principal(self) -> str:
        """The Kafka principal string."""
        return f"User:{self.name}"


@dataclass(frozen=True)
class SitePlan:
    """A site and what it holds."""

    name: str
    zone: str
    region: str
    controllers: int
    brokers: int


@dataclass(frozen=True)
class FlowPlan:
    """One MirrorMaker 2 replication pair, run as its own dedicated-mode process."""

    name: str
    source: str
    target: str
    principal: str
    policy: str
    topics: tuple[str, ...]
    groups: tuple[str, ...]
    sync_group_offsets: bool
    # Each flow into a cluster is its own process on the MirrorMaker hosts, so each has
    # its own exporter port: METRICS_PORT, METRICS_PORT + 1, ... in flow order.
    metrics_port: int
    properties: dict[str, str]
    k8s_properties: dict[str, str]


@dataclass(frozen=True)
class Quorum:
    """The KRaft controller quorum of one cluster and what it survives."""

    controllers: int
    majority: int
    controller_losses_survived: int
    survives_any_site_loss: bool


@dataclass(frozen=True)
class WaiverPlan:
    """A blueprint's scoped opt-out of one hardened default."""

    name: str
    clusters: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ClusterPlan:
    """Everything about one cluster that the targets render."""

    name: str
    region: str
    role: str | None
    cluster_id: str
    sites: tuple[SitePlan, ...]
    namespace: str
    storage_class: str | None
    cluster_domain: str
    create_vpc: bool
    vpc_cidr: str | None
    nodes: tuple[Node, ...]
    mirrormakers: tuple[Node, ...]
    flows_in: tuple[FlowPlan, ...]
    topics: tuple[TopicPlan, ...]
    acls: tuple[AclBinding, ...]
    super_users: tuple[str, ...]
    scram_users: tuple[str, ...]
    default_replication_factor: int
    min_insync_replicas: int
    site_loss: str | None
    quorum: Quorum
    bootstrap: str
    k8s_bootstrap: str


@dataclass(frozen=True)
class Plan:
    """The whole derived design; targets only format it."""

    name: str
    pattern: str
    environment: str
    kafka_version: str
    kafka_line: str
    mirror_url: str
    archive_checksum: str
    image_digest: str | None
    targets: tuple[str, ...]
    labels: dict[str, str]
    dns_zone: str
    client_authentication: str
    tls_protocols: tuple[str, ...]
    certificate_source: str
    certificate_issuer: str | None
    client_cidrs: tuple[str, ...]
    client_namespaces: tuple[str, ...]
    monitoring_cidrs: tuple[str, ...]
    monitoring_namespaces: tuple[str, ...]
    listeners: tuple[Listener, ...]
    metrics_port: int
    waivers: tuple[WaiverPlan, ...]
    principals: tuple[PrincipalPlan, ...]
    clusters: tuple[ClusterPlan, ...]
    replication_mode: str | None
    # Every connection between kgen's nodes and the outside, the one source of every
    # security group rule and NetworkPolicy.
    access: tuple[access.Access, ...]

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain data, for `kgen explain --format json` and templates."""
        return asdict(self)

    def cluster(self, name: str) -> ClusterPlan:
        """The cluster called `name`."""
        return next(c for c in self.clusters if c.name == name)

    def waivers_of(self, cluster: str) -> tuple[WaiverPlan, ...]:
        """The waivers that cover `cluster`."""
        return tuple(w for w in self.waivers if cluster in w.clusters)


def _cluster_id(blueprint: str, cluster: str) -> str:
    # KRaft wants a base64 UUID. Derive it from the names so output is reproducible.
    raw = uuid.uuid5(uuid.NAMESPACE_DNS, f"{cluster}.{blueprint}.kgen.dev").bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _namespace(cluster: Cluster) -> str:
    return cluster.kubernetes.namespace or f"kafka-{cluster.name}"


def _volumes(cluster: Cluster, role: str) -> tuple[Volume, ...]:
    group = cluster.brokers if role == "broker" else cluster.controllers
    storage = group.storage
    if role != "broker":
        return (Volume("/dev/sdf", METADATA_DIR, storage.size_gib, storage.type, storage.iops,
                       storage.throughput_mibps),)
    return tuple(
        Volume(f"/dev/sd{chr(ord('f') + i)}", f"{DATA_ROOT}/data-{i}", storage.size_gib, storage.type,
               storage.iops, storage.throughput_mibps)
        for i in range(storage.volumes)
    )


def _nodes(bp: Blueprint, cluster: Cluster) -> list[Node]:
    nodes: list[Node] = []
    ns = _namespace(cluster)
    sites = {s.name: s for s in cluster.sites}
    position = {s.name: index for index, s in enumerate(cluster.sites)}
    for role, placement in (
        ("controller", topology.controller_placement(cluster)),
        ("broker", topology.broker_placement(cluster)),
    ):
        for site_name, count in placement.items():
            site = sites[site_name]
            for ordinal in range(count):
                name = topology.node_name(cluster.name, role, site_name, ordinal)
                group = cluster.brokers if role == "broker" else cluster.controllers
                nodes.append(Node(
                    name=name, cluster=cluster.name, role=role,
                    node_id=topology.node_id(role, position[site_name], ordinal), site=site_name,
                    zone=site.zone, region=site.region or cluster.region,
                    hostname=f"{name}.{bp.spec.dns.zone}",
                    k8s_hostname=f"{name}.{cluster.name}-{role}s.{ns}.svc.{cluster.kubernetes.cluster_domain}",
                    instance_type=group.instance_type, volumes=_volumes(cluster, role),
                    principal=node_principal(role),
                ))
    return nodes


def _mirrormaker_nodes(bp: Blueprint, cluster: Cluster) -> list[Node]:
    mm = bp.spec.replication.mirror_maker
    data_sites = [s for s in cluster.sites if s.brokers]
    ns = _namespace(cluster)
    nodes = []
    for index in range(mm.nodes_per_target):
        site = data_sites[index % len(data_sites)]
        name = topology.node_name(cluster.name, "mirrormaker", site.name, index)
        nodes.append(Node(
            name=name, cluster=cluster.name, role="mirrormaker", node_id=None, site=site.name,
            zone=site.zone, region=site.region or cluster.region, hostname=f"{name}.{bp.spec.dns.zone}",
            k8s_hostname=f"{cluster.name}-mirrormaker.{ns}.svc.{cluster.kubernetes.cluster_domain}",
            instance_type=mm.instance_type, volumes=()))
    return nodes


def _bootstrap(nodes: list[Node], port: int, k8s: bool) -> str:
    return ",".join(f"{n.k8s_hostname if k8s else n.hostname}:{port}" for n in nodes if n.role == "broker")


def _tls_properties(bp: Blueprint) -> dict[str, str]:
    protocols = bp.spec.security.tls.protocols
    return {
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": f"{TLS_DIR}/keystore.p12",
        "ssl.keystore.password": f"${{file:{SECRETS_FILE}:keystore.password}}",
        "ssl.key.password": f"${{file:{SECRETS_FILE}:keystore.password}}",
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": f"{TLS_DIR}/truststore.p12",
        "ssl.truststore.password": f"${{file:{SECRETS_FILE}:truststore.password}}",
        "ssl.enabled.protocols": ",".join(protocols),
        "ssl.protocol": "TLSv1.3" if "TLSv1.3" in protocols else "TLSv1.2",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.principal.mapping.rules": PRINCIPAL_MAPPING,
    }


def _cluster_defaults(bp: Blueprint, cluster: Cluster, min_isr: int, default_rf: int) -> dict[str, str]:
    """The cluster-wide defaults every node carries, controllers too (kafka_keys.CONTROLLER_READ_DEFAULTS)."""
    partitions = kafka_keys.keys_for(bp.spec.kafka.version, "broker").spec("num.partitions") or {}
    values = {
        "default.replication.factor": str(default_rf),
        "min.insync.replicas": str(min_isr),
        "num.partitions": kafka_keys.properties_value(partitions.get("default", 1)),
        "unclean.leader.election.enable": "false",
    }
    for key in kafka_keys.CONTROLLER_READ_DEFAULTS:
        if key in cluster.config:
            values[key] = kafka_keys.properties_value(cluster.config[key])
    return values


def _node_properties(bp: Blueprint, cluster: Cluster, node: Node, nodes: list[Node], k8s: bool,
                     min_isr: int, default_rf: int) -> dict[str, str]:
    listeners = listeners_for(bp.spec.security.client_authentication)
    host = node.k8s_hostname if k8s else node.hostname
    controller = listener(listeners, CONTROLLER_LISTENER)
    voters = ",".join(f"{n.node_id}@{n.k8s_hostname if k8s else n.hostname}:{controller.port}"
                      for n in nodes if n.role == "controller")
    mine = [item for item in listeners if node.role in item.roles]
    props: dict[str, str] = {
        "process.roles": node.role,
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
        "controller.listener.names": CONTROLLER_LISTENER,
        "listeners": ",".join(f"{item.name}://:{item.port}" for item in mine),
        "listener.security.protocol.map": ",".join(f"{item.name}:{item.protocol}" for item in listeners),
        "config.providers": "file",
        "config.providers.file.class": FILE_PROVIDER,
        **_tls_properties(bp),
        "authorizer.class.name": STANDARD_AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "super.users": ";".join(SUPER_USERS),
    }
    if node.role != "controller" or bp.spec.kafka.minor not in kafka_keys.CONTROLLERS_REFUSE_ADVERTISED_LISTENERS:
        props["advertised.listeners"] = ",".join(f"{item.name}://{host}:{item.port}" for item in mine)
    for item in mine:
        props[f"listener.name.{item.name.lower()}.ssl.client.auth"] = item.client_auth
    props["log.dirs"] = METADATA_DIR if node.role == "controller" else ",".join(v.mount for v in node.volumes)
    props.update(_cluster_defaults(bp, cluster, min_isr, default_rf))
    if node.role == "broker":
        props.update({
            "inter.broker.listener.name": BROKER_LISTENER,
            "metadata.log.dir": METADATA_DIR,
            "broker.rack": node.site,
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": str(default_rf),
            "transaction.state.log.replication.factor": str(default_rf),
            "transaction.state.log.min.isr": str(min_isr),
        })
        if bp.spec.security.client_authentication == "scram-sha-512":
            props["sasl.enabled.mechanisms"] = "SCRAM-SHA-512"
            props["listener.name.client.sasl.enabled.mechanisms"] = "SCRAM-SHA-512"
            # SCRAM verifies against credentials in the metadata log; the server side
            # needs the login module but no secret.
            props["listener.name.client.scram-sha-512.sasl.jaas.config"] = (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;")
        if bp.spec.pattern == "stretch":
            props["replica.selector.class"] = RACK_AWARE_SELECTOR
        for key, value in sorted(cluster.config.items()):
            props[key] = kafka_keys.properties_value(value)
        for key, value in sorted(cluster.plugin_config.items()):
            props[key] = value
    return dict(sorted(props.items()))


def _regex_prefix(pattern: str) -> tuple[str, str]:
    """The ACL (name, pattern type) that covers every topic a regex can match."""
    literal = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in ".-_":
            literal += pattern[index + 1]
            index += 2
            continue
        if re.match(r"[A-Za-z0-9_-]", char):
            literal += char
            index += 1
            continue
        break
    whole = index == len(pattern)
    if not literal:
        return "*", "literal"
    return literal, "literal" if whole else "prefixed"


def _flow_name(source: str, target: str) -> str:
    return f"{source}-to-{target}"


def _flow_acls(flow: FlowPlan) -> dict[str, list[AclBinding]]:
    """Least-privilege ACLs for one MirrorMaker flow on its source and its target."""
    who = f"User:{flow.principal}"

    def bind(resource: str, name: str, pattern: str, ops: tuple[str, ...]) -> list[AclBinding]:
        return [AclBinding(who, resource, name, pattern, op, "allow") for op in ops]

    source: list[AclBinding] = []
    target: list[AclBinding] = []
    for regex in flow.topics:
        name, pattern = _regex_prefix(regex)
        source += bind("topic", name, pattern, ("Read", "Describe", "DescribeConfigs"))
        mirrored = name if flow.policy == "identity" else f"{flow.source}.{'' if name == '*' else name}"
        mirrored_pattern = pattern if flow.policy == "identity" else "prefixed"
        # Alter: CreatePartitions, when the source topic grows. Read: committing a group's
        # translated offsets (OffsetCommit authorizes Read on the group and on each topic);
        # without it the checkpoint connector logs TopicAuthorizationException (Kafka lab).
        ops = ("Create", "Write", "Describe", "AlterConfigs", "Alter")
        target += bind("topic", mirrored, mirrored_pattern, (*ops, "Read") if flow.sync_group_offsets else ops)
    for regex in flow.groups:
        name, pattern = _regex_prefix(regex)
        source += bind("group", name, pattern, ("Describe",))
        if flow.sync_group_offsets:
            target += bind("group", name, pattern, ("Read", "Describe"))
    offset_syncs = f"mm2-offset-syncs.{flow.target}.internal"
    source += bind("topic", offset_syncs, "literal", ("Create", "Read", "Write", "Describe"))
    internal = ["heartbeats", f"{flow.source}.checkpoints.internal",
                f"mm2-configs.{flow.source}.internal", f"mm2-offsets.{flow.source}.internal",
                f"mm2-status.{flow.source}.internal"]
    for topic in internal:
        target += bind("topic", topic, "literal", ("Create", "Read", "Write", "Describe"))
    target += bind("group", f"{flow.source}-mm2", "prefixed", ("Read", "Describe"))
    source += bind("cluster", "kafka-cluster", "literal", ("Describe",))
    target += bind("cluster", "kafka-cluster", "literal", ("Describe",))
    return {flow.source: source, flow.target: target}


def _client_properties(bp: Blueprint, alias: str, principal: str, bootstrap: str) -> dict[str, str]:
    """mm2.properties client settings for one cluster alias."""
    props = {
        f"{alias}.bootstrap.servers": bootstrap,
        f"{alias}.ssl.truststore.type": "PKCS12",
        f"{alias}.ssl.truststore.location": f"{TLS_DIR}/truststore.p12",
        f"{alias}.ssl.truststore.password": f"${{file:{SECRETS_FILE}:truststore.password}}",
        f"{alias}.ssl.enabled.protocols": ",".join(bp.spec.security.tls.protocols),
        f"{alias}.ssl.endpoint.identification.algorithm": "https",
    }
    if bp.spec.security.client_authentication == "mtls":
        props.update({
            f"{alias}.security.protocol": "SSL",
            f"{alias}.ssl.keystore.type": "PKCS12",
            f"{alias}.ssl.keystore.location": f"{TLS_DIR}/{principal}.p12",
            f"{alias}.ssl.keystore.password": f"${{file:{SECRETS_FILE}:keystore.password}}",
        })
    else:
        props.update({
            f"{alias}.security.protocol": "SASL_SSL",
            f"{alias}.sasl.mechanism": "SCRAM-SHA-512",
            f"{alias}.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{principal}" password="${{file:{SECRETS_FILE}:{principal}.password}}";'),
        })
    return props


def _flow_properties(bp: Blueprint, flow: Flow, source: str, target: str, principal: str,
                     bootstraps: dict[str, str], rf: dict[str, int]) -> dict[str, str]:
    pair = f"{source}->{target}"
    props = {
        "clusters": f"{source},{target}",
        "config.providers": "file",
        "config.providers.file.class": FILE_PROVIDER,
        **_client_properties(bp, source, principal, bootstraps[source]),
        **_client_properties(bp, target, principal, bootstraps[target]),
        f"{pair}.enabled": "true",
        f"{pair}.topics": "|".join(flow.topics),
        f"{pair}.groups": "|".join(flow.groups),
        f"{pair}.sync.topic.acls.enabled": "false",
        f"{pair}.emit.checkpoints.interval.seconds": str(flow.emit_checkpoints_interval_seconds),
        f"{pair}.sync.group.offsets.enabled": "true" if flow.sync_group_offsets else "false",
        f"{target}->{source}.enabled": "false",
        "replication.policy.class": IDENTITY_POLICY if flow.policy == "identity" else DEFAULT_POLICY,
        "replication.factor": str(rf[target]),
        "checkpoints.topic.replication.factor": str(rf[target]),
        "heartbeats.topic.replication.factor": str(rf[target]),
        "offset-syncs.topic.replication.factor": str(rf[source]),
        # The Connect worker's own topics (mm2-configs/-offsets/-status.<source>.internal) live
        # on the target; Kafka's default of 3 cannot be placed on a smaller cluster.
        "config.storage.replication.factor": str(rf[target]),
        "offset.storage.replication.factor": str(rf[target]),
        "status.storage.replication.factor": str(rf[target]),
    }
    return dict(sorted(props.items()))


def build_plan(bp: Blueprint) -> Plan:
    """Derive the plan from a validated blueprint."""
    spec = bp.spec
    listeners = listeners_for(spec.security.client_authentication)
    client_port = listener(listeners, CLIENT_LISTENER).port
    nodes_of = {c.name: _nodes(bp, c) for c in spec.clusters}
    rf_of = {c.name: topology.default_replication_factor(c) for c in spec.clusters}
    bootstraps = {n: _bootstrap(nodes, client_port, False) for n, nodes in nodes_of.items()}
    k8s_bootstraps = {n: _bootstrap(nodes, client_port, True) for n, nodes in nodes_of.items()}

    flows: list[FlowPlan] = []
    for index, source, target in topology.flow_pairs(bp):
        flow = spec.replication.flows[index]
        principal = flow_principal(_flow_name(source, target))
        earlier_into_target = sum(1 for f in flows if f.target == target)
        flows.append(FlowPlan(
            name=_flow_name(source, target), source=source, target=target, principal=principal,
            policy=flow.policy, topics=tuple(flow.topics), groups=tuple(flow.groups),
            sync_group_offsets=flow.sync_group_offsets, metrics_port=METRICS_PORT + earlier_into_target,
            properties=_flow_properties(bp, flow, source, target, principal, bootstraps, rf_of),
            k8s_properties=_flow_properties(bp, flow, source, target, principal, k8s_bootstraps, rf_of),
        ))

    principals = [
        PrincipalPlan(BROKER_PRINCIPAL, "broker", tuple(nodes_of)),
        PrincipalPlan(CONTROLLER_PRINCIPAL, "controller", tuple(nodes_of)),
        PrincipalPlan(ADMIN_PRINCIPAL, "admin", tuple(nodes_of)),
        *(PrincipalPlan(f.principal, "mirrormaker", (f.source, f.target)) for f in flows),
        *(PrincipalPlan(p.name, "user", tuple(p.clusters or nodes_of)) for p in spec.principals),
    ]
    flow_acls: dict[str, list[AclBinding]] = {}
    for flow_plan in flows:
        for cluster_name, bindings in _flow_acls(flow_plan).items():
            flow_acls.setdefault(cluster_name, []).extend(bindings)

    scram_users_of: dict[str, list[str]] = {c.name: [] for c in spec.clusters}
    for principal_plan in principals:
        if principal_plan.kind in ("admin", "mirrormaker", "user"):
            for name in principal_plan.clusters:
                scram_users_of[name].append(principal_plan.name)
    topics_of: dict[str, list[TopicPlan]] = {c.name: [] for c in spec.clusters}
    for topic in spec.topics:
        for name in topic.clusters or list(topics_of):
            topics_of[name].append(TopicPlan(
                topic.name, topic.partitions, topic.replication_factor or rf_of[name],
                {k: kafka_keys.properties_value(v) for k, v in sorted(topic.config.items())}))
    acls_of: dict[str, list[AclBinding]] = {c.name: list(flow_acls.get(c.name, [])) for c in spec.clusters}
    for principal in spec.principals:
        bindings = [AclBinding(f"User:{principal.name}", a.resource, a.name, a.pattern, op, a.permission)
                    for a in principal.acls for op in a.operations]
        for name in principal.clusters or list(acls_of):
            acls_of[name].extend(bindings)

    clusters = []
    for cluster in spec.clusters:
        nodes = nodes_of[cluster.name]
        default_rf = rf_of[cluster.name]
        min_isr = int(cluster.config.get("min.insync.replicas", topology.default_min_insync(cluster, default_rf)))  # type: ignore[arg-type]
        finished = [
            Node(**{**asdict(n), "volumes": n.volumes,
                    "properties": _node_properties(bp, cluster, n, nodes, False, min_isr, default_rf),
                    "k8s_properties": _node_properties(bp, cluster, n, nodes, True, min_isr, default_rf)})
            for n in nodes
        ]
        incoming = tuple(f for f in flows if f.target == cluster.name)
        placement = topology.controller_placement(cluster)
        brokers_at = topology.broker_placement(cluster)
        majority = topology.quorum_majority(cluster.controllers.count)
        quorum = Quorum(cluster.controllers.count, majority, cluster.controllers.count - majority,
                        topology.quorum_survives_any_site_loss(cluster))
        clusters.append(ClusterPlan(
            name=cluster.name, region=cluster.region, role=cluster.role,
            cluster_id=_cluster_id(bp.metadata.name, cluster.name),
            sites=tuple(SitePlan(s.name, s.zone, s.region or cluster.region, placement[s.name],
                                 brokers_at[s.name]) for s in cluster.sites),
            namespace=_namespace(cluster), storage_class=cluster.kubernetes.storage_class,
            cluster_domain=cluster.kubernetes.cluster_domain, create_vpc=cluster.network.create_vpc,
            vpc_cidr=cluster.network.vpc_cidr,
            nodes=tuple(finished),
            mirrormakers=tuple(_mirrormaker_nodes(bp, cluster)) if incoming else (),
            flows_in=incoming, topics=tuple(topics_of[cluster.name]),
            acls=tuple(sorted(set(acls_of[cluster.name]),
                              key=lambda a: (a.principal, a.resource_type, a.name, a.pattern, a.operation,
                                             a.permission))),
            super_users=SUPER_USERS,
            scram_users=tuple(scram_users_of[cluster.name])
            if spec.security.client_authentication == "scram-sha-512" else (),
            default_replication_factor=default_rf, min_insync_replicas=min_isr,
            site_loss=cluster.site_loss if spec.pattern == "stretch" else None,
            quorum=quorum, bootstrap=bootstraps[cluster.name], k8s_bootstrap=k8s_bootstraps[cluster.name],
        ))

    security = spec.security
    matrix = access.matrix(
        clusters, controller=listener(listeners, CONTROLLER_LISTENER),
        broker=listener(listeners, BROKER_LISTENER), client=listener(listeners, CLIENT_LISTENER), metrics_port=METRICS_PORT,
        client_cidrs=tuple(security.clients.cidrs), client_namespaces=tuple(security.clients.namespaces),
        monitoring_cidrs=tuple(security.monitoring.cidrs),
        monitoring_namespaces=tuple(security.monitoring.namespaces))
    return Plan(
        name=bp.metadata.name, pattern=spec.pattern, environment=spec.environment,
        kafka_version=spec.kafka.version, kafka_line=spec.kafka.minor, mirror_url=spec.kafka.mirror_url,
        archive_checksum=spec.kafka.archive_checksum or kafka_keys.release_checksum(spec.kafka.version) or "",
        image_digest=spec.kafka.image_digest, targets=tuple(spec.targets), labels=dict(bp.metadata.labels),
        dns_zone=spec.dns.zone, client_authentication=security.client_authentication,
        tls_protocols=tuple(security.tls.protocols), certificate_source=security.tls.certificates.source,
        certificate_issuer=security.tls.certificates.issuer,
        client_cidrs=tuple(security.clients.cidrs), client_namespaces=tuple(security.clients.namespaces),
        monitoring_cidrs=tuple(security.monitoring.cidrs),
        monitoring_namespaces=tuple(security.monitoring.namespaces),
        listeners=listeners, metrics_port=METRICS_PORT,
        waivers=tuple(WaiverPlan(w.name, tuple(w.clusters), w.reason) for w in security.waivers),
        principals=tuple(principals), clusters=tuple(clusters), replication_mode=spec.replication.mode,
        access=matrix,
    )
