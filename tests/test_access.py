"""The access matrix: the plan's one statement of who may reach whom, and the security
group rules that realise it on AWS, checked flow by flow in both directions.

The generated terraform test (run by test_target_terraform with the real Terraform)
proves the planned rule resources equal `terraform.resolved_rules`; this module proves
those rules admit every row of the matrix, in both directions, and nothing else. The
NetworkPolicy side is test_target_helm's
`test_network_policies_admit_exactly_the_access_matrix_in_both_directions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from test_target_terraform import VARIANTS

from kgen import access
from kgen.blueprint import validate_file
from kgen.plan import CLIENT_LISTENER, ClusterPlan, Plan, build_plan
from kgen.targets import terraform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _plan(path: Path) -> Plan:
    return build_plan(validate_file(path).blueprint)


class Rule(NamedTuple):
    region: str
    direction: str
    group: str
    peer: str
    protocol: str
    ports: str


class End(NamedTuple):
    """One end of a connection as AWS sees it: a group in a region of a cluster, or a CIDR."""

    cluster: str | None
    region: str | None
    group: str | None
    address: str


def _ends(plan: Plan, root: ClusterPlan, party: access.Party, inputs: dict[str, object]) -> list[End]:
    """Where a party's traffic comes from or goes to, with addresses as `root`'s variables give them."""
    if party.kind != access.NODES:
        defaults = {access.CLIENTS: list(plan.client_cidrs), access.MONITORING: list(plan.monitoring_cidrs),
                    access.AWS_APIS: list(terraform.EGRESS_HTTPS_DEFAULT)}
        return [End(None, None, None, cidr) for cidr in defaults[party.kind]]
    owner = plan.cluster(str(party.cluster))
    group = access.VM_ADMIN_ROLE if party.role == "admin" else str(party.role)
    hosts = [n for n in (*owner.nodes, *owner.mirrormakers) if n.role == group]
    assert hosts, f"{party} has no hosts"
    ends = []
    for region in sorted({n.region for n in hosts}):
        if owner.name != root.name:
            peers = inputs.get("peer_vpc_cidrs") or {}
            address = peers.get(owner.name) or str(owner.vpc_cidr)  # type: ignore[union-attr]
        elif (vpc := terraform.created_vpc(root)) is not None:
            address = vpc.region_cidrs[region]
        else:
            address = inputs.get("vpc_cidrs", {}).get(region, f"<the VPC of {region}>")  # type: ignore[union-attr]
        ends.append(End(owner.name, region, group, address))
    return ends


def _admits(rules: set[Rule], used: set[Rule], at: End, direction: str, peer: End, port: int) -> bool:
    """True when a rule of `at`'s group lets `peer` through on `port`; marks the rule used."""
    by_group = at.cluster == peer.cluster and at.region == peer.region and peer.group is not None
    wanted = peer.group if by_group else peer.address
    rule = Rule(str(at.region), direction, str(at.group), str(wanted), "tcp", f"{port}-{port}")
    used.add(rule)
    return rule in rules


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES] + sorted(VARIANTS))
def test_security_groups_admit_exactly_the_host_rows_in_both_directions(name: str, tmp_path: Path) -> None:
    """Every example, and the Terraform tests' variants: sites in two regions, created
    VPCs per region, a peer cluster whose VPC CIDR is known only at apply time."""
    if name in VARIANTS:
        path = tmp_path / f"{name}.yaml"
        path.write_text(VARIANTS[name], encoding="utf-8")
    else:
        path = ROOT / "examples" / f"{name}.yaml"
    plan = _plan(path)
    for root in plan.clusters:
        inputs = terraform.example_inputs(plan, root)
        rules = {Rule(*line.split(":", 5))
                 for region in terraform.regions_of(root)
                 for line in terraform.resolved_rules(plan, root, region, inputs)}
        used: set[Rule] = set()
        for row in access.involving(access.on(plan.access, access.VM), root.name):
            for source in _ends(plan, root, row.source, inputs):
                for target in _ends(plan, root, row.target, inputs):
                    if source.cluster == root.name:
                        assert _admits(rules, used, source, "egress", target, row.port), (root.name, row, source, target)
                    if target.cluster == root.name:
                        assert _admits(rules, used, target, "ingress", source, row.port), (root.name, row, source, target)
        assert rules == used, f"{name}/{root.name}: rules no row asks for: {sorted(rules - used)}"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_listener_and_flow_has_its_rows(path: Path) -> None:
    plan = _plan(path)
    for item in plan.listeners:
        assert any(row.listener == item.name for row in plan.access), item.name
    for cluster in plan.clusters:
        for flow in cluster.flows_in:
            worker = access.nodes(cluster.name, "mirrormaker", flow.name)
            targets = {(row.target.cluster, row.port) for row in plan.access
                       if row.source == worker and row.listener == CLIENT_LISTENER}
            client = next(item.port for item in plan.listeners if item.name == CLIENT_LISTENER)
            assert targets == {(cluster.name, client), (flow.source, client)}, flow.name
    # The chart runs no exporter, so no row opens a metrics port on Kubernetes.
    assert all(row.listener or row.port in (access.DNS_PORT,) for row in access.on(plan.access, access.K8S))


def test_the_admin_tools_on_the_brokers_reach_every_brokers_client_listener() -> None:
    """Ansible runs the topics/ACL reconciler on a broker against every broker's client
    listener: without this rule pair it would time out on day one unless the client CIDRs
    happened to cover the brokers' own subnets."""
    plan = _plan(ROOT / "examples" / "single-cluster.yaml")
    [cluster] = plan.clusters
    client = next(item.port for item in plan.listeners if item.name == CLIENT_LISTENER)
    lines = terraform.resolved_rules(plan, cluster, cluster.region, terraform.example_inputs(plan, cluster))
    assert f"{cluster.region}:ingress:broker:broker:tcp:{client}-{client}" in lines
    assert f"{cluster.region}:egress:broker:broker:tcp:{client}-{client}" in lines


def test_a_blueprint_without_clients_or_scrapers_opens_nothing_to_them() -> None:
    plan = _plan(ROOT / "examples" / "single-cluster.yaml")
    rows = access.matrix(plan.clusters, controller=plan.listeners[0], broker=plan.listeners[1],
                         client=plan.listeners[2], metrics_port=plan.metrics_port, client_cidrs=(),
                         client_namespaces=(), monitoring_cidrs=(), monitoring_namespaces=())
    kinds = {end.kind for row in rows for end in (row.source, row.target)}
    assert kinds == {access.NODES, access.AWS_APIS, access.CLUSTER_DNS}
