"""The Kafka lab on the oldest supported line: 3.7, whose controllers take no advertised.listeners.

A module of its own so that its cluster boots after the newest line's has stopped.
"""

from __future__ import annotations

import pytest
from test_kafka_lab import _assert_durable_as_planned, _assert_quorum_formed, _assert_reconciled, booted_lab

pytestmark = [pytest.mark.tool("kafka-lab")]

OLDEST = "3.7.2"


@pytest.mark.parametrize("version", [OLDEST])
def test_the_cluster_forms_and_reconciles_on_the_oldest_line(
        version: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    with booted_lab(tmp_path_factory.mktemp(f"kafka-lab-{version}"), version) as lab:
        _assert_quorum_formed(lab)
        _assert_reconciled(lab, lab.reconcile("lab"), lab.reconcile("lab"))
        _assert_durable_as_planned(lab)
