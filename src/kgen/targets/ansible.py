"""The Ansible target: an inventory and variables from the plan, plus static roles.

Roles and playbooks are copied verbatim from `templates/ansible/`. Everything that
varies per blueprint is data the roles read: the inventory (groups per cluster and
role), each node's `server.properties` as the plan computed it, each flow's
`mm2.properties`, topics and ACLs, and secrets as references to vault variables.
"""

from __future__ import annotations

import json
from typing import Any

from kgen import templating, topics_acls
from kgen.artifacts import Artifact
from kgen.errors import InternalError
from kgen.identities import ADMIN_PRINCIPAL
from kgen.plan import (
    CLIENT_LISTENER,
    CONFIG_DIR,
    CONTROLLER_LISTENER,
    DATA_ROOT,
    FILE_PROVIDER,
    METADATA_DIR,
    SCRAM_ITERATIONS,
    SECRETS_FILE,
    TLS_DIR,
    ClusterPlan,
    Node,
    Plan,
    listener,
)

ROOT = "ansible"
# Kafka 3.x ships Scala 2.12 and 2.13 builds; 4.x ships 2.13 only.
SCALA_VERSION = "2.13"
JMX_EXPORTER_VERSION = "1.0.1"
# SHA-256 of io/prometheus/jmx/jmx_prometheus_javaagent/1.0.1/jmx_prometheus_javaagent-1.0.1.jar
# on Maven Central, as nixpkgs pins it (pkgs/by-name/pr/prometheus-jmx-javaagent, hash
# sha256-fWH3N/1mFhDMwUrqeXZPqh6pSjQMvI8AKbPS7eo9gME=); see docs/reference-data.md.
JMX_EXPORTER_SHA256 = "7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1"
JMX_EXPORTER_JAR = f"/opt/jmx-exporter/jmx_prometheus_javaagent-{JMX_EXPORTER_VERSION}.jar"
ROLE_GROUPS = ("controllers", "brokers", "mirrormakers")


WRAP_AT = 80


def yaml_string(value: Any, indent: int) -> str:
    """A double-quoted YAML string for an Ansible vars file, wrapped so no line runs long.

    YAML drops an escaped line break and the next line's leading blanks, so breaks go
    only before characters that are not blanks: the value reads back unchanged. A value
    that could hold a Jinja delimiter is tagged `!unsafe`, so Ansible never templates
    it. Only those: Ansible re-resolves an `!unsafe` scalar as if it were plain, which
    would turn a quoted "false" into a boolean.
    """
    text = str(value)
    tag = "!unsafe " if "{" in text else ""
    tokens = [json.dumps(char, ensure_ascii=False)[1:-1] for char in text]
    if sum(len(token) for token in tokens) <= WRAP_AT:
        return tag + '"' + "".join(tokens) + '"'
    lines: list[str] = []
    current = ""
    for token in tokens:
        if len(current) >= WRAP_AT and token not in (" ", "\\t"):
            lines.append(current)
            current = ""
        current += token
    lines.append(current)
    pad = " " * indent
    return tag + '"' + ("\\\n" + pad).join(lines) + '"'


def group_of(cluster: str) -> str:
    """The inventory group of a cluster; Ansible group names cannot hold dashes."""
    return "cluster_" + cluster.replace("-", "_")


def vault_variable(principal: str) -> str:
    """The ansible-vault variable that holds a principal's SCRAM password."""
    return "vault_kafka_scram_" + principal.replace("-", "_").replace(".", "_")


def admin_properties(plan: Plan) -> dict[str, str]:
    """Client settings for the kgen-admin principal: topics, ACLs and health checks."""
    props = {
        "config.providers": "file",
        "config.providers.file.class": FILE_PROVIDER,
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": f"{TLS_DIR}/truststore.p12",
        "ssl.truststore.password": f"${{file:{SECRETS_FILE}:truststore.password}}",
        "ssl.enabled.protocols": ",".join(plan.tls_protocols),
        "ssl.endpoint.identification.algorithm": "https",
    }
    if plan.client_authentication == "mtls":
        props.update({
            "security.protocol": "SSL",
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": f"{TLS_DIR}/{ADMIN_PRINCIPAL}.p12",
            "ssl.keystore.password": f"${{file:{SECRETS_FILE}:keystore.password}}",
        })
    else:
        props.update({
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{ADMIN_PRINCIPAL}" '
                f'password="${{file:{SECRETS_FILE}:{ADMIN_PRINCIPAL}.password}}";'),
        })
    return dict(sorted(props.items()))


def _health_port(plan: Plan, node: Node) -> int:
    name = CONTROLLER_LISTENER if node.role == "controller" else CLIENT_LISTENER
    return listener(plan.listeners, name).port


def _client_principals(cluster: ClusterPlan, node: Node) -> list[str]:
    """Client identities a node needs: the admin on brokers, flow principals on MirrorMakers."""
    if node.role == "broker":
        return [ADMIN_PRINCIPAL]
    if node.role == "mirrormaker":
        return sorted({flow.principal for flow in cluster.flows_in})
    return []


def _host_vars(plan: Plan, cluster: ClusterPlan, node: Node) -> list[tuple[str, Any]]:
    values: list[tuple[str, Any]] = [
        ("ansible_host", node.hostname),
        ("kafka_node_name", node.name),
        ("kafka_node_role", node.role),
    ]
    if node.principal is not None:
        values.append(("kafka_principal", node.principal))
    if node.node_id is not None:
        values.append(("kafka_node_id", node.node_id))
    values += [
        ("kafka_rack", node.site),
        ("kafka_fqdn", node.hostname),
        ("kafka_client_principals", _client_principals(cluster, node)),
    ]
    if node.role != "mirrormaker":
        values.append(("kafka_health_port", _health_port(plan, node)))
    return values


