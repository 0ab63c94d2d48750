"""`kgen explain`: the plan for a person to read."""

from __future__ import annotations

from kgen import access, kafka_keys, topology
from kgen.errors import Problem
from kgen.model import Blueprint
from kgen.plan import ClusterPlan, Plan


def _cluster_lines(plan: Plan, cluster: ClusterPlan, bp: Blueprint) -> list[str]:
    model = next(c for c in bp.spec.clusters if c.name == cluster.name)
    role = f" ({cluster.role})" if cluster.role else ""
    lines = [f"cluster {cluster.name}{role} in {cluster.region}, KRaft cluster id {cluster.cluster_id}"]
    for site in cluster.sites:
        kind = "tie-breaker, controller only" if site.brokers == 0 and site.controllers else "data"
        lines.append(f"  site {site.name} ({site.zone}, {kind}): {site.controllers} controller(s), "
                     f"{site.brokers} broker(s)")
    quorum = cluster.quorum
    survives = "survives" if quorum.survives_any_site_loss else "does NOT survive"
    lines.append(f"  quorum: {quorum.controllers} controllers, majority {quorum.majority}; survives "
                 f"{quorum.controller_losses_survived} controller loss(es); {survives} the loss of any one site")
    rf, isr = cluster.default_replication_factor, cluster.min_insync_replicas
    domain = topology.failure_domain(model)
    worst = topology.max_replicas_in_one_domain(model, rf)
    writable = rf - worst >= isr
    lines.append(f"  replication: default RF {rf}, min.insync.replicas {isr}; one {domain} holds at most "
                 f"{worst} replica(s) of a partition, so losing a {domain} leaves {rf - worst} in sync: "
                 + ("topics stay writable" if writable else "writes stop until min.insync.replicas is lowered"))
    if cluster.site_loss == "consistency" and not writable:
        lines.append("  siteLoss: consistency (the default): acknowledged writes are never lost; after a site "
                     "loss run: kafka-configs --bootstrap-server <surviving broker> --alter --entity-type "
                     f"topics --entity-name <topic> --add-config min.insync.replicas={rf - worst}")
    elif cluster.site_loss == "availability":
        lines.append("  siteLoss: availability: writes continue after a site loss; records acknowledged "
                     "while the ISR had shrunk into the lost site can be lost")
    controller = next(n for n in cluster.nodes if n.role == "controller")
    defaults = ", ".join(f"{key}={controller.properties[key]}" for key in kafka_keys.CONTROLLER_READ_DEFAULTS)
    lines.append(f"  cluster defaults on every node, controllers too (Kafka applies them from the active "
                 f"controller): {defaults}")
    if plan.kafka_line in kafka_keys.ELR_BY_DEFAULT:
        lines.append(f"  eligible leader replicas: on from the first start (Kafka {plan.kafka_line}); the "
                     f"cluster-level min.insync.replicas={isr} is then a dynamic default taken from the active "
                     "controller, so editing server.properties no longer changes it: run kafka-configs "
                     "--bootstrap-server <broker> --alter --entity-type brokers --entity-default "
                     "--add-config min.insync.replicas=<n>")
    if plan.pattern == "stretch":
        lines.append("  consumers that set client.rack fetch from their own site (RackAwareReplicaSelector)")
    lines.append(f"  bootstrap: {cluster.bootstrap}")
    lines.append(f"  topics: {len(cluster.topics)}, ACL bindings: {len(cluster.acls)}")
    for flow in cluster.flows_in:
        arrives = "same names (identity)" if flow.policy == "identity" else f"prefixed {flow.source}.<topic>"
        lines.append(f"  mirror {flow.source} -> {flow.target} as {flow.principal}: topics "
                     f"{'|'.join(flow.topics)}, arriving with {arrives}; group offsets "
                     + ("synced" if flow.sync_group_offsets else "not synced"))
    if cluster.mirrormakers:
        lines.append(f"  MirrorMaker 2 workers: {', '.join(n.name for n in cluster.mirrormakers)}")
    return lines


def explain_text(plan: Plan, bp: Blueprint, warnings: tuple[Problem, ...]) -> str:
    """A readable summary: clusters, nodes per site, quorum, losses survived, listeners, flows."""
    lines = [f"blueprint {plan.name}: pattern {plan.pattern}, Apache Kafka {plan.kafka_version} (KRaft), "
             f"targets {', '.join(plan.targets)}"]
    lines.append(f"security: client authentication {plan.client_authentication}, TLS "
                 f"{', '.join(plan.tls_protocols)}, certificates from {plan.certificate_source}, "
                 "StandardAuthorizer with allow.everyone.if.no.acl.found=false")
    lines.append("listeners:")
    for item in plan.listeners:
        auth = "mTLS" if item.client_auth == "required" else item.protocol
        lines.append(f"  {item.name:<10} port {item.port}  {item.protocol:<8} {auth:<8} from {access.sources_of(plan.access, item.name)}")
    lines.append(f"  METRICS    port {plan.metrics_port}  Prometheus exporter, from the monitoring CIDRs")
    for cluster in plan.clusters:
        lines.append("")
        lines.extend(_cluster_lines(plan, cluster, bp))
    if warnings:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  {w}" for w in warnings)
    return "\n".join(lines) + "\n"
