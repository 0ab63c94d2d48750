"""Runtime facts every target's rendered output must state alike, asserted by each target's tests."""

from __future__ import annotations

from kgen import kafka_keys
from kgen.plan import ClusterPlan


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