def _inventory(plan: Plan) -> str:
    groups: dict[str, list[str]] = {role: [] for role in ROLE_GROUPS}
    clusters = []
    for cluster in plan.clusters:
        group = group_of(cluster.name)
        by_role = {
            "controllers": [n for n in cluster.nodes if n.role == "controller"],
            "brokers": [n for n in cluster.nodes if n.role == "broker"],
            "mirrormakers": list(cluster.mirrormakers),
        }
        roles = []
        for role in ROLE_GROUPS:
            if by_role[role]:
                groups[role].append(f"{group}_{role}")
                hosts = [{"name": n.name, "vars": _host_vars(plan, cluster, n)} for n in by_role[role]]
                roles.append((role, hosts))
        clusters.append({"group": group, "roles": roles})
    return templating.render("ansible/inventory/hosts.yml.j2", plan=plan, groups=groups, clusters=clusters)


def _scram_references(plan: Plan) -> dict[str, str]:
    names = sorted({user for cluster in plan.clusters for user in cluster.scram_users})
    references = {name: vault_variable(name) for name in names}
    clashing = sorted(n for n in names if list(references.values()).count(references[n]) > 1)
    if clashing:
        # rules.principal_names_distinct_as_secrets refuses such a blueprint.
        raise InternalError(f"principals {', '.join(clashing)} would share the ansible-vault variable "
                            f"{references[clashing[0]]}")
    return references


def _prometheus_targets(plan: Plan) -> str:
    targets = []
    for cluster in plan.clusters:
        for node in (*cluster.nodes, *cluster.mirrormakers):
            ports = [plan.metrics_port]
            if node.role == "mirrormaker":
                # One MirrorMaker process per incoming flow, each with its own agent port.
                ports = [flow.metrics_port for flow in cluster.flows_in]
            targets += [{"address": f"{node.hostname}:{port}", "cluster": cluster.name, "role": node.role,
                         "node": node.name} for port in ports]
    return templating.render("ansible/prometheus/targets.yml.j2", plan=plan, targets=targets)


def _runbook(plan: Plan) -> str:
    return templating.render(
        "ansible/RUNBOOK.md.j2", plan=plan, admin=ADMIN_PRINCIPAL, config_dir=CONFIG_DIR,
        kafka_bin=f"/opt/kafka/kafka_{SCALA_VERSION}-{plan.kafka_version}/bin",
        flows=[flow for cluster in plan.clusters for flow in cluster.flows_in],
    )


def render(plan: Plan) -> list[Artifact]:
    """The Ansible tree for `plan`: inventory, variables, playbooks and roles."""
    artifacts = [
        Artifact(f"{ROOT}/.ansible-lint", templating.render("ansible/ansible-lint.j2")),
        Artifact(f"{ROOT}/inventory/hosts.yml", _inventory(plan)),
        Artifact(f"{ROOT}/inventory/group_vars/all/main.yml", templating.render(
            "ansible/inventory/group_vars/all/main.yml.j2", plan=plan,
            cluster_names=[c.name for c in plan.clusters], scala_version=SCALA_VERSION,
            mirror=plan.mirror_url.removeprefix("https://").rstrip("/"),
            jmx_exporter_version=JMX_EXPORTER_VERSION, jmx_exporter_jar=JMX_EXPORTER_JAR,
            jmx_exporter_sha256=JMX_EXPORTER_SHA256,
            scram_iterations=SCRAM_ITERATIONS, admin_properties=admin_properties(plan),
            paths={"config": CONFIG_DIR, "tls": TLS_DIR, "secrets": SECRETS_FILE, "data": DATA_ROOT,
                   "metadata": METADATA_DIR},
            wrap=yaml_string,
        )),
        Artifact(f"{ROOT}/inventory/group_vars/all/secrets.yml", templating.render(
            "ansible/inventory/group_vars/all/secrets.yml.j2", scram_references=_scram_references(plan))),
        Artifact(f"{ROOT}/prometheus/targets.yml", _prometheus_targets(plan)),
    ]
    for cluster in plan.clusters:
        group = group_of(cluster.name)
        artifacts.append(Artifact(f"{ROOT}/inventory/group_vars/{group}.yml", templating.render(
            "ansible/inventory/group_vars/cluster.yml.j2", plan=plan, cluster=cluster, group=group,
            wrap=yaml_string)))
        artifacts.append(Artifact(f"{ROOT}/topics-acls/{cluster.name}.tsv", topics_acls.state(plan, cluster)))
        for node in cluster.nodes:
            artifacts.append(Artifact(f"{ROOT}/inventory/host_vars/{node.name}.yml", templating.render(
                "ansible/inventory/host_vars/node.yml.j2", node=node, wrap=yaml_string)))
    for folder, prefix in (("ansible/playbooks", ROOT), ("ansible/roles", f"{ROOT}/roles")):
        artifacts += [Artifact(f"{prefix}/{path}", text) for path, text in templating.static_files(folder)]
    artifacts.append(Artifact(f"{ROOT}/roles/topics_acls/files/{topics_acls.SCRIPT}", topics_acls.script(),
                              executable=True))
    if plan.pattern == "dr":
        dr_playbooks = templating.static_files("ansible/dr")
        artifacts += [Artifact(f"{ROOT}/{path}", text) for path, text in dr_playbooks]
    if plan.pattern in ("dr", "hub-and-spoke"):
        artifacts.append(Artifact(f"{ROOT}/RUNBOOK.md", _runbook(plan)))
    return sorted(artifacts)
