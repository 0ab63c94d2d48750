"""Terraform target: one root module per cluster, calling reusable local modules.

The modules under `templates/terraform/modules/` are static HCL copied verbatim; only
the roots are generated, and they only format plan facts (nodes, listeners, ports,
CIDRs, names). Template paths mirror output paths: `templates/terraform/cluster/x.j2`
renders `terraform/<cluster>/x` for every cluster, and `all-clusters/main.tf.j2` renders
the composition root that calls every cluster root as a module.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from kgen import access, topology
from kgen.artifacts import Artifact
from kgen.filters import hcl_ident, hcl_string, hcl_value
from kgen.plan import (
    BROKER_LISTENER,
    CLIENT_LISTENER,
    CONTROLLER_LISTENER,
    ClusterPlan,
    Listener,
    Node,
    Plan,
    listener,
)
from kgen.templating import render as render_template
from kgen.templating import static_files

ROOT_TEMPLATES = (
    ("versions.tf.j2", "versions.tf"),
    ("providers.tf.j2", "providers.tf"),
    ("variables.tf.j2", "variables.tf"),
    ("main.tf.j2", "main.tf"),
    ("outputs.tf.j2", "outputs.tf"),
    ("tests/cluster.tftest.hcl.j2", "tests/{cluster}.tftest.hcl"),
)
# Stand-in values a reader can recognise; terraform test and the README example use them.
EXAMPLE_AMI = "ami-0123456789abcdef0"
EXAMPLE_ZONE_ID = "Z0123456789EXAMPLE"
EXAMPLE_KMS_ARN = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000"
OPEN_CIDR = "0.0.0.0/0"
# Nodes reach the AWS APIs and the release mirror on 443; narrow it to endpoint or proxy CIDRs.
EGRESS_HTTPS_DEFAULT = (OPEN_CIDR,)
_SKIP = re.compile(r"#checkov:skip=(?P<id>[A-Z0-9_]+):\s*(?P<reason>.+)$")
NLB_NAME_MAX = 24
# AWS accepts VPC and subnet CIDRs from /16 to /28.
_RESOURCE = re.compile(r'^resource "(?P<type>[a-z0-9_]+)" "(?P<name>[a-z0-9_]+)"')
_BARE_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class RoleListeners:
    """The plan's listeners sorted by who uses them, for security group rules."""

    controller: Listener
    broker: Listener
    clients: tuple[Listener, ...]


def role_listeners(plan: Plan) -> RoleListeners:
    """Controller, inter-broker and client listeners, by the names the plan gives them."""
    clients = tuple(item for item in plan.listeners if item.name == CLIENT_LISTENER)
    return RoleListeners(listener(plan.listeners, CONTROLLER_LISTENER), listener(plan.listeners, BROKER_LISTENER),
                         clients)


@dataclass(frozen=True)
class SgRule:
    """One security group rule of one region's kafka-network module, from one access row.

    The peer is another role's group in the same region (`peer_group`) or CIDRs
    (`peer_cidrs`): a root variable, a VPC CIDR of another region of this cluster, or a
    peer cluster's VPC CIDR, as ("var", name) / ("region", region) / ("peer", cluster)."""

    direction: str
    group: str
    peer_group: str | None
    peer_cidrs: tuple[str, str] | None
    protocol: str
    port: int
    description: str


_EXTERNAL_CIDRS = {access.CLIENTS: "client_cidrs", access.MONITORING: "monitoring_cidrs",
                   access.AWS_APIS: "egress_https_cidrs"}


def host_role(party: access.Party) -> str:
    """The security group a party's hosts run in: the admin tools run on the brokers."""
    return access.VM_ADMIN_ROLE if party.role == "admin" else str(party.role)


def role_regions(cluster: ClusterPlan, role: str) -> list[str]:
    """The regions where `cluster` has hosts of `role`, home region first."""
    held = {n.region for n in (*cluster.nodes, *cluster.mirrormakers) if n.role == role}
    return [r for r in regions_of(cluster) if r in held]


