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
