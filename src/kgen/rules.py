"""Semantic rules: one function per rule, each yielding located problems.

Types and shapes are the model's job; these rules check what spans fields:
quorum, replication, topic names, flows, Kafka config keys and names.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

from kgen import kafka_keys, topology
from kgen.errors import Problem
from kgen.identities import FLOW_PRINCIPAL_PREFIX, RESERVED_PRINCIPALS
from kgen.loader import Document, PathKey
from kgen.model import Blueprint, Cluster

Rule = Callable[[Blueprint, Document], Iterator[Problem]]

CLUSTERS: PathKey = ("spec", "clusters")
TOPICS: PathKey = ("spec", "topics")
FLOWS: PathKey = ("spec", "replication", "flows")
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_NODE_NAME_MAX = 63
_STATEFULSET_MAX = 52


def _clusters(bp: Blueprint) -> Iterator[tuple[int, Cluster]]:
    yield from enumerate(bp.spec.clusters)


def _cluster_names(bp: Blueprint) -> list[str]:
    return [c.name for c in bp.spec.clusters]


def _expand(pattern: str, bp: Blueprint) -> list[str]:
    return [n for n in _cluster_names(bp) if fnmatch.fnmatchcase(n, pattern)]


def _topic_placements(bp: Blueprint) -> Iterator[tuple[int, Cluster]]:
    """(topic index, cluster) for every cluster each topic lives on."""
    by_name = {c.name: c for c in bp.spec.clusters}
    for index, topic in enumerate(bp.spec.topics):
        names = topic.clusters or list(by_name)
        for name in names:
            if name in by_name:
                yield index, by_name[name]


def _topic_rf(cluster: Cluster, explicit: int | None) -> int:
    return explicit or topology.default_replication_factor(cluster)


def _cluster_min_isr(cluster: Cluster, rf: int) -> tuple[int, bool]:
    value = cluster.config.get("min.insync.replicas")
    if isinstance(value, int) and not isinstance(value, bool):
        return value, True
    # Absent, or of the wrong type (config_values_valid reports that): use the default.
    return topology.default_min_insync(cluster, rf), False


# --- Kafka version and pattern ---------------------------------------------------------

def kafka_version_supported(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """The Kafka version is one kgen has key tables for (3.7 to 4.3)."""
    if not kafka_keys.supported(bp.spec.kafka.version):
        yield doc.problem(("spec", "kafka", "version"),
                          f"Kafka {bp.spec.kafka.version} is not supported; use a 3.7, 3.8, 3.9, "
                          "4.0, 4.1, 4.2 or 4.3 release such as \"4.1.1\"")


def cluster_count_fits_pattern(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """single and stretch have one cluster, dr two, hub-and-spoke a hub and spokes."""
    count, pattern = len(bp.spec.clusters), bp.spec.pattern
    wanted = {"single": (1, 1), "stretch": (1, 1), "dr": (2, 2), "hub-and-spoke": (2, 256)}[pattern]
    if not wanted[0] <= count <= wanted[1]:
        need = "1 cluster" if wanted[1] == 1 else "exactly 2 clusters" if pattern == "dr" else \
            "one hub and at least one spoke"
        yield doc.problem(CLUSTERS, f"pattern {pattern} needs {need}, not {count}")


def names_unique(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Clusters, sites, topics and principals have unique names."""
    groups: list[tuple[PathKey, list[str]]] = [
        (CLUSTERS, _cluster_names(bp)),
        (TOPICS, [t.name for t in bp.spec.topics]),
        (("spec", "principals"), [p.name for p in bp.spec.principals]),
    ]
    groups += [((*CLUSTERS, i, "sites"), [s.name for s in c.sites]) for i, c in _clusters(bp)]
    for path, names in groups:
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                yield doc.problem((*path, index, "name"), f"name {name!r} is used twice; names are unique")
            seen.add(name)


