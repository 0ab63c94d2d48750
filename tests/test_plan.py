"""The plan: every emitted key is real, and the security invariants hold for every node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kgen import kafka_keys


def _explain_json(example: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "kgen.cli", "explain", "--format", "json", str(example)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_property_is_a_real_key(example: Path) -> None:
    plan = _explain_json(example)
    broker = kafka_keys.keys_for(plan["kafka_version"], "broker")
    checked = 0
    for cluster in plan["clusters"]:
        for node in cluster["nodes"]:
            for props in (node["properties"], node["k8s_properties"]):
                for key in props:
                    assert broker.spec(key) is not None, f"{node['name']}: {key} is not a Kafka key"
                    checked += 1
        aliases = [c["name"] for c in plan["clusters"]]
        for flow in cluster["flows_in"]:
            for key in flow["properties"]:
                assert kafka_keys.mm2_spec(plan["kafka_version"], key, aliases) is not None, \
                    f"{flow['name']}: {key} is not a MirrorMaker 2 key"
                checked += 1
    assert checked > 100


def test_security_invariants_on_every_node(example: Path) -> None:
    plan = _explain_json(example)
    for cluster in plan["clusters"]:
        for node in cluster["nodes"]:
            props = node["properties"]
            protocols = dict(p.split(":") for p in props["listener.security.protocol.map"].split(","))
            assert "PLAINTEXT" not in protocols.values() and "SASL_PLAINTEXT" not in protocols.values()
            assert props["controller.listener.names"] == "CONTROLLER"
            assert props["authorizer.class.name"].endswith("StandardAuthorizer")
            assert props["allow.everyone.if.no.acl.found"] == "false"
            assert props["ssl.endpoint.identification.algorithm"] == "https"
            assert "TLSv1.3" in props["ssl.enabled.protocols"]
            assert props["super.users"] == "User:kafka-broker;User:kafka-controller;User:kgen-admin"
            if node["role"] == "controller":
                assert props["listener.name.controller.ssl.client.auth"] == "required"
            for key, value in props.items():
                if "password" in key:
                    assert value.startswith("${file:"), f"{key} must be a file reference"
            if node["role"] == "broker":
                assert props["inter.broker.listener.name"] == "BROKER"
                assert props["listener.name.broker.ssl.client.auth"] == "required"
                assert props["auto.create.topics.enable"] == "false"
                assert props["unclean.leader.election.enable"] == "false"
                assert props["broker.rack"] == node["site"]
                if plan["client_authentication"] == "mtls":
                    assert protocols["CLIENT"] == "SSL"
                    assert props["listener.name.client.ssl.client.auth"] == "required"
                else:
                    assert protocols["CLIENT"] == "SASL_SSL"
                    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
                if plan["pattern"] == "stretch":
                    assert props["replica.selector.class"].endswith("RackAwareReplicaSelector")


def test_quorum_and_ids(example: Path) -> None:
    plan = _explain_json(example)
    for cluster in plan["clusters"]:
        ids = [n["node_id"] for n in cluster["nodes"]]
        assert len(ids) == len(set(ids))
        voters = cluster["nodes"][0]["properties"]["controller.quorum.voters"].split(",")
        controllers = [n for n in cluster["nodes"] if n["role"] == "controller"]
        assert len(voters) == len(controllers) in (3, 5)
        assert cluster["quorum"]["survives_any_site_loss"]
        names = [n["name"] for n in cluster["nodes"]]
        assert len(names) == len(set(names))
        assert all(len(n) <= 63 for n in names)


def test_each_flow_into_a_cluster_has_its_own_exporter_port(example: Path) -> None:
    plan = _explain_json(example)
    for cluster in plan["clusters"]:
        ports = [flow["metrics_port"] for flow in cluster["flows_in"]]
        # One MirrorMaker 2 process per flow on the same hosts: consecutive from the metrics port.
        assert ports == list(range(plan["metrics_port"], plan["metrics_port"] + len(ports)))


def _single_at(tmp_path: Path, version: str) -> Path:
    import yaml

    data = yaml.safe_load((Path(__file__).parent.parent / "examples" / "single-cluster.yaml").read_text())
    data["spec"]["kafka"]["version"] = version
    path = tmp_path / f"single-{version}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_controllers_advertise_their_listener_only_where_kafka_accepts_it(tmp_path: Path) -> None:
    """3.7/3.8 refuse advertised.listeners on a controller-only node; 3.9+ take it (KIP-853).

    Asserted on the plan and on each target's rendered configuration; the Kafka lab boots 3.7.
    """
    from kgen.checkers.kafka_config import server_problems
    from kgen.properties import parse_properties

    for version, refused in (("3.7.2", True), ("3.8.1", True), ("3.9.1", False), ("4.1.1", False)):
        out = tmp_path / version
        done = subprocess.run([sys.executable, "-m", "kgen.cli", "render", str(_single_at(tmp_path, version)),
                               "-o", str(out)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        plan = _explain_json(_single_at(tmp_path, version))
        for node in plan["clusters"][0]["nodes"]:
            for props in (node["properties"], node["k8s_properties"]):
                expected = node["role"] == "broker" or not refused
                assert ("advertised.listeners" in props) is expected, (version, node["name"])
        helm = sorted((out / "helm").rglob("*controller*.properties"))
        ansible = sorted((out / "ansible" / "inventory" / "host_vars").glob("*controller*.yml"))
        assert helm and ansible
        for path in helm + ansible:
            assert ("advertised.listeners" in path.read_text(encoding="utf-8")) is not refused, path
        # The static check knows the rule too: it refuses the key where Kafka would.
        controller = next(n for n in plan["clusters"][0]["nodes"] if n["role"] == "controller")
        text = "".join(f"{k}={v}\n" for k, v in controller["properties"].items())
        text += "advertised.listeners=CONTROLLER://c.example:9093\n"
        rules = {rule for _, rule, _ in server_problems(parse_properties(text), version)}
        assert ("controller-advertised-listeners" in rules) is refused, version


def _plan_of(path: Path):  # type: ignore[no-untyped-def]
    from kgen.blueprint import validate_file
    from kgen.plan import build_plan

    return build_plan(validate_file(path).blueprint)


def test_node_ids_never_change_when_a_cluster_grows(tmp_path: Path) -> None:
    """Kafka keeps a node's id in meta.properties: growing a site or adding one keeps every id."""
    import yaml

    source = Path(__file__).parent.parent / "examples" / "single-cluster.yaml"
    before = _plan_of(source)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    cluster = data["spec"]["clusters"][0]
    cluster["brokers"]["count"] += 5
    cluster["sites"].append({"name": "d", "zone": "eu-west-1a"})
    grown_path = tmp_path / "grown.yaml"
    grown_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    after = _plan_of(grown_path)
    old = {n.name: n.node_id for c in before.clusters for n in c.nodes}
    new = {n.name: n.node_id for c in after.clusters for n in c.nodes}
    assert len(new) > len(old)
    assert {name: new[name] for name in old} == old
    assert len(set(new.values())) == len(new)
    for plan in (before, after):
        for node in plan.clusters[0].nodes:
            assert (node.node_id >= 9000) is (node.role == "controller"), node.name
    assert new["orders-euw1-broker-d-0"] == 3001