def _peers(plan: Plan, cluster: ClusterPlan, region: str,
           party: access.Party) -> list[tuple[str | None, tuple[str, str] | None, str]]:
    """How `party` looks from a group in `region` of `cluster`: (group, CIDRs, words) each."""
    if party.kind != access.NODES:
        return [(None, ("var", _EXTERNAL_CIDRS[party.kind]), party.label)]
    if party.cluster != cluster.name:
        return [(None, ("peer", str(party.cluster)), f"{party.label} of peer cluster {party.cluster}")]
    role = host_role(party)
    label = f"{party.label} on the {role}s" if role != party.role else party.label
    return [(role, None, label) if there == region
            else (None, ("region", there), f"{label} in {there}")
            for there in role_regions(cluster, role)]


def security_group_rules(plan: Plan, cluster: ClusterPlan, region: str) -> list[SgRule]:
    """Every rule of `cluster`'s groups in `region`: each host row of the access matrix as
    an ingress rule on its target's group and an egress rule on its source's group."""
    rules: dict[tuple[Any, ...], SgRule] = {}
    for row in access.involving(access.on(plan.access, access.VM), cluster.name):
        what = f"{row.listener} listener" if row.listener else f"port {row.port}"
        ends = (("ingress", row.target, row.source, "from"), ("egress", row.source, row.target, "to"))
        for direction, own, other, word in ends:
            if own.kind != access.NODES or own.cluster != cluster.name:
                continue
            if region not in role_regions(cluster, host_role(own)):
                continue
            for group, cidrs, words in _peers(plan, cluster, region, other):
                rule = SgRule(direction, host_role(own), group, cidrs, row.protocol.lower(), row.port,
                              f"{what} {word} {words}: {row.why}")
                rules.setdefault((direction, rule.group, group, cidrs, rule.protocol, rule.port), rule)
    return list(rules.values())


def peer_clusters(plan: Plan, cluster: ClusterPlan) -> list[str]:
    """The other clusters an access row connects `cluster` with (MirrorMaker flows)."""
    ends = {end.cluster for row in access.involving(plan.access, cluster.name)
            for end in (row.source, row.target) if end.kind == access.NODES}
    return sorted(str(name) for name in ends - {cluster.name})


def _cidr_expression(cidrs: tuple[str, str] | None) -> str:
    if cidrs is None:
        return "[]"
    kind, name = cidrs
    if kind == "var":
        return f"var.{name}"
    return f"[{'local.vpc_cidrs' if kind == 'region' else 'var.peer_vpc_cidrs'}[{hcl_string(name)}]]"


def security_group_rules_hcl(rules: list[SgRule], indent: int) -> str:
    """The `rules` list of a kafka-network module call, one rule per line."""
    pad = " " * indent
    return "\n".join(
        f"{pad}{{ direction = {hcl_string(r.direction)}, group = {hcl_string(r.group)}, "
        f"peer_group = {hcl_value(r.peer_group)}, peer_cidrs = {_cidr_expression(r.peer_cidrs)}, "
        f"protocol = {hcl_string(r.protocol)}, port = {r.port}, description = {hcl_string(r.description)} }},"
        for r in rules)


def resolved_rules(plan: Plan, cluster: ClusterPlan, region: str, inputs: dict[str, Any]) -> list[str]:
    """The rules Terraform must create in `region` for the variables `inputs` (the other
    variables at their defaults), as the root's `security_group_rules` output spells them."""
    vpc = created_vpc(cluster)
    defaults = {"client_cidrs": list(plan.client_cidrs), "monitoring_cidrs": list(plan.monitoring_cidrs),
                "egress_https_cidrs": list(EGRESS_HTTPS_DEFAULT)}
    found: list[str] = []
    for rule in security_group_rules(plan, cluster, region):
        if rule.peer_cidrs is None:
            peers = [str(rule.peer_group)]
        elif rule.peer_cidrs[0] == "var":
            peers = inputs.get(rule.peer_cidrs[1], defaults[rule.peer_cidrs[1]])
        elif rule.peer_cidrs[0] == "region":
            peers = [vpc.region_cidrs[rule.peer_cidrs[1]] if vpc else inputs["vpc_cidrs"][rule.peer_cidrs[1]]]
        else:
            peer = rule.peer_cidrs[1]
            peers = [inputs.get("peer_vpc_cidrs", {}).get(peer) or str(plan.cluster(peer).vpc_cidr)]
        for peer in peers:
            line = f"{region}:{rule.direction}:{rule.group}:{peer}:{rule.protocol}:{rule.port}-{rule.port}"
            if line not in found:
                found.append(line)
    return sorted(found)