def cluster_roles_fit_pattern(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """hub-and-spoke has exactly one hub and only spokes besides; dr one primary and one standby."""
    roles = [c.role for c in bp.spec.clusters]
    pattern = bp.spec.pattern
    if pattern == "hub-and-spoke":
        if roles.count("hub") != 1:
            yield doc.problem(CLUSTERS, f"hub-and-spoke needs exactly one cluster with role: hub, "
                              f"found {roles.count('hub')}")
        for i, role in enumerate(roles):
            if role not in ("hub", "spoke"):
                yield doc.problem((*CLUSTERS, i, "role"), "in hub-and-spoke each cluster's role is hub or spoke")
    elif pattern == "dr":
        for i, role in enumerate(roles):
            if role not in ("primary", "standby"):
                yield doc.problem((*CLUSTERS, i, "role"), "in dr each cluster's role is primary or standby")
        if len(roles) == 2 and sorted(r or "" for r in roles) != ["primary", "standby"]:
            yield doc.problem(CLUSTERS, "dr needs one primary and one standby cluster")
    else:
        for i, role in enumerate(roles):
            if role is not None:
                yield doc.problem((*CLUSTERS, i, "role"), f"role is only for hub-and-spoke and dr, not {pattern}")


# --- Controller quorum -----------------------------------------------------------------

def controller_quorum_size(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """A KRaft quorum has 3 or 5 controllers."""
    for i, cluster in _clusters(bp):
        if cluster.controllers.count not in (3, 5):
            yield doc.problem((*CLUSTERS, i, "controllers", "count"),
                              f"{cluster.controllers.count} controllers; a KRaft quorum has 3 or 5 "
                              "(3 survives one loss, 5 survives two)")


def controller_site_counts(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Explicit per-site controller counts add up to controllers.count."""
    for i, cluster in _clusters(bp):
        if any(s.controllers is not None for s in cluster.sites):
            placed = sum(topology.controller_placement(cluster).values())
            if placed != cluster.controllers.count:
                yield doc.problem((*CLUSTERS, i, "sites"),
                                  f"sites place {placed} controllers but controllers.count is "
                                  f"{cluster.controllers.count}; make them equal")


def sites_fit_node_ids(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Node ids come from each site's position (topology.node_id): at most MAX_SITES sites."""
    for i, cluster in _clusters(bp):
        if len(cluster.sites) > topology.MAX_SITES:
            yield doc.problem((*CLUSTERS, i, "sites"),
                              f"{len(cluster.sites)} sites; a cluster has at most {topology.MAX_SITES}, so that "
                              "broker and controller node ids stay apart")


def stretch_sites(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """A stretch cluster spans at least three sites, two or more of them with brokers."""
    if bp.spec.pattern != "stretch":
        return
    for i, cluster in _clusters(bp):
        if len(cluster.sites) < 3:
            yield doc.problem((*CLUSTERS, i, "sites"), f"a stretch cluster needs 3 sites (2.5-DC: two "
                              f"data sites and a tie-breaker), not {len(cluster.sites)}")
        elif len(topology.broker_sites(cluster)) < 2:
            yield doc.problem((*CLUSTERS, i, "sites"), "a stretch cluster needs brokers in at least 2 sites")


def no_site_holds_quorum_majority(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Losing any one site keeps a controller majority (an error in stretch, else a warning)."""
    for i, cluster in _clusters(bp):
        if len(cluster.sites) < 2 or topology.quorum_survives_any_site_loss(cluster):
            continue
        placement = topology.controller_placement(cluster)
        worst = max(placement, key=lambda name: placement[name])
        message = (f"site {worst!r} holds {placement[worst]} of {cluster.controllers.count} controllers, "
                   "a majority: losing it stops the quorum; spread controllers so no site holds "
                   f"{topology.quorum_majority(cluster.controllers.count)}")
        severity = "error" if bp.spec.pattern == "stretch" else "warning"
        yield doc.problem((*CLUSTERS, i, "sites"), message, severity)


def tiebreaker_site(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """A site with brokers: false is a 2.5-DC tie-breaker: stretch only, with a controller."""
    for i, cluster in _clusters(bp):
        placement = topology.controller_placement(cluster)
        for j, site in enumerate(cluster.sites):
            if site.brokers:
                continue
            path = (*CLUSTERS, i, "sites", j, "brokers")
            if bp.spec.pattern != "stretch":
                yield doc.problem(path, "controller-only (tie-breaker) sites belong to stretch clusters")
            elif placement[site.name] < 1:
                yield doc.problem(path, f"tie-breaker site {site.name!r} holds no controller; "
                                  "it must hold one to break ties")


# --- Brokers and replication --------------------------------------------------------------

def broker_spread(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Brokers exist and spread evenly over the broker sites (warning when uneven)."""
    for i, cluster in _clusters(bp):
        sites = topology.broker_sites(cluster)
        path = (*CLUSTERS, i, "brokers", "count")
        if cluster.brokers.count < len(sites):
            yield doc.problem(path, f"{cluster.brokers.count} brokers cannot cover {len(sites)} broker "
                              f"sites; use at least {len(sites)}")
        elif sites and cluster.brokers.count % len(sites):
            yield doc.problem(path, f"{cluster.brokers.count} brokers do not spread evenly over "
                              f"{len(sites)} sites; a site loss takes more capacity from some sites",
                              "warning")


def replication_factor_fits(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Every topic's replication factor is at most the brokers of each cluster it lives on."""
    for t, cluster in _topic_placements(bp):
        topic = bp.spec.topics[t]
        rf = _topic_rf(cluster, topic.replication_factor)
        if rf > cluster.brokers.count:
            yield doc.problem((*TOPICS, t, "replicationFactor"),
                              f"{cluster.brokers.count} brokers in cluster {cluster.name!r} cannot hold "
                              f"replicationFactor {rf}; use at most {cluster.brokers.count}")


def stretch_replica_per_site(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """In a stretch cluster each topic has a replica in every broker site."""
    if bp.spec.pattern != "stretch":
        return
    for t, cluster in _topic_placements(bp):
        topic = bp.spec.topics[t]
        sites = len(topology.broker_sites(cluster))
        rf = _topic_rf(cluster, topic.replication_factor)
        if rf < sites:
            yield doc.problem((*TOPICS, t, "replicationFactor"),
                              f"replicationFactor {rf} leaves a broker site of {cluster.name!r} without "
                              f"a replica; use at least {sites} (one per site)")


def min_insync_survives_site_loss(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """min.insync.replicas <= RF minus the most replicas one site holds, or an explicit choice."""
    for i, cluster in _clusters(bp):
        rf = topology.default_replication_factor(cluster)
        isr, explicit = _cluster_min_isr(cluster, rf)
        if explicit:
            yield from _isr_problem(bp, doc, cluster, rf, isr, (*CLUSTERS, i, "config", "min.insync.replicas"))
    for t, cluster in _topic_placements(bp):
        topic = bp.spec.topics[t]
        rf = _topic_rf(cluster, topic.replication_factor)
        if "min.insync.replicas" in topic.config:
            isr = topic.config["min.insync.replicas"]
            path: PathKey = (*TOPICS, t, "config", "min.insync.replicas")
        else:
            isr, _ = _cluster_min_isr(cluster, rf)
            path = (*TOPICS, t, "replicationFactor")
        if isinstance(isr, int) and not isinstance(isr, bool):
            yield from _isr_problem(bp, doc, cluster, rf, isr, path)


def _isr_problem(bp: Blueprint, doc: Document, cluster: Cluster, rf: int, isr: int,
                 path: PathKey) -> Iterator[Problem]:
    if isr > rf:
        yield doc.problem(path, f"min.insync.replicas {isr} exceeds replicationFactor {rf}; no write "
                          f"could ever succeed; use at most {rf}")
        return
    if topology.site_loss_budget(cluster, rf, isr):
        return
    domain = topology.failure_domain(cluster)
    worst = topology.max_replicas_in_one_domain(cluster, rf)
    limit = rf - worst
    if bp.spec.pattern == "stretch" and cluster.site_loss == "consistency" and domain == "site":
        yield doc.problem(path, f"min.insync.replicas {isr} with replicationFactor {rf}: losing a site "
                          "stops writes until an operator lowers min.insync.replicas "
                          "(siteLoss: consistency)", "warning")
        return
    yield doc.problem(path, f"min.insync.replicas {isr} with replicationFactor {rf} stops writes when one "
                      f"{domain} ({worst} replica(s)) is lost; use at most {max(limit, 1)}, or raise "
                      "replicationFactor")


# --- Topics ------------------------------------------------------------------------------

def topic_name_legal(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Topic names follow Kafka's rules: [A-Za-z0-9._-], 1 to 249 characters, not . or .."""
    for t, topic in enumerate(bp.spec.topics):
        name, path = topic.name, (*TOPICS, t, "name")
        if name in (".", "..") or not name:
            yield doc.problem(path, "a topic cannot be named '.' or '..' or ''")
        elif len(name) > 249:
            yield doc.problem(path, f"topic name is {len(name)} characters; Kafka allows at most 249")
        elif not _TOPIC_NAME.match(name):
            bad = sorted({ch for ch in name if not re.match(r"[A-Za-z0-9._-]", ch)})
            yield doc.problem(path, f"topic name has {''.join(bad)!r}; Kafka allows only letters, digits, "
                              "'.', '_' and '-'")
        elif name.startswith("__"):
            yield doc.problem(path, "names starting with '__' are Kafka's internal topics")


def topic_name_collision(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Warn when two topic names differ only by '.' versus '_' (they collide in metrics)."""
    seen: dict[str, str] = {}
    for t, topic in enumerate(bp.spec.topics):
        folded = topic.name.replace(".", "_")
        if folded in seen and seen[folded] != topic.name:
            yield doc.problem((*TOPICS, t, "name"), f"{topic.name!r} and {seen[folded]!r} collide once '.' "
                              "and '_' are treated alike (Kafka metric names); rename one", "warning")
        seen.setdefault(folded, topic.name)


def topic_partitions_positive(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Every topic has at least one partition."""
    for t, topic in enumerate(bp.spec.topics):
        if topic.partitions < 1:
            yield doc.problem((*TOPICS, t, "partitions"),
                              f"{topic.partitions} partitions; a topic needs at least 1")


def cluster_references_exist(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Topics, principals and waivers name clusters that exist."""
    names = set(_cluster_names(bp))
    refs: list[tuple[PathKey, list[str]]] = [((*TOPICS, t, "clusters"), x.clusters)
                                             for t, x in enumerate(bp.spec.topics)]
    refs += [(("spec", "principals", p, "clusters"), x.clusters) for p, x in enumerate(bp.spec.principals)]
    refs += [(("spec", "security", "waivers", w, "clusters"), x.clusters)
             for w, x in enumerate(bp.spec.security.waivers)]
    for path, listed in refs:
        for k, name in enumerate(listed):
            if name not in names:
                yield doc.problem((*path, k), f"no cluster is named {name!r}; clusters are "
                                  f"{', '.join(sorted(names))}")


# --- Replication flows ----------------------------------------------------------------

def flows_fit_pattern(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Flows exist exactly in hub-and-spoke and dr; dr names its mode."""
    flows, pattern = bp.spec.replication.flows, bp.spec.pattern
    if pattern in ("single", "stretch") and flows:
        yield doc.problem(FLOWS, f"pattern {pattern} has one cluster and no replication flows")
    if pattern in ("hub-and-spoke", "dr") and not flows:
        yield doc.problem(("spec", "replication"), f"pattern {pattern} needs at least one flow")
    if pattern == "dr" and bp.spec.replication.mode is None:
        yield doc.problem(("spec", "replication"), "dr needs mode: active-passive or active-active")
    if pattern != "dr" and bp.spec.replication.mode is not None:
        yield doc.problem(("spec", "replication", "mode"), "mode is only for the dr pattern")


def flow_clusters_exist(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Each flow's source and target name existing clusters, and differ."""
    names = ", ".join(_cluster_names(bp))
    for f, flow in enumerate(bp.spec.replication.flows):
        for end in ("source", "target"):
            pattern = getattr(flow, end)
            if not _expand(pattern, bp):
                yield doc.problem((*FLOWS, f, end), f"{pattern!r} matches no cluster; clusters are {names}")
        if flow.source == flow.target:
            yield doc.problem((*FLOWS, f), f"flow replicates {flow.source!r} into itself; source and target "
                              "must differ (self-pairs from globs are skipped)")


def hub_and_spoke_flows(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """In hub-and-spoke every flow touches the hub: spokes never replicate to each other."""
    if bp.spec.pattern != "hub-and-spoke":
        return
    roles = {c.name: c.role for c in bp.spec.clusters}
    for f, source, target in topology.flow_pairs(bp):
        if roles.get(source) != "hub" and roles.get(target) != "hub":
            yield doc.problem((*FLOWS, f), f"flow {source} -> {target} joins two spokes; in hub-and-spoke "
                              "every flow has the hub at one end")


def dr_mode_matches_flows(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """active-passive flows go primary to standby only; active-active flows go both ways."""
    if bp.spec.pattern != "dr" or bp.spec.replication.mode is None:
        return
    roles = {c.name: c.role for c in bp.spec.clusters}
    directions = {(roles.get(s), roles.get(t)) for _, s, t in topology.flow_pairs(bp)}
    if bp.spec.replication.mode == "active-passive" and directions != {("primary", "standby")}:
        yield doc.problem(FLOWS, "active-passive replicates only from the primary to the standby; "
                          "failback is a new flow set up after failover")
    if bp.spec.replication.mode == "active-active" and directions != {("primary", "standby"), ("standby", "primary")}:
        yield doc.problem(FLOWS, "active-active needs one flow each way between the two clusters")


def identity_policy_without_cycle(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """The identity policy is refused on any cycle: MirrorMaker cannot stop the loop."""
    edges = {(s, t) for _, s, t in topology.flow_pairs(bp)}
    for f, source, target in topology.flow_pairs(bp):
        if bp.spec.replication.flows[f].policy == "identity" and _reaches(edges, target, source):
            yield doc.problem((*FLOWS, f, "policy"), f"identity policy on {source} -> {target}, which is part "
                              "of a cycle; records would loop forever. Use policy: default (topics arrive as "
                              f"{source}.<topic>)")


def _reaches(edges: set[tuple[str, str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        if here == goal:
            return True
        for s, t in edges:
            if s == here and t not in seen:
                seen.add(t)
                todo.append(t)
    return False


def alias_prefix_collision(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Replicated names cannot collide with each other or with a target's own topics."""
    identity_sources: dict[str, list[str]] = {}
    prefixed_sources: dict[str, set[str]] = {}
    for f, source, target in topology.flow_pairs(bp):
        flow = bp.spec.replication.flows[f]
        if flow.policy == "identity":
            identity_sources.setdefault(target, []).append(source)
            continue
        prefixed_sources.setdefault(target, set()).add(source)
    for t, topic in enumerate(bp.spec.topics):
        # Cluster names are DNS labels (no dots), so a mirrored name's alias is its first part.
        alias = topic.name.split(".", 1)[0]
        for target in topic.clusters or list(prefixed_sources):
            if alias in prefixed_sources.get(target, ()) and "." in topic.name:
                yield doc.problem((*TOPICS, t, "name"), f"topic {topic.name!r} on {target!r} collides with "
                                  f"topics mirrored from {alias!r}, which arrive as {alias}.<topic>; rename it")
    for target, sources in identity_sources.items():
        if len(set(sources)) > 1:
            yield doc.problem(FLOWS, f"{', '.join(sorted(set(sources)))} all mirror into {target!r} with the "
                              "identity policy; their topics would collide. Use policy: default")


# --- Kafka config keys -----------------------------------------------------------------

def _config_items(bp: Blueprint) -> Iterator[tuple[str, PathKey, str, Any]]:
    for i, cluster in _clusters(bp):
        for key, value in cluster.config.items():
            yield "broker", (*CLUSTERS, i, "config", key), key, value
    for t, topic in enumerate(bp.spec.topics):
        for key, value in topic.config.items():
            yield "topic", (*TOPICS, t, "config", key), key, value


def config_keys_not_managed(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """config: cannot set listener, security, SASL, SSL, authorizer, super-user or topology keys."""
    for scope, path, key, _ in _config_items(bp):
        reason = kafka_keys.managed_key_reason(key)
        if scope == "broker" and reason:
            yield doc.problem(path, f"{key} {reason}; remove it from config")
    for i, cluster in _clusters(bp):
        for key in cluster.plugin_config:
            reason = kafka_keys.managed_key_reason(key)
            if reason:
                yield doc.problem((*CLUSTERS, i, "pluginConfig", key), f"{key} {reason}; remove it")


def config_keys_known(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Every config: key exists in Kafka's tables for this version and scope."""
    if not kafka_keys.supported(bp.spec.kafka.version):
        return
    for scope, path, key, _ in _config_items(bp):
        if scope == "broker" and kafka_keys.managed_key_reason(key):
            continue
        table = kafka_keys.keys_for(bp.spec.kafka.version, scope)
        if table.spec(key) is None:
            yield doc.problem(path, f"{key!r} is not a Kafka {table.line} {scope} config key"
                              f"{table.suggest(key)}" + (" (plugin keys go in pluginConfig)" if scope == "broker" else ""))


def config_values_valid(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Every config: value has the key's type and lies in its range or enum."""
    if not kafka_keys.supported(bp.spec.kafka.version):
        return
    for scope, path, key, value in _config_items(bp):
        spec = kafka_keys.keys_for(bp.spec.kafka.version, scope).spec(key)
        if spec is None or (scope == "broker" and kafka_keys.managed_key_reason(key)):
            continue
        problem = kafka_keys.check_value(spec, value)
        if problem:
            yield doc.problem(path, f"{key} {problem}")


def plugin_config_is_for_plugins(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """pluginConfig holds only keys Kafka's tables do not know; known keys belong in config."""
    if not kafka_keys.supported(bp.spec.kafka.version):
        return
    table = kafka_keys.keys_for(bp.spec.kafka.version, "broker")
    for i, cluster in _clusters(bp):
        for key in cluster.plugin_config:
            if table.spec(key) is not None:
                yield doc.problem((*CLUSTERS, i, "pluginConfig", key),
                                  f"{key} is a Kafka config key; put it in config, where it is checked")
            elif not re.fullmatch(r"[a-z][a-z0-9_-]*(\.[a-zA-Z0-9_-]+)+", key):
                yield doc.problem((*CLUSTERS, i, "pluginConfig", key),
                                  "plugin keys are dotted names like rsm.config.bucket")


# --- Security --------------------------------------------------------------------------

def _waived(bp: Blueprint, waiver: str, cluster: str) -> bool:
    return any(w.name == waiver and cluster in w.clusters for w in bp.spec.security.waivers)


def tls12_needs_waiver(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """TLSv1.2 is enabled only with an allow-tls12 waiver for every cluster."""
    if "TLSv1.2" not in bp.spec.security.tls.protocols:
        return
    for cluster in bp.spec.clusters:
        if not _waived(bp, "allow-tls12", cluster.name):
            yield doc.problem(("spec", "security", "tls", "protocols"),
                              f"TLSv1.2 needs a waiver {{name: allow-tls12, clusters: [{cluster.name}], "
                              "reason: ...} in spec.security.waivers; kgen enables only TLSv1.3 by default")


def open_client_cidr_needs_waiver(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Client or monitoring CIDRs wider than /8 (such as 0.0.0.0/0) need an open-client-cidr waiver."""
    for kind in ("clients", "monitoring"):
        peers = getattr(bp.spec.security, kind)
        for k, cidr in enumerate(peers.cidrs):
            path = ("spec", "security", kind, "cidrs", k)
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                yield doc.problem(path, f"{cidr!r} is not a network address: {exc}")
                continue
            if network.prefixlen < 8 and not all(_waived(bp, "open-client-cidr", c.name) for c in bp.spec.clusters):
                yield doc.problem(path, f"{cidr} opens the {kind} port to {network.num_addresses} addresses; "
                                  "narrow it or add waiver open-client-cidr for every cluster")


def certificate_source_complete(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Each certificate source names what it needs: issuer, CA ARN or CA file."""
    certs = bp.spec.security.tls.certificates
    path = ("spec", "security", "tls", "certificates")
    needs = {"cert-manager": ("issuer", certs.issuer), "aws-private-ca": ("caArn", certs.ca_arn),
             "files": ("caFile", certs.ca_file)}
    if certs.source in needs and needs[certs.source][1] is None:
        yield doc.problem(path, f"certificate source {certs.source} needs {needs[certs.source][0]}")


def self_signed_ca_dev_only(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """A self-signed CA is refused unless the environment is dev and the waiver is given."""
    if bp.spec.security.tls.certificates.source != "self-signed":
        return
    path = ("spec", "security", "tls", "certificates", "source")
    if bp.spec.environment != "dev":
        yield doc.problem(path, "a self-signed CA is for dev environments only; set spec.environment: dev "
                          "or use cert-manager, files or aws-private-ca")
    elif not all(_waived(bp, "self-signed-ca", c.name) for c in bp.spec.clusters):
        yield doc.problem(path, "self-signed CA needs the self-signed-ca waiver for every cluster")


def waivers_reported(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Every waiver in effect is reported as a warning."""
    for w, waiver in enumerate(bp.spec.security.waivers):
        yield doc.problem(("spec", "security", "waivers", w),
                          f"waiver {waiver.name} weakens {', '.join(waiver.clusters)}: {waiver.reason}", "warning")


def principal_names_not_reserved(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Principal names cannot take the names of kgen's own principals."""
    for p, principal in enumerate(bp.spec.principals):
        if principal.name in RESERVED_PRINCIPALS or principal.name.startswith(FLOW_PRINCIPAL_PREFIX):
            yield doc.problem(("spec", "principals", p, "name"),
                              f"{principal.name!r} is reserved for kgen's own principals "
                              f"({', '.join(RESERVED_PRINCIPALS)}, mm2-*)")


def _secret_spelling(name: str) -> str:
    # Secret variable names (ansible-vault `vault_kafka_scram_<name>`) cannot hold - or .
    return name.replace("-", "_").replace(".", "_")


def principal_names_distinct_as_secrets(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Two principals cannot differ only by `-` and `.`: their SCRAM passwords would share
    one secret variable (ansible-vault `vault_kafka_scram_<name>` spells both with `_`)."""
    taken = {_secret_spelling(name): name for name in RESERVED_PRINCIPALS}
    for p, principal in enumerate(bp.spec.principals):
        spelled = _secret_spelling(principal.name)
        other = taken.get(spelled) or (f"{FLOW_PRINCIPAL_PREFIX}*" if spelled.startswith(_secret_spelling(FLOW_PRINCIPAL_PREFIX))
                                         else None)
        if other is not None and other != principal.name:
            yield doc.problem(("spec", "principals", p, "name"),
                              f"{principal.name!r} and {other!r} would share the secret variable "
                              f"vault_kafka_scram_{spelled}; rename one of them")
        taken.setdefault(spelled, principal.name)


def client_peers_given(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Warn when no client CIDR or namespace may reach the client listener."""
    clients = bp.spec.security.clients
    if not clients.cidrs and not clients.namespaces:
        yield doc.problem(("spec", "security", "clients"), "no client CIDRs or namespaces: only the "
                          "cluster's own nodes can reach the client listener", "warning")


def release_checksum_given(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Warn when the Ansible target has no checksum, given or shipped, to verify the Kafka archive against."""
    if "ansible" in bp.spec.targets and bp.spec.kafka.archive_checksum is None \
            and kafka_keys.release_checksum(bp.spec.kafka.version) is None:
        yield doc.problem(("spec", "kafka"), f"no archiveChecksum, and kgen ships none for Kafka "
                          f"{bp.spec.kafka.version}: the Ansible roles refuse to install it until "
                          "archiveChecksum holds the sha512 from the release's .sha512 file", "warning")


def mirrormaker_nodes_without_rest(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Warn that several dedicated MirrorMaker 2 nodes run without the internal REST server (KIP-710)."""
    workers = bp.spec.replication.mirror_maker.nodes_per_target
    if topology.flow_pairs(bp) and workers > 1:
        yield doc.problem(("spec", "replication", "mirrorMaker", "nodesPerTarget"),
                          f"{workers} MirrorMaker 2 nodes per target: in dedicated mode with more than one node, "
                          "MirrorMaker 2 can become unable to update task configurations unless its internal REST "
                          "server runs (KIP-710, dedicated.mode.enable.internal.rest); kgen leaves that server off "
                          "because its key table holds no Connect REST listener settings to put it behind TLS. "
                          "Use 1 node per target, or restart the workers after topics are added", "warning")


# --- Names -----------------------------------------------------------------------------

def node_names_fit_dns(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """Generated node names fit a 63-character DNS label, and host names 253 characters."""
    targets = {t for _, _, t in topology.flow_pairs(bp)}
    for i, cluster in _clusters(bp):
        workers = bp.spec.replication.mirror_maker.nodes_per_target if cluster.name in targets else 0
        reported: set[str] = set()
        for j, site in enumerate(cluster.sites):
            # A StatefulSet's pods carry controller-revision-hash=<name>-<10 chars>, a 63-character label.
            statefulset = f"{cluster.name}-controller-{site.name}"
            if len(statefulset) > _STATEFULSET_MAX:
                reported.add(site.name)
                yield doc.problem((*CLUSTERS, i, "sites", j, "name"),
                                  f"StatefulSet name {statefulset!r} is {len(statefulset)} characters, over "
                                  f"{_STATEFULSET_MAX}; shorten the cluster or site name")
        for site, name in topology.node_names(cluster, workers):
            if len(name) > _NODE_NAME_MAX and site not in reported:
                reported.add(site)
                j = next(k for k, s in enumerate(cluster.sites) if s.name == site)
                yield doc.problem((*CLUSTERS, i, "sites", j, "name"),
                                  f"node name {name!r} is {len(name)} characters, over 63; shorten the "
                                  "cluster or site name")
            elif len(f"{name}.{bp.spec.dns.zone}") > 253:
                yield doc.problem(("spec", "dns", "zone"), f"host name {name}.{bp.spec.dns.zone} would exceed "
                                  "253 characters; use a shorter zone")
                return


def created_vpc_has_cidr(bp: Blueprint, doc: Document) -> Iterator[Problem]:
    """A created VPC gives a network CIDR, /16 or narrower, wide enough for one subnet per site."""
    for i, cluster in _clusters(bp):
        if not cluster.network.create_vpc:
            continue
        if cluster.network.vpc_cidr is None:
            yield doc.problem((*CLUSTERS, i, "network", "createVpc"),
                              "createVpc: true needs network.vpcCidr, e.g. 10.20.0.0/16; kgen carves one "
                              "private subnet per site from it")
            continue
        path = (*CLUSTERS, i, "network", "vpcCidr")
        try:
            network = ipaddress.ip_network(cluster.network.vpc_cidr, strict=True)
        except ValueError as exc:
            yield doc.problem(path, f"{cluster.network.vpc_cidr} is not a network address: {exc}")
            continue
        per_region: dict[str, int] = {}
        for site in cluster.sites:
            region = site.region or cluster.region
            per_region[region] = per_region.get(region, 0) + 1
        smallest = topology.smallest_subnet_prefix(network.prefixlen, per_region)
        if network.prefixlen < topology.VPC_PREFIX_MIN or smallest > topology.SUBNET_PREFIX_MAX:
            widest = topology.SUBNET_PREFIX_MAX - (smallest - network.prefixlen)
            yield doc.problem(path, f"a created VPC is /{topology.VPC_PREFIX_MIN} to /{topology.SUBNET_PREFIX_MAX} "
                              f"and needs room for one subnet per site in {len(per_region)} region(s); "
                              f"use a /{topology.VPC_PREFIX_MIN} to /{widest} range, not /{network.prefixlen}")


RULES: tuple[Rule, ...] = (
    kafka_version_supported, cluster_count_fits_pattern, names_unique, cluster_roles_fit_pattern,
    controller_quorum_size, controller_site_counts, sites_fit_node_ids, stretch_sites, no_site_holds_quorum_majority,
    tiebreaker_site, broker_spread, replication_factor_fits, stretch_replica_per_site,
    min_insync_survives_site_loss, topic_name_legal, topic_name_collision, topic_partitions_positive,
    cluster_references_exist, flows_fit_pattern, flow_clusters_exist, hub_and_spoke_flows,
    dr_mode_matches_flows, identity_policy_without_cycle, alias_prefix_collision,
    config_keys_not_managed, config_keys_known, config_values_valid, plugin_config_is_for_plugins,
    tls12_needs_waiver, open_client_cidr_needs_waiver, certificate_source_complete,
    self_signed_ca_dev_only, waivers_reported, principal_names_not_reserved, principal_names_distinct_as_secrets,
    client_peers_given,
    node_names_fit_dns, created_vpc_has_cidr, release_checksum_given,
    mirrormaker_nodes_without_rest,
)


def run_rules(bp: Blueprint, doc: Document) -> list[Problem]:
    """Every rule's problems, errors and warnings together."""
    return [problem for rule in RULES for problem in rule(bp, doc)]