def test_a_users_cluster_default_reaches_the_controllers_and_broker_keys_stay_off_them() -> None:
    """`config: {num.partitions: 12}` is read on the active controller; broker-only keys are not."""
    plan = _plan_of(Path(__file__).parent.parent / "examples" / "single-cluster.yaml")
    cluster = plan.clusters[0]
    controllers = [n for n in cluster.nodes if n.role == "controller"]
    brokers = [n for n in cluster.nodes if n.role == "broker"]
    assert brokers[0].properties["num.partitions"] == "12"
    assert "log.retention.hours" in brokers[0].properties
    for node in controllers:
        for key in kafka_keys.CONTROLLER_READ_DEFAULTS:
            assert node.properties[key] == brokers[0].properties[key], (node.name, key)
            assert node.k8s_properties[key] == brokers[0].k8s_properties[key], (node.name, key)
        assert "log.retention.hours" not in node.properties
        assert "broker.rack" not in node.properties


def test_mirrormaker_may_commit_translated_offsets_and_grow_partitions(example: Path) -> None:
    """OffsetCommit authorizes Read on the group and the topic; CreatePartitions authorizes Alter."""
    plan = _plan_of(example)
    for cluster in plan.clusters:
        for flow in cluster.flows_in:
            mine = [a for a in cluster.acls if a.principal == f"User:{flow.principal}" and a.resource_type == "topic"]
            mirrored = {a.name for a in mine if a.operation == "Create"} - {
                "heartbeats", f"{flow.source}.checkpoints.internal", f"mm2-configs.{flow.source}.internal",
                f"mm2-offsets.{flow.source}.internal", f"mm2-status.{flow.source}.internal"}
            assert mirrored, flow.name
            for name in mirrored:
                ops = {a.operation for a in mine if a.name == name}
                assert "Alter" in ops, (flow.name, name)
                assert ("Read" in ops) is flow.sync_group_offsets, (flow.name, name)
            if flow.sync_group_offsets:
                groups = {a.operation for a in cluster.acls
                          if a.principal == f"User:{flow.principal}" and a.resource_type == "group"}
                assert "Read" in groups, flow.name