def short_name(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else a prefix plus a stable hash."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{text[:limit - 7].rstrip('-')}-{digest}"


def dns_zone_owner(plan: Plan) -> str:
    """The cluster whose root creates the private zone; the others join it."""
    for role in ("hub", "primary"):
        for cluster in plan.clusters:
            if cluster.role == role:
                return cluster.name
    return plan.clusters[0].name


def regions_of(cluster: ClusterPlan) -> list[str]:
    """The cluster's home region first, then any other region one of its sites is in."""
    others = sorted({site.region for site in cluster.sites} - {cluster.region})
    return [cluster.region, *others]


def open_client_cidr_waived(plan: Plan, cluster: ClusterPlan) -> bool:
    """True when the blueprint waives the closed client CIDR rule for this cluster."""
    return any(w.name == "open-client-cidr" for w in plan.waivers_of(cluster.name))


def secrets_of(plan: Plan, cluster: ClusterPlan) -> dict[str, str]:
    """Secret name (below the cluster's prefix) => description. kgen never sets values."""
    secrets = {
        "tls/keystore-password": f"Password of the PKCS12 keystores of {cluster.name}",
        "tls/truststore-password": f"Password of the PKCS12 truststores of {cluster.name}",
    }
    for user in cluster.scram_users:
        secrets[f"scram/{user}"] = f"SCRAM-SHA-512 password of User:{user} on {cluster.name}"
    return dict(sorted(secrets.items()))


def role_secrets(plan: Plan, cluster: ClusterPlan) -> dict[str, list[str]]:
    """Node role => the secrets (names from `secrets_of`) its nodes need: every role its
    TLS store passwords; with SCRAM, brokers the admin principal's password (they run the
    admin client) and MirrorMaker workers their flows' principals' passwords."""
    tls = [name for name in secrets_of(plan, cluster) if name.startswith("tls/")]
    admins = [p.name for p in plan.principals if p.kind == "admin" and p.name in cluster.scram_users]
    flows = sorted({f.principal for f in cluster.flows_in if f.principal in cluster.scram_users})
    grants: dict[str, list[str]] = {
        "controller": tls,
        "broker": tls + [f"scram/{name}" for name in admins],
    }
    if cluster.mirrormakers:
        grants["mirrormaker"] = tls + [f"scram/{name}" for name in flows]
    return grants


def _node_value(node: Node) -> dict[str, Any]:
    return {
        "role": node.role,
        "site": node.site,
        "zone": node.zone,
        "node_id": node.node_id,
        "hostname": node.hostname,
        "instance_type": node.instance_type,
        "volumes": [
            {"device": v.device, "mount": v.mount, "size_gib": v.size_gib, "type": v.type, "iops": v.iops,
             "throughput_mibps": v.throughput_mibps}
            for v in node.volumes
        ],
    }


def hcl_key(key: str) -> str:
    """An object key: bare when it is a plain identifier, else a quoted string."""
    if _BARE_KEY.match(key) and key not in ("true", "false", "null"):
        return key
    return hcl_string(key)


def hcl_lines(mapping: dict[str, Any], indent: int) -> str:
    """A map as `terraform fmt`-clean HCL lines: nested maps span lines, runs of
    single-line items have their `=` aligned the way fmt aligns them."""
    pad = " " * indent
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
        run.clear()

    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            flush()
            lines.append(f"{pad}{hcl_key(key)} = {{")
            lines.append(hcl_lines(value, indent + 2))
            lines.append(f"{pad}}}")
        else:
            run.append((hcl_key(key), hcl_value(value)))
    flush()
    return "\n".join(lines)


def hcl_expression_lines(mapping: dict[str, str], indent: int) -> str:
    """Aligned `key = expression` lines; the expressions are kgen's own references."""
    pad = " " * indent
    width = max((len(hcl_key(k)) for k in mapping), default=0)
    return "\n".join(f"{pad}{hcl_key(k).ljust(width)} = {v}" for k, v in mapping.items())


@dataclass(frozen=True)
class CreatedVpc:
    """How a cluster with `createVpc` carves its VPC CIDR: one block per region, one
    subnet per site. The roots compute the same blocks with `cidrsubnet`; this copy
    lets tests and the README state the expected CIDRs."""

    cidr: str
    region_newbits: int
    region_cidrs: dict[str, str]
    subnet_newbits: dict[str, int]
    netnums: dict[str, int]
    subnet_cidrs: dict[str, str]


def created_vpc(cluster: ClusterPlan) -> CreatedVpc | None:
    """The carving of the cluster's VPC CIDR, or None when the cluster uses existing VPCs."""
    if not cluster.create_vpc or cluster.vpc_cidr is None:
        return None
    # AWS wants the network address; the model only checks the CIDR's shape.
    network = ipaddress.ip_network(cluster.vpc_cidr, strict=True)  # the rules refuse host bits
    regions = regions_of(cluster)
    sites_in = {region: [s.name for s in cluster.sites if s.region == region] for region in regions}
    # rules.created_vpc_has_cidr already refused a CIDR these blocks do not fit in.
    region_newbits, subnet_newbits = topology.vpc_carving({r: len(s) for r, s in sites_in.items()})
    blocks = list(network.subnets(region_newbits))
    region_cidrs: dict[str, str] = {}
    netnums: dict[str, int] = {}
    subnet_cidrs: dict[str, str] = {}
    for block, region in zip(blocks, regions, strict=False):
        region_cidrs[region] = str(block)
        carved = list(block.subnets(subnet_newbits[region]))
        for netnum, site in enumerate(sites_in[region]):
            netnums[site] = netnum
            subnet_cidrs[site] = str(carved[netnum])
    return CreatedVpc(str(network), region_newbits, region_cidrs, subnet_newbits, netnums, subnet_cidrs)


def example_inputs(plan: Plan, cluster: ClusterPlan) -> dict[str, Any]:
    """Stand-in values for the root's required variables: used by the generated
    terraform test, the README and the all-clusters composition root."""
    inputs: dict[str, Any] = {}
    if created_vpc(cluster) is None:
        inputs["vpc_ids"] = {region: f"vpc-{_hex(cluster.name + region, 17)}"
                             for region in regions_of(cluster)}
        inputs["subnet_ids"] = {site.name: f"subnet-{_hex(cluster.name + site.name, 17)}"
                                for site in cluster.sites}
    inputs["ami_ids"] = dict.fromkeys(regions_of(cluster), EXAMPLE_AMI)
    if len(regions_of(cluster)) > 1 and created_vpc(cluster) is None:
        inputs["vpc_cidrs"] = {region: f"10.{200 + index}.0.0/16"
                               for index, region in enumerate(regions_of(cluster))}
    if dns_zone_owner(plan) != cluster.name:
        inputs["dns_zone_id"] = EXAMPLE_ZONE_ID
    peers = peer_clusters(plan, cluster)
    if peers and any(plan.cluster(p).vpc_cidr is None for p in peers):
        inputs["peer_vpc_cidrs"] = {p: plan.cluster(p).vpc_cidr or f"10.{210 + i}.0.0/16"
                                    for i, p in enumerate(peers)}
    return inputs


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _cluster_context(plan: Plan, cluster: ClusterPlan) -> dict[str, Any]:
    listeners = role_listeners(plan)
    regions = regions_of(cluster)
    peers = peer_clusters(plan, cluster)
    peer_cidrs = {p: plan.cluster(p).vpc_cidr for p in peers}
    prefix = short_name(f"{plan.name}-{cluster.name}", 40)
    nodes = (*cluster.nodes, *cluster.mirrormakers)
    sites = {site.name: site for site in cluster.sites}
    vpc = created_vpc(cluster)
    return {
        "plan": plan,
        "cluster": cluster,
        "listeners": listeners,
        "home_region": cluster.region,
        "regions": [{"name": r, "ident": hcl_ident(r), "home": r == cluster.region,
                     "sites": [s.name for s in cluster.sites if s.region == r],
                     "has_brokers": any(n.role == "broker" and n.region == r for n in nodes),
                     "has_mirrormaker": any(n.role == "mirrormaker" and n.region == r for n in nodes),
                     "vpc_name": short_name(f"{prefix}-{r}", 64),
                     "flow_log_role": short_name(f"{prefix}-flow-logs-{r}", 64),
                     "subnet_newbits": vpc.subnet_newbits[r] if vpc else 0,
                     "subnets_hcl": hcl_lines({s.name: {"zone": s.zone, "netnum": vpc.netnums[s.name]}
                                               for s in cluster.sites if s.region == r}, 4) if vpc else ""}
                    for r in regions],
        "vpc": vpc,
        "region_cidrs_hcl": hcl_expression_lines(
            {r: (f"cidrsubnet(local.vpc_cidr, {vpc.region_newbits}, {i})" if vpc.region_newbits
                 else "local.vpc_cidr") for i, r in enumerate(regions)}, 4) if vpc else "",
        "route_tables_hcl": hcl_expression_lines(
            {r: f"module.vpc_{hcl_ident(r)}.route_table_id" for r in regions}, 4),
        "vpc_settings_hcl": hcl_expression_lines(
            {r: f"module.vpc_{hcl_ident(r)}.settings" for r in regions}, 4),
        "vpc_ids_hcl": hcl_expression_lines({r: f"module.vpc_{hcl_ident(r)}.vpc_id" for r in regions}, 4),
        "flow_log_group": f"/kgen/{plan.name}/{cluster.name}/vpc-flow-logs",
        "expected_subnets": vpc.subnet_cidrs if vpc else {},
        "multi_region": len(regions) > 1,
        "nodes_hcl": hcl_lines({n.name: _node_value(n) for n in nodes}, 4),
        "node_regions_hcl": hcl_lines({n.name: n.region for n in nodes}, 4),
        "site_regions_hcl": hcl_lines({s.name: s.region for s in cluster.sites}, 4),
        "sites": cluster.sites,
        "site_names": [s.name for s in cluster.sites],
        "broker_sites": [s.name for s in cluster.sites if s.brokers],
        "counts": [{"site": s.name, "role": role,
                    "count": sum(1 for n in nodes if n.site == s.name and n.role == role)}
                   for s in cluster.sites for role in ("controller", "broker", "mirrormaker")],
        "controllers_total": sum(1 for n in nodes if n.role == "controller"),
        "survives_site_loss": cluster.quorum.survives_any_site_loss and len(sites) > 1,
        "quorum_majority": cluster.quorum.majority,
        "with_mirrormaker": bool(cluster.mirrormakers),
        "security_group_rules_hcl": {r: security_group_rules_hcl(security_group_rules(plan, cluster, r), 4)
                                     for r in regions},
        "expected_security_group_rules": [line for r in regions for line in resolved_rules(
            plan, cluster, r, example_inputs(plan, cluster))],
        "egress_https_default": list(EGRESS_HTTPS_DEFAULT),
        "peers": peers,
        "peer_cidrs_known": all(peer_cidrs.values()),
        "peer_cidrs_hcl": hcl_lines(peer_cidrs, 4) if all(peer_cidrs.values()) else "",
        "open_client_cidr": open_client_cidr_waived(plan, cluster),
        "zone_owner": dns_zone_owner(plan) == cluster.name,
        "zone_owner_name": dns_zone_owner(plan),
        "prefix": prefix,
        "nlb_name": short_name(f"{plan.name}-{cluster.name}", NLB_NAME_MAX),
        "kms_alias": f"kgen/{plan.name}/{cluster.name}",
        "secret_prefix": f"kgen/{plan.name}/{cluster.name}",
        "secrets_hcl": hcl_lines(secrets_of(plan, cluster), 4),
        "role_secrets": role_secrets(plan, cluster),
        "role_secrets_hcl": {
            role: hcl_expression_lines({n: f"module.secrets.arns[{hcl_string(n)}]" for n in names}, 8)
            for role, names in role_secrets(plan, cluster).items()},
        "log_group": f"/kgen/{plan.name}/{cluster.name}/kafka",
        "tags_hcl": hcl_lines({**plan.labels, "kgen:blueprint": plan.name, "kgen:cluster": cluster.name}, 4),
        "test_inputs_hcl": hcl_lines(example_inputs(plan, cluster), 2),
        "example_kms_arn": EXAMPLE_KMS_ARN,
        "security_groups_hcl": hcl_expression_lines(
            {r: f"module.network_{hcl_ident(r)}.security_group_ids" for r in regions}, 4),
        "kms_keys_hcl": hcl_expression_lines({r: f"module.kms_{hcl_ident(r)}.key_arn" for r in regions}, 4),
    }


def composition_roots(plan: Plan) -> list[dict[str, Any]]:
    """Each cluster root as a module call of `terraform/all-clusters`: example inputs, the
    non-owner roots joining the owner's zone, and account-wide EBS encryption by default
    managed by the first root of each region only."""
    owner = dns_zone_owner(plan)
    seen_regions: set[str] = set()
    calls: list[dict[str, Any]] = []
    for cluster in plan.clusters:
        inputs = example_inputs(plan, cluster)
        expressions: dict[str, str] = {}
        if "dns_zone_id" in inputs:
            del inputs["dns_zone_id"]
            expressions["dns_zone_id"] = f"module.{hcl_ident(owner)}.dns_zone_id"
        regions = regions_of(cluster)
        if seen_regions & set(regions):
            inputs["manage_ebs_encryption_by_default"] = False
        seen_regions.update(regions)
        calls.append({"cluster": cluster, "ident": hcl_ident(cluster.name),
                      "inputs_hcl": hcl_lines(inputs, 2),
                      "expressions_hcl": hcl_expression_lines(expressions, 2)})
    return calls


def skips_in(artifacts: list[Artifact]) -> list[dict[str, str]]:
    """Every `#checkov:skip=ID: reason` in the rendered HCL, with its file and resource."""
    found = []
    for artifact in artifacts:
        resource = ""
        for line in artifact.content.splitlines():
            header = _RESOURCE.match(line)
            if header:
                resource = f"{header['type']}.{header['name']}"
            match = _SKIP.search(line.strip())
            if match:
                found.append({"id": match["id"], "reason": match["reason"].strip(), "path": artifact.path,
                              "resource": resource})
    return sorted(found, key=lambda s: (s["path"], s["resource"], s["id"]))


def render(plan: Plan) -> list[Artifact]:
    """Every Terraform file for `plan`: shared modules, one root per cluster, README, SKIPS."""
    artifacts = [Artifact(f"terraform/modules/{rel}", text)
                 for rel, text in static_files("terraform/modules")]
    for cluster in plan.clusters:
        context = _cluster_context(plan, cluster)
        for template, output in ROOT_TEMPLATES:
            path = f"terraform/{cluster.name}/{output.format(cluster=cluster.name)}"
            artifacts.append(Artifact(path, render_template(f"terraform/cluster/{template}", **context)))
    artifacts.append(Artifact("terraform/all-clusters/main.tf", render_template(
        "terraform/all-clusters/main.tf.j2", plan=plan, roots=composition_roots(plan),
        zone_owner=dns_zone_owner(plan), zone_joiners=len(plan.clusters) > 1)))
    roots = [{"cluster": c, "tfvars": hcl_lines(example_inputs(plan, c), 0), "regions": regions_of(c),
              "secrets": secrets_of(plan, c), "role_secrets": role_secrets(plan, c), "vpc": created_vpc(c)}
             for c in plan.clusters]
    artifacts.append(Artifact("terraform/README.md", render_template(
        "terraform/README.md.j2", plan=plan, roots=roots, listeners=role_listeners(plan),
        access_tables={c.name: access.table(access.involving(access.on(plan.access, access.VM), c.name))
                       for c in plan.clusters},
        created_vpc_roots=[r for r in roots if r["vpc"]],
        existing_vpc_roots=[r for r in roots if not r["vpc"]],
        zone_owner=dns_zone_owner(plan))))
    artifacts.append(Artifact("terraform/SKIPS.md", render_template(
        "terraform/SKIPS.md.j2", plan=plan, skips=skips_in(artifacts))))
    return sorted(artifacts)
