"""Who may reach whom, on which port, and why: the access matrix of a plan.

Every network control kgen ships is generated from these rows and from nothing else: the
Terraform security group rules (ingress and egress), the Helm NetworkPolicies (ingress and
egress) and the tables of the generated READMEs. A row names its two ends by what they
are (a role of a cluster, one MirrorMaker flow, the blueprint's clients or scrapers, the
AWS APIs, the cluster DNS); each target maps those onto its own peers (security groups
and CIDRs; pod, namespace and IP block selectors).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plan.py builds the matrix, so only the type checker imports it back
    from kgen.plan import ClusterPlan, Listener

# The kinds of party a row connects.
NODES = "nodes"  # kgen's own processes: one role of one cluster, optionally one flow
CLIENTS = "clients"  # the blueprint's security.clients: CIDRs and namespaces
MONITORING = "monitoring"  # the blueprint's security.monitoring: CIDRs and namespaces
AWS_APIS = "aws-apis"  # SSM, Secrets Manager, CloudWatch Logs, the release mirror over HTTPS
CLUSTER_DNS = "cluster-dns"  # the Kubernetes cluster's DNS service

# Where a row applies: on the EC2 hosts Terraform and Ansible build, in the Helm chart, or both.
VM = "vm"
K8S = "k8s"
BOTH = (VM, K8S)

# Ansible runs the admin tools (the topics/ACL reconciler) on the broker hosts, so on
# hosts the admin's traffic leaves from the broker's network identity. In the chart the
# admin is its own Job pod.
VM_ADMIN_ROLE = "broker"
_ROLE_WORDS = {"controller": "controllers", "broker": "brokers", "admin": "admin",
               "mirrormaker": "MirrorMaker workers"}
HTTPS_PORT = 443
DNS_PORT = 53


@dataclass(frozen=True)
class Party:
    """One end of a row: kgen's nodes of a role (and flow), or a set outside kgen."""

    kind: str
    cluster: str | None = None
    role: str | None = None
    flow: str | None = None
    cidrs: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the documentation names this party."""
        if self.kind != NODES:
            return {CLIENTS: "clients", MONITORING: "metrics scrapers", AWS_APIS: "AWS APIs (HTTPS)",
                    CLUSTER_DNS: "cluster DNS"}[self.kind]
        flow = f" ({self.flow})" if self.flow else ""
        return f"{self.cluster} {_ROLE_WORDS[self.role or '']}{flow}"


@dataclass(frozen=True)
class Access:
    """One permitted connection: `source` opens it to `target` on `port`."""

    source: Party
    target: Party
    port: int
    protocol: str
    listener: str | None
    platforms: tuple[str, ...]
    why: str


def nodes(cluster: str, role: str, flow: str | None = None) -> Party:
    """kgen's processes of one role of one cluster (one flow's, for MirrorMaker)."""
    return Party(NODES, cluster, role, flow)


def matrix(clusters: Iterable[ClusterPlan], *, controller: Listener, broker: Listener, client: Listener,
           metrics_port: int, client_cidrs: tuple[str, ...], client_namespaces: tuple[str, ...],
           monitoring_cidrs: tuple[str, ...], monitoring_namespaces: tuple[str, ...]) -> tuple[Access, ...]:
    """Every connection the design needs, in a stable order, and no other."""
    clients = Party(CLIENTS, cidrs=client_cidrs, namespaces=client_namespaces)
    scrapers = Party(MONITORING, cidrs=monitoring_cidrs, namespaces=monitoring_namespaces)
    rows: list[Access] = []

    def add(source: Party, target: Party, port: int, listener: str | None, platforms: tuple[str, ...],
            why: str, protocol: str = "TCP") -> None:
        rows.append(Access(source, target, port, protocol, listener, platforms, why))

    for cluster in clusters:
        ctl, brk = nodes(cluster.name, "controller"), nodes(cluster.name, "broker")
        add(ctl, ctl, controller.port, controller.name, BOTH, "Raft votes and metadata fetches between controllers")
        add(brk, ctl, controller.port, controller.name, BOTH,
            "brokers register, heartbeat and fetch metadata from the controllers")
        add(brk, brk, broker.port, broker.name, BOTH, "replication between brokers")
        add(nodes(cluster.name, "admin"), brk, client.port, client.name, BOTH,
            "the topics and ACL reconciler and the admin tools")
        if client_cidrs or client_namespaces:
            add(clients, brk, client.port, client.name, BOTH, "the clients the blueprint names")
        for flow in cluster.flows_in:
            worker = nodes(cluster.name, "mirrormaker", flow.name)
            add(worker, brk, client.port, client.name, BOTH, f"MirrorMaker {flow.name} writes into its target")
            add(worker, nodes(flow.source, "broker"), client.port, client.name, BOTH,
                f"MirrorMaker {flow.name} reads its source and writes offset syncs there")
        # The chart runs no metrics exporter, so metrics are a host-only flow.
        if monitoring_cidrs:
            add(scrapers, ctl, metrics_port, None, (VM,), "Prometheus scrapes the controller exporters")
            add(scrapers, brk, metrics_port, None, (VM,), "Prometheus scrapes the broker exporters")
            for flow in cluster.flows_in:
                add(scrapers, nodes(cluster.name, "mirrormaker", flow.name), flow.metrics_port, None, (VM,),
                    f"Prometheus scrapes the exporter of MirrorMaker {flow.name}")
        host_roles = ["controller", "broker"] + (["mirrormaker"] if cluster.flows_in else [])
        for role in host_roles:
            add(nodes(cluster.name, role), Party(AWS_APIS), HTTPS_PORT, None, (VM,),
                "SSM, Secrets Manager, CloudWatch Logs and the Kafka release mirror")
        pods = [ctl, brk, nodes(cluster.name, "admin"),
                *(nodes(cluster.name, "mirrormaker", f.name) for f in cluster.flows_in)]
        for pod in pods:
            for protocol in ("UDP", "TCP"):
                add(pod, Party(CLUSTER_DNS), DNS_PORT, None, (K8S,), "name lookups of the pods", protocol)
    return tuple(rows)


def on(rows: Iterable[Access], platform: str) -> tuple[Access, ...]:
    """The rows that apply on `platform` (VM or K8S)."""
    return tuple(row for row in rows if platform in row.platforms)


def involving(rows: Iterable[Access], cluster: str) -> tuple[Access, ...]:
    """The rows with one end on `cluster`'s nodes: what its own network controls must admit."""
    return tuple(row for row in rows if cluster in (row.source.cluster, row.target.cluster))


def kind_label(party: Party) -> str:
    """The party without its cluster: `brokers`, `MirrorMaker workers`, `clients`."""
    return _ROLE_WORDS[party.role or ""] if party.kind == NODES else party.label


def sources_of(rows: Iterable[Access], listener: str) -> str:
    """Who opens connections to `listener`, in words: `controllers and brokers`."""
    names = list(dict.fromkeys(kind_label(row.source) for row in rows if row.listener == listener))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def table(rows: Iterable[Access]) -> list[tuple[str, str, str, str, str]]:
    """The rows as documentation reads them: source, target, port/protocol, listener, why."""
    return [(row.source.label, row.target.label, f"{row.port}/{row.protocol}", row.listener or "", row.why)
            for row in rows]
