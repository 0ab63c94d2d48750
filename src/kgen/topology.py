"""Placement arithmetic shared by the rules and the plan: sites, quorum, replicas."""

from __future__ import annotations

import fnmatch
import math

from kgen.model import Blueprint, Cluster

# AWS VPCs and subnets: a VPC is /16 to /28, and so is each subnet.
VPC_PREFIX_MIN, SUBNET_PREFIX_MAX = 16, 28


# Node ids: a node's id depends only on its site's position in `sites` and its ordinal in
# that site, so growing a site or appending a site never changes an existing node's id
# (Kafka keeps a node's id in meta.properties and refuses to start under another one).
# Brokers take 1 + 1000 * site + ordinal, controllers 9000 + 10 * site + ordinal: nine
# sites at most keep the two ranges apart.
BROKER_ID_BASE, BROKER_SITE_STRIDE = 1, 1000
CONTROLLER_ID_BASE, CONTROLLER_SITE_STRIDE = 9000, 10
MAX_SITES = CONTROLLER_ID_BASE // BROKER_SITE_STRIDE  # the ninth site's brokers: 8001 up, below 9000


def node_id(role: str, site_index: int, ordinal: int) -> int:
    """The node id of the `ordinal`-th `role` node in the cluster's `site_index`-th site."""
    if role == "controller":
        return CONTROLLER_ID_BASE + CONTROLLER_SITE_STRIDE * site_index + ordinal
    return BROKER_ID_BASE + BROKER_SITE_STRIDE * site_index + ordinal


def broker_sites(cluster: Cluster) -> list[str]:
    """Names of the sites that hold brokers, in blueprint order."""
    return [s.name for s in cluster.sites if s.brokers]


def controller_placement(cluster: Cluster) -> dict[str, int]:
    """Controllers per site: explicit counts, else round-robin over every site."""
    if any(s.controllers is not None for s in cluster.sites):
        return {s.name: s.controllers or 0 for s in cluster.sites}
    return _round_robin(cluster.controllers.count, [s.name for s in cluster.sites])


def broker_placement(cluster: Cluster) -> dict[str, int]:
    """Brokers per site, round-robin over the broker sites."""
    placement = {s.name: 0 for s in cluster.sites}
    placement.update(_round_robin(cluster.brokers.count, broker_sites(cluster)))
    return placement


def _round_robin(count: int, names: list[str]) -> dict[str, int]:
    placement = {name: 0 for name in names}
    for index in range(count):
        placement[names[index % len(names)]] += 1
    return placement


def quorum_majority(controllers: int) -> int:
    """Votes a KRaft quorum needs."""
    return controllers // 2 + 1


def quorum_survives_any_site_loss(cluster: Cluster) -> bool:
    """True when losing any one site leaves a controller majority."""
    placement = controller_placement(cluster)
    total = sum(placement.values())
    return all(total - here >= quorum_majority(total) for here in placement.values())


def failure_domain(cluster: Cluster) -> str:
    """What a topic must survive losing: a site when brokers span sites, else a broker."""
    return "site" if len(broker_sites(cluster)) >= 2 else "broker"


def max_replicas_in_one_domain(cluster: Cluster, replication_factor: int) -> int:
    """Most replicas of one partition that rack-aware placement puts in one failure domain."""
    sites = len(broker_sites(cluster))
    if sites < 2:
        return 1
    return -(-replication_factor // sites)


def default_replication_factor(cluster: Cluster) -> int:
    """RF the plan uses when a topic gives none: 4 across two data sites, else 3."""
    wanted = 4 if len(broker_sites(cluster)) == 2 else 3
    return min(wanted, max(cluster.brokers.count, 1))


def default_min_insync(cluster: Cluster, replication_factor: int) -> int:
    """min.insync.replicas that keeps writes safe and, where possible, available."""
    worst = max_replicas_in_one_domain(cluster, replication_factor)
    if len(broker_sites(cluster)) == 2 and cluster.site_loss == "consistency":
        # The ISR must span both data sites, so a site loss stops writes instead of losing them.
        return min(worst + 1, replication_factor)
    return max(1, replication_factor - worst)


def site_loss_budget(cluster: Cluster, replication_factor: int, min_insync: int) -> bool:
    """True when losing the worst failure domain still leaves min.insync.replicas replicas."""
    return replication_factor - max_replicas_in_one_domain(cluster, replication_factor) >= min_insync


def node_name(cluster: str, role: str, site: str, ordinal: int) -> str:
    """The name of a node, its EC2 Name tag and its Kubernetes pod: <cluster>-<role>-<site>-<n>."""
    return f"{cluster}-{role}-{site}-{ordinal}"


def node_names(cluster: Cluster, mirrormakers: int) -> list[tuple[str, str]]:
    """(site, name) of every node of a cluster, MirrorMaker workers included."""
    names = []
    for role, placement in (("controller", controller_placement(cluster)), ("broker", broker_placement(cluster))):
        for site, count in placement.items():
            names += [(site, node_name(cluster.name, role, site, n)) for n in range(count)]
    data_sites = broker_sites(cluster)
    for index in range(mirrormakers if data_sites else 0):
        site = data_sites[index % len(data_sites)]
        names.append((site, node_name(cluster.name, "mirrormaker", site, index)))
    return names


def vpc_carving(sites_per_region: dict[str, int]) -> tuple[int, dict[str, int]]:
    """How a created VPC's CIDR is cut: (bits for one block per region, bits per region's subnets).

    Each region's block holds at least four subnets, so one per site leaves spare room.
    """
    region_bits = math.ceil(math.log2(len(sites_per_region))) if len(sites_per_region) > 1 else 0
    return region_bits, {r: max(2, math.ceil(math.log2(n))) for r, n in sites_per_region.items()}


def smallest_subnet_prefix(vpc_prefix: int, sites_per_region: dict[str, int]) -> int:
    """The prefix length of the smallest subnet a created VPC of `vpc_prefix` would carve."""
    region_bits, subnet_bits = vpc_carving(sites_per_region)
    return vpc_prefix + region_bits + max(subnet_bits.values())


def flow_pairs(bp: Blueprint) -> list[tuple[int, str, str]]:
    """Every (flow index, source, target) the blueprint's flows expand to (their source and
    target are cluster name patterns), self-pairs removed."""
    names = [c.name for c in bp.spec.clusters]
    pairs = []
    for index, flow in enumerate(bp.spec.replication.flows):
        sources = [n for n in names if fnmatch.fnmatchcase(n, flow.source)]
        targets = [n for n in names if fnmatch.fnmatchcase(n, flow.target)]
        pairs += [(index, s, t) for s in sources for t in targets if s != t]
    return pairs
