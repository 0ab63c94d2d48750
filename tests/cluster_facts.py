"""Runtime facts every target's rendered output must state alike, asserted by each target's tests."""

from __future__ import annotations

from kgen import kafka_keys
from kgen.plan import ClusterPlan, FlowPlan, Plan


def assert_controllers_share_the_cluster_defaults(cluster: ClusterPlan, rendered: dict[str, dict[str, str]]) -> None:
    """Each controller-read default (kafka_keys.CONTROLLER_READ_DEFAULTS) is set on every node alike.

    `rendered` maps each node's name to the properties a target wrote for it; the values
    must also be the plan's replication factor and min.insync.replicas.
    """
    assert set(rendered) == {node.name for node in cluster.nodes}
    assert {node.role for node in cluster.nodes} == {"controller", "broker"}
    for key in kafka_keys.CONTROLLER_READ_DEFAULTS:
        values = {name: props.get(key) for name, props in rendered.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), (cluster.name, key, values)
    some = next(iter(rendered.values()))
    assert some["min.insync.replicas"] == str(cluster.min_insync_replicas)
    assert some["default.replication.factor"] == str(cluster.default_replication_factor)
    assert some["unclean.leader.election.enable"] == "false"


# MirrorMaker 2's topics, each with the key that sizes it and the cluster it lands on.
MM2_TOPICS = {
    "replication.factor": "target",  # the remote (mirrored) topics
    "checkpoints.topic.replication.factor": "target",
    "heartbeats.topic.replication.factor": "target",
    "config.storage.replication.factor": "target",  # the Connect worker's own topics
    "offset.storage.replication.factor": "target",
    "status.storage.replication.factor": "target",
    "offset-syncs.topic.replication.factor": "source",
}


def assert_mirrormaker_topics_fit(plan: Plan, flow: FlowPlan, rendered: dict[str, str]) -> None:
    """Every topic a flow's MirrorMaker 2 creates has the replication of the cluster it lands on."""
    for key, side in MM2_TOPICS.items():
        cluster = plan.cluster(flow.target if side == "target" else flow.source)
        brokers = sum(1 for node in cluster.nodes if node.role == "broker")
        assert rendered.get(key) == str(cluster.default_replication_factor), (flow.name, key, rendered.get(key))
        assert int(rendered[key]) <= brokers, (flow.name, key)
