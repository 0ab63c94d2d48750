"""The Kafka lab's disaster-recovery pair: MirrorMaker 2 as kgen configures it, on real Kafka.

Both clusters and the MirrorMaker 2 node run from the real Ansible run's files; MirrorMaker
runs its systemd unit's command line (dedicated mode, `--clusters <target>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_kafka_lab import _open_lab, _scram

pytestmark = [pytest.mark.tool("kafka-lab")]

DR = Path(__file__).resolve().parent / "kafka_lab" / "blueprints" / "dr.yaml"
RECORDS = [f"placed-{index}" for index in range(30)]
CONSUMED_BEFORE_FAILOVER = 10


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Both clusters booted and reconciled; records produced and partly consumed on the primary."""
    tmp = tmp_path_factory.mktemp("kafka-lab-dr")
    lab = _open_lab(tmp, source=DR)
    try:
        lab.boot()
        for cluster in ("primary", "standby"):
            lab.reconcile(cluster)
        client = _scram(lab, "orders-service")
        primary = lab.plan.cluster("primary").bootstrap
        produced = lab.client("kafka-console-producer.sh", "--bootstrap-server", primary, "--topic", "orders.placed",
                              "--producer.config", str(client), "--producer-property", "acks=all",
                              stdin="\n".join(RECORDS) + "\n")
        assert produced.returncode == 0, produced.stderr
        consumed = lab.client("kafka-console-consumer.sh", "--bootstrap-server", primary, "--topic", "orders.placed",
                              "--consumer.config", str(client), "--group", "orders-billing", "--from-beginning",
                              "--max-messages", str(CONSUMED_BEFORE_FAILOVER), "--timeout-ms", "60000")
        lab.consumed_before = re.findall(r"placed-\d+", consumed.stdout)
        assert len(lab.consumed_before) == CONSUMED_BEFORE_FAILOVER, consumed.stderr[-2000:]
        mirror = lab.plan.cluster("standby").mirrormakers[0].name
        flow = lab.plan.cluster("standby").flows_in[0]
        lab.start(mirror, f"kafka-mirrormaker2-{flow.name}.service")
        yield lab
    finally:
        lab.close()


def _standby_topic(lab: Any, topic: str) -> str:
    result = lab.admin("standby", "kafka-topics.sh", "--describe", "--topic", topic)
    return result.stdout if result.returncode == 0 else ""


def test_mirrormaker_replicates_the_records_to_the_standby(pair: Any) -> None:
    from kafka_lab import hosts

    hosts.wait_for(lambda: _standby_topic(pair, "orders.placed"), "orders.placed on the standby", timeout=240)
    standby = pair.plan.cluster("standby").bootstrap
    consumed = pair.client("kafka-console-consumer.sh", "--bootstrap-server", standby, "--topic", "orders.placed",
                           "--consumer.config", str(_scram(pair, "orders-service")), "--group", "orders-verify",
                           "--from-beginning", "--max-messages", str(len(RECORDS)), "--timeout-ms", "120000")
    received = re.findall(r"placed-\d+", consumed.stdout)
    assert sorted(received) == sorted(RECORDS), consumed.stderr[-3000:] + pair.log(
        pair.plan.cluster("standby").mirrormakers[0].name)[-3000:]


def test_every_topic_mirrormaker_creates_fits_the_standby(pair: Any) -> None:
    from kafka_lab import hosts

    cluster = pair.plan.cluster("standby")
    flow = cluster.flows_in[0]
    for topic in (f"mm2-configs.{flow.source}.internal", f"mm2-offsets.{flow.source}.internal",
                  f"mm2-status.{flow.source}.internal", "heartbeats", f"{flow.source}.checkpoints.internal"):
        described = hosts.wait_for(lambda t=topic: _standby_topic(pair, t), f"{topic} on the standby", timeout=180)
        assert f"ReplicationFactor: {cluster.default_replication_factor}" in described.splitlines()[0], described


def _committed(lab: Any, cluster: str, group: str) -> dict[int, int]:
    """A group's committed offset per partition of orders.placed on a cluster."""
    result = lab.admin(cluster, "kafka-consumer-groups.sh", "--describe", "--group", group)
    offsets = {}
    for row in result.stdout.splitlines():
        cells = row.split()
        if len(cells) > 3 and cells[0] == group and cells[1] == "orders.placed" and cells[3].isdigit():
            offsets[int(cells[2])] = int(cells[3])
    return offsets


def test_a_group_fails_over_to_the_standby_without_loss(pair: Any) -> None:
    """The group's offsets arrive translated, never past what it read; resuming there loses nothing.

    MirrorMaker translates offsets conservatively (to just after the last offset sync at or
    before the committed offset), so the standby may re-deliver records, never skip them.
    """
    from kafka_lab import hosts

    upstream = {p: o for p, o in _committed(pair, "primary", "orders-billing").items() if o > 0}
    assert sum(upstream.values()) == CONSUMED_BEFORE_FAILOVER

    def translated() -> dict[int, int]:
        found = _committed(pair, "standby", "orders-billing")
        return found if set(upstream) <= set(found) else {}

    downstream = hosts.wait_for(translated, "translated offsets of orders-billing on the standby", timeout=300)
    for partition, offset in upstream.items():
        assert 0 < downstream[partition] <= offset, (partition, downstream[partition], offset)
    standby = pair.plan.cluster("standby").bootstrap
    resumed = pair.client("kafka-console-consumer.sh", "--bootstrap-server", standby, "--topic", "orders.placed",
                          "--consumer.config", str(_scram(pair, "orders-service")), "--group", "orders-billing",
                          "--timeout-ms", "15000")
    after = re.findall(r"placed-\d+", resumed.stdout)
    assert set(pair.consumed_before) | set(after) == set(RECORDS), resumed.stderr[-2000:]
