"""One focused test per semantic rule: the case it refuses (or warns about) and the case it accepts.

Each test starts from a small valid layout, changes what the rule is about, and calls the
rule function directly on the validated model and its source map.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgen import rules
from kgen.errors import Problem
from kgen.loader import format_path, load_document
from kgen.model import Blueprint

Data = dict[str, Any]
Check = Callable[[rules.Rule, Data], list[Problem]]

_ZONES = "abcdef"
_SECURITY: Data = {
    "tls": {"certificates": {"source": "cert-manager", "issuer": "platform-ca"}},
    "clients": {"cidrs": ["10.0.0.0/16"]},
}


def cluster(
    name: str = "main",
    region: str = "eu-west-1",
    sites: tuple[str, ...] = ("a", "b", "c"),
    controllers: int = 3,
    brokers: int = 3,
    **fields: Any,
) -> Data:
    """A cluster with one site per name, in consecutive zones of `region`."""
    return {
        "name": name,
        "region": region,
        "sites": [{"name": s, "zone": f"{region}{_ZONES[i]}"} for i, s in enumerate(sites)],
        "controllers": {"count": controllers},
        "brokers": {"count": brokers},
        **fields,
    }


# A well-formed stand-in for the release's SHA-512; no rule can tell it from the real one.
CHECKSUM = "sha512:" + "5e" * 64


def blueprint(pattern: str = "single", clusters: list[Data] | None = None, **spec: Any) -> Data:
    """A valid blueprint of `pattern`; keyword arguments set further spec fields."""
    return {
        "apiVersion": "kgen.dev/v1alpha1",
        "kind": "KafkaBlueprint",
        "metadata": {"name": "test"},
        "spec": {
            "pattern": pattern,
            "kafka": {"version": "4.1.1", "archiveChecksum": CHECKSUM},
            "clusters": clusters if clusters is not None else [cluster()],
            "security": copy.deepcopy(_SECURITY),
            **spec,
        },
    }


def changed(data: Data, changes: dict[str, Any]) -> Data:
    """A copy of `data` with dotted paths ("spec.clusters.0.brokers.count") set to new values."""
    out = copy.deepcopy(data)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        here: Any = out
        for part in parents:
            here = here[int(part)] if isinstance(here, list) else here.setdefault(part, {})
        if isinstance(here, list):
            here[int(last)] = value
        else:
            here[last] = value
    return out


def with_config(data: Data, config: dict[str, Any], index: int = 0) -> Data:
    """Cluster `index` with broker `config` overrides."""
    return changed(data, {f"spec.clusters.{index}.config": config})


def topics(data: Data, *items: Data) -> Data:
    """`data` with these topics."""
    return changed(data, {"spec.topics": list(items)})


def waiver(name: str, *clusters: str) -> Data:
    """A waiver of `name` for `clusters`."""
    return {"name": name, "clusters": list(clusters), "reason": "legacy clients until the Q3 upgrade"}


SINGLE = blueprint()
SINGLE_ONE_SITE = blueprint(clusters=[cluster(sites=("a",))])
STRETCH = blueprint("stretch", [cluster(brokers=6)])
TWO_FIVE_DC = blueprint(
    "stretch",
    [
        {
            **cluster(sites=("dc1", "dc2", "tie"), brokers=4),
            "sites": [
                {"name": "dc1", "zone": "eu-west-1a"},
                {"name": "dc2", "zone": "eu-west-1b"},
                {"name": "tie", "zone": "eu-west-1c", "brokers": False},
            ],
        },
    ],
)
HUB = blueprint(
    "hub-and-spoke",
    [
        cluster("hub", role="hub"),
        cluster("east", "eu-central-1", role="spoke"),
        cluster("west", "us-east-1", role="spoke"),
    ],
    replication={"flows": [{"source": "east", "target": "hub"}, {"source": "west", "target": "hub"}],
                 "mirrorMaker": {"nodesPerTarget": 1}},
)
DR_AP = blueprint(
    "dr",
    [cluster("primary", role="primary"), cluster("standby", "eu-central-1", role="standby")],
    replication={"mode": "active-passive", "flows": [{"source": "primary", "target": "standby"}],
                 "mirrorMaker": {"nodesPerTarget": 1}},
)
DR_AA = changed(
    DR_AP,
    {
        "spec.replication.mode": "active-active",
        "spec.replication.flows": [
            {"source": "primary", "target": "standby"},
            {"source": "standby", "target": "primary"},
        ],
    },
)
LAYOUTS = {
    "single": SINGLE,
    "single-one-site": SINGLE_ONE_SITE,
    "stretch": STRETCH,
    "2.5-dc": TWO_FIVE_DC,
    "hub-and-spoke": HUB,
    "dr-active-passive": DR_AP,
    "dr-active-active": DR_AA,
}


@pytest.fixture
def check(tmp_path: Path) -> Check:
    """Run one rule on a blueprint dict, through the real loader and model."""
    counter = iter(range(1_000_000))

    def run(rule: rules.Rule, data: Data) -> list[Problem]:
        path = tmp_path / f"blueprint-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        document = load_document(path)
        return list(rule(Blueprint.model_validate(document.data), document))

    return run


def only(problems: list[Problem], severity: str, path: str, text: str) -> Problem:
    """Assert `problems` is exactly one problem of this severity, path and message text."""
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.severity, problem.path) == (severity, path), str(problem)
    assert text in problem.message, str(problem)
    return problem


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_layouts_pass_every_rule(layout: Data, check: Check) -> None:
    for rule in rules.RULES:
        assert check(rule, layout) == [], rule.__name__


def test_every_rule_has_a_test_here() -> None:
    untested = [r.__name__ for r in rules.RULES if f"test_{r.__name__}" not in globals()]
    assert not untested


# --- Kafka version and pattern ---------------------------------------------------------


@pytest.mark.parametrize("version", ["3.6.2", "2.8.0", "5.0.0"])
def test_kafka_version_supported(version: str, check: Check) -> None:
    bad = changed(SINGLE, {"spec.kafka.version": version})
    only(check(rules.kafka_version_supported, bad), "error", "spec.kafka.version", 'such as "4.1.1"')
    for good in ("3.7.0", "3.9", "4.3.0"):
        assert check(rules.kafka_version_supported, changed(SINGLE, {"spec.kafka.version": good})) == []


@pytest.mark.parametrize(
    ("pattern", "count", "text"),
    [
        ("single", 2, "pattern single needs 1 cluster, not 2"),
        ("stretch", 2, "pattern stretch needs 1 cluster, not 2"),
        ("dr", 1, "pattern dr needs exactly 2 clusters, not 1"),
        ("dr", 3, "pattern dr needs exactly 2 clusters, not 3"),
        ("hub-and-spoke", 1, "needs one hub and at least one spoke, not 1"),
    ],
)
def test_cluster_count_fits_pattern(pattern: str, count: int, text: str, check: Check) -> None:
    clusters = [cluster(f"c{i}") for i in range(count)]
    only(
        check(rules.cluster_count_fits_pattern, blueprint(pattern, clusters)), "error", "spec.clusters", text
    )
    assert check(rules.cluster_count_fits_pattern, HUB) == []


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (changed(HUB, {"spec.clusters.2.name": "east"}), "spec.clusters[2].name"),
        (changed(SINGLE, {"spec.clusters.0.sites.2.name": "a"}), "spec.clusters[0].sites[2].name"),
        (
            topics(SINGLE, {"name": "t", "partitions": 1}, {"name": "t", "partitions": 2}),
            "spec.topics[1].name",
        ),
        (changed(SINGLE, {"spec.principals": [{"name": "app"}, {"name": "app"}]}), "spec.principals[1].name"),
    ],
    ids=["clusters", "sites", "topics", "principals"],
)
def test_names_unique(data: Data, path: str, check: Check) -> None:
    only(check(rules.names_unique, data), "error", path, "is used twice")
    assert check(rules.names_unique, HUB) == []


def test_cluster_roles_fit_pattern(check: Check) -> None:
    two_hubs = changed(HUB, {"spec.clusters.1.role": "hub"})
    only(check(rules.cluster_roles_fit_pattern, two_hubs), "error", "spec.clusters", "found 2")
    primary_in_hub = changed(HUB, {"spec.clusters.2.role": "primary"})
    only(
        check(rules.cluster_roles_fit_pattern, primary_in_hub),
        "error",
        "spec.clusters[2].role",
        "each cluster's role is hub or spoke",
    )
    two_primaries = changed(DR_AP, {"spec.clusters.1.role": "primary"})
    only(
        check(rules.cluster_roles_fit_pattern, two_primaries),
        "error",
        "spec.clusters",
        "one primary and one standby",
    )
    role_in_single = changed(SINGLE, {"spec.clusters.0.role": "hub"})
    only(
        check(rules.cluster_roles_fit_pattern, role_in_single),
        "error",
        "spec.clusters[0].role",
        "only for hub-and-spoke and dr, not single",
    )
    for good in (HUB, DR_AP, SINGLE):
        assert check(rules.cluster_roles_fit_pattern, good) == []


# --- Controller quorum -----------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 4, 6, 7])
def test_controller_quorum_size(count: int, check: Check) -> None:
    bad = changed(SINGLE, {"spec.clusters.0.controllers.count": count})
    only(
        check(rules.controller_quorum_size, bad),
        "error",
        "spec.clusters[0].controllers.count",
        f"{count} controllers; a KRaft quorum has 3 or 5",
    )
    for good in (3, 5):
        assert (
            check(rules.controller_quorum_size, changed(SINGLE, {"spec.clusters.0.controllers.count": good}))
            == []
        )


def _site_controllers(data: Data, *counts: int | None) -> Data:
    return changed(
        data, {f"spec.clusters.0.sites.{i}.controllers": n for i, n in enumerate(counts) if n is not None}
    )


def test_controller_site_counts(check: Check) -> None:
    only(
        check(rules.controller_site_counts, _site_controllers(SINGLE, 1, 1, 0)),
        "error",
        "spec.clusters[0].sites",
        "sites place 2 controllers but controllers.count is 3",
    )
    assert check(rules.controller_site_counts, _site_controllers(SINGLE, 1, 1, 1)) == []
    # Sites without a count hold none once any site gives one.
    assert check(rules.controller_site_counts, _site_controllers(SINGLE, 3)) == []


def test_sites_fit_node_ids(check: Check) -> None:
    ten = blueprint("single", [cluster(brokers=10)])
    ten["spec"]["clusters"][0]["sites"] = [{"name": s, "zone": "eu-west-1a"} for s in "abcdefghij"]
    only(check(rules.sites_fit_node_ids, ten), "error", "spec.clusters[0].sites", "10 sites; a cluster has at most 9")
    nine = copy.deepcopy(ten)
    nine["spec"]["clusters"][0]["sites"].pop()
    assert check(rules.sites_fit_node_ids, nine) == []


def test_stretch_sites(check: Check) -> None:
    two_sites = blueprint("stretch", [cluster(sites=("a", "b"), brokers=4)])
    only(check(rules.stretch_sites, two_sites), "error", "spec.clusters[0].sites", "needs 3 sites")
    one_data_site = changed(
        STRETCH, {"spec.clusters.0.sites.1.brokers": False, "spec.clusters.0.sites.2.brokers": False}
    )
    only(
        check(rules.stretch_sites, one_data_site),
        "error",
        "spec.clusters[0].sites",
        "brokers in at least 2 sites",
    )
    assert check(rules.stretch_sites, STRETCH) == []
    assert check(rules.stretch_sites, TWO_FIVE_DC) == []
    assert check(rules.stretch_sites, SINGLE_ONE_SITE) == []


def test_no_site_holds_quorum_majority(check: Check) -> None:
    stretched = _site_controllers(STRETCH, 2, 1, 0)
    only(
        check(rules.no_site_holds_quorum_majority, stretched),
        "error",
        "spec.clusters[0].sites",
        "site 'a' holds 2 of 3 controllers",
    )
    # Outside stretch the zones share a region: losing one is a warning, not a refusal.
    only(
        check(rules.no_site_holds_quorum_majority, _site_controllers(SINGLE, 2, 1, 0)),
        "warning",
        "spec.clusters[0].sites",
        "losing it stops the quorum",
    )
    five_over_two = blueprint("stretch", [cluster(sites=("a", "b"), controllers=5, brokers=4)])
    only(
        check(rules.no_site_holds_quorum_majority, five_over_two),
        "error",
        "spec.clusters[0].sites",
        "holds 3 of 5",
    )
    five_over_three = changed(STRETCH, {"spec.clusters.0.controllers.count": 5})
    for good in (STRETCH, TWO_FIVE_DC, five_over_three, SINGLE_ONE_SITE):
        assert check(rules.no_site_holds_quorum_majority, good) == []


def test_tiebreaker_site(check: Check) -> None:
    in_single = changed(
        SINGLE, {"spec.clusters.0.sites.2.brokers": False, "spec.clusters.0.brokers.count": 4}
    )
    only(
        check(rules.tiebreaker_site, in_single),
        "error",
        "spec.clusters[0].sites[2].brokers",
        "belong to stretch clusters",
    )
    empty_tiebreaker = _site_controllers(TWO_FIVE_DC, 2, 1, 0)
    only(
        check(rules.tiebreaker_site, empty_tiebreaker),
        "error",
        "spec.clusters[0].sites[2].brokers",
        "tie-breaker site 'tie' holds no controller",
    )
    assert check(rules.tiebreaker_site, TWO_FIVE_DC) == []


# --- Brokers and replication --------------------------------------------------------------


def test_broker_spread(check: Check) -> None:
    for count in (0, 2):
        too_few = changed(SINGLE, {"spec.clusters.0.brokers.count": count})
        only(
            check(rules.broker_spread, too_few),
            "error",
            "spec.clusters[0].brokers.count",
            f"{count} brokers cannot cover 3 broker sites; use at least 3",
        )
    uneven = changed(SINGLE, {"spec.clusters.0.brokers.count": 4})
    only(
        check(rules.broker_spread, uneven),
        "warning",
        "spec.clusters[0].brokers.count",
        "4 brokers do not spread evenly over 3 sites",
    )
    # The tie-breaker holds no brokers, so 4 brokers over 2 data sites are even.
    for good in (STRETCH, TWO_FIVE_DC, changed(SINGLE_ONE_SITE, {"spec.clusters.0.brokers.count": 5})):
        assert check(rules.broker_spread, good) == []


def test_replication_factor_fits(check: Check) -> None:
    bad = topics(SINGLE, {"name": "t", "partitions": 1, "replicationFactor": 4})
    only(
        check(rules.replication_factor_fits, bad),
        "error",
        "spec.topics[0].replicationFactor",
        "3 brokers in cluster 'main' cannot hold replicationFactor 4; use at most 3",
    )
    big_east = changed(HUB, {"spec.clusters.1.brokers.count": 6})
    everywhere = topics(big_east, {"name": "t", "partitions": 1, "replicationFactor": 4})
    # One error per cluster too small for the topic; east (6 brokers) is fine.
    messages = [p.message for p in check(rules.replication_factor_fits, everywhere)]
    assert len(messages) == 2
    assert "cluster 'hub'" in messages[0]
    assert "cluster 'west'" in messages[1]
    only_east = topics(big_east, {"name": "t", "partitions": 1, "replicationFactor": 4, "clusters": ["east"]})
    assert check(rules.replication_factor_fits, only_east) == []
    # Without replicationFactor the default shrinks to the brokers there are.
    small = topics(
        changed(SINGLE_ONE_SITE, {"spec.clusters.0.brokers.count": 2}), {"name": "t", "partitions": 1}
    )
    assert check(rules.replication_factor_fits, small) == []


def test_stretch_replica_per_site(check: Check) -> None:
    rf2 = {"name": "t", "partitions": 1, "replicationFactor": 2}
    only(
        check(rules.stretch_replica_per_site, topics(STRETCH, rf2)),
        "error",
        "spec.topics[0].replicationFactor",
        "use at least 3 (one per site)",
    )
    assert check(rules.stretch_replica_per_site, topics(STRETCH, {**rf2, "replicationFactor": 3})) == []
    assert check(rules.stretch_replica_per_site, topics(SINGLE, rf2)) == []


def _isr_topic(rf: int, isr: int | None = None) -> Data:
    topic: Data = {"name": "t", "partitions": 1, "replicationFactor": rf}
    if isr is not None:
        topic["config"] = {"min.insync.replicas": isr}
    return topic


def test_min_insync_survives_site_loss(check: Check) -> None:
    isr_path = 'spec.topics[0].config["min.insync.replicas"]'
    only(
        check(rules.min_insync_survives_site_loss, topics(SINGLE, _isr_topic(3, 3))),
        "error",
        isr_path,
        "stops writes when one site (1 replica(s)) is lost; use at most 2",
    )
    only(
        check(rules.min_insync_survives_site_loss, topics(SINGLE, _isr_topic(3, 4))),
        "error",
        isr_path,
        "min.insync.replicas 4 exceeds replicationFactor 3",
    )
    only(
        check(rules.min_insync_survives_site_loss, topics(SINGLE_ONE_SITE, _isr_topic(3, 3))),
        "error",
        isr_path,
        "when one broker (1 replica(s)) is lost",
    )
    cluster_level = with_config(SINGLE, {"min.insync.replicas": 3})
    only(
        check(rules.min_insync_survives_site_loss, cluster_level),
        "error",
        'spec.clusters[0].config["min.insync.replicas"]',
        "use at most 2",
    )
    assert check(rules.min_insync_survives_site_loss, topics(SINGLE, _isr_topic(3, 2))) == []
    assert check(rules.min_insync_survives_site_loss, with_config(SINGLE, {"min.insync.replicas": 2})) == []


def test_min_insync_consistency_mode_warns(check: Check) -> None:
    # 2.5-DC, siteLoss consistency: RF 4 keeps min.insync.replicas 3 so the ISR spans both data
    # centres; a site loss then stops writes, which is the chosen trade-off: a warning.
    default_isr = topics(TWO_FIVE_DC, _isr_topic(4))
    only(
        check(rules.min_insync_survives_site_loss, default_isr),
        "warning",
        "spec.topics[0].replicationFactor",
        "losing a site stops writes until an operator lowers min.insync.replicas",
    )
    explicit = topics(TWO_FIVE_DC, _isr_topic(4, 3))
    only(
        check(rules.min_insync_survives_site_loss, explicit),
        "warning",
        'spec.topics[0].config["min.insync.replicas"]',
        "(siteLoss: consistency)",
    )
    availability = changed(explicit, {"spec.clusters.0.siteLoss": "availability"})
    only(
        check(rules.min_insync_survives_site_loss, availability),
        "error",
        'spec.topics[0].config["min.insync.replicas"]',
        "use at most 2",
    )
    assert (
        check(
            rules.min_insync_survives_site_loss,
            changed(default_isr, {"spec.clusters.0.siteLoss": "availability"}),
        )
        == []
    )


# --- Topics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".", "cannot be named '.'"),
        ("..", "cannot be named '.'"),
        ("", "cannot be named"),
        ("x" * 250, "250 characters; Kafka allows at most 249"),
        ("orders/created", "topic name has '/'"),
        ("orders créés", "Kafka allows only letters"),
        ("__consumer_offsets", "Kafka's internal topics"),
    ],
)
def test_topic_name_legal(name: str, text: str, check: Check) -> None:
    only(
        check(rules.topic_name_legal, topics(SINGLE, {"name": name, "partitions": 1})),
        "error",
        "spec.topics[0].name",
        text,
    )
    for good in ("x" * 249, "orders.created-v1_EU", "_private"):
        assert check(rules.topic_name_legal, topics(SINGLE, {"name": good, "partitions": 1})) == []


def test_topic_name_collision(check: Check) -> None:
    clash = topics(
        SINGLE, {"name": "orders.created", "partitions": 1}, {"name": "orders_created", "partitions": 1}
    )
    only(
        check(rules.topic_name_collision, clash),
        "warning",
        "spec.topics[1].name",
        "'orders_created' and 'orders.created' collide",
    )
    distinct = topics(
        SINGLE, {"name": "orders.created", "partitions": 1}, {"name": "orders-created", "partitions": 1}
    )
    assert check(rules.topic_name_collision, distinct) == []


@pytest.mark.parametrize("partitions", [0, -3])
def test_topic_partitions_positive(partitions: int, check: Check) -> None:
    only(
        check(rules.topic_partitions_positive, topics(SINGLE, {"name": "t", "partitions": partitions})),
        "error",
        "spec.topics[0].partitions",
        "a topic needs at least 1",
    )
    assert check(rules.topic_partitions_positive, topics(SINGLE, {"name": "t", "partitions": 1})) == []


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("spec.topics", "spec.topics[0].clusters[1]"),
        ("spec.principals", "spec.principals[0].clusters[1]"),
        ("spec.security.waivers", "spec.security.waivers[0].clusters[1]"),
    ],
)
def test_cluster_references_exist(field: str, path: str, check: Check) -> None:
    item: Data = (
        {"name": "t", "partitions": 1}
        if field == "spec.topics"
        else ({"name": "app"} if field == "spec.principals" else waiver("allow-tls12", "hub"))
    )
    item["clusters"] = ["hub", "nowhere"]
    only(
        check(rules.cluster_references_exist, changed(HUB, {field: [item]})),
        "error",
        path,
        "no cluster is named 'nowhere'; clusters are east, hub, west",
    )
    item["clusters"] = ["hub", "west"]
    assert check(rules.cluster_references_exist, changed(HUB, {field: [item]})) == []


# --- Replication flows ----------------------------------------------------------------


def test_flows_fit_pattern(check: Check) -> None:
    flows_in_single = changed(SINGLE, {"spec.replication": {"flows": [{"source": "main", "target": "main"}]}})
    only(
        check(rules.flows_fit_pattern, flows_in_single),
        "error",
        "spec.replication.flows",
        "pattern single has one cluster and no replication flows",
    )
    no_flows = changed(HUB, {"spec.replication.flows": []})
    only(check(rules.flows_fit_pattern, no_flows), "error", "spec.replication", "needs at least one flow")
    no_mode = changed(DR_AP, {"spec.replication.mode": None})
    only(
        check(rules.flows_fit_pattern, no_mode),
        "error",
        "spec.replication",
        "dr needs mode: active-passive or active-active",
    )
    mode_in_hub = changed(HUB, {"spec.replication.mode": "active-active"})
    only(
        check(rules.flows_fit_pattern, mode_in_hub),
        "error",
        "spec.replication.mode",
        "only for the dr pattern",
    )
    for good in (SINGLE, HUB, DR_AP, DR_AA):
        assert check(rules.flows_fit_pattern, good) == []


def test_flow_clusters_exist(check: Check) -> None:
    unknown = changed(HUB, {"spec.replication.flows.0.target": "nowhere"})
    only(
        check(rules.flow_clusters_exist, unknown),
        "error",
        "spec.replication.flows[0].target",
        "'nowhere' matches no cluster; clusters are hub, east, west",
    )
    into_itself = changed(HUB, {"spec.replication.flows.0.target": "east"})
    only(
        check(rules.flow_clusters_exist, into_itself),
        "error",
        "spec.replication.flows[0]",
        "replicates 'east' into itself",
    )
    spokes = changed(
        HUB,
        {
            "spec.clusters.1.name": "store-1",
            "spec.clusters.2.name": "store-2",
            "spec.replication.flows": [{"source": "store-*", "target": "hub"}],
        },
    )
    assert check(rules.flow_clusters_exist, spokes) == []


def test_hub_and_spoke_flows(check: Check) -> None:
    spoke_to_spoke = changed(HUB, {"spec.replication.flows.1": {"source": "east", "target": "west"}})
    only(
        check(rules.hub_and_spoke_flows, spoke_to_spoke),
        "error",
        "spec.replication.flows[1]",
        "flow east -> west joins two spokes",
    )
    both_ways = changed(HUB, {"spec.replication.flows.1": {"source": "hub", "target": "east"}})
    assert check(rules.hub_and_spoke_flows, both_ways) == []


def test_dr_mode_matches_flows(check: Check) -> None:
    backwards = changed(DR_AP, {"spec.replication.flows.0": {"source": "standby", "target": "primary"}})
    only(
        check(rules.dr_mode_matches_flows, backwards),
        "error",
        "spec.replication.flows",
        "active-passive replicates only from the primary to the standby",
    )
    one_way = changed(DR_AA, {"spec.replication.flows": [{"source": "primary", "target": "standby"}]})
    only(
        check(rules.dr_mode_matches_flows, one_way),
        "error",
        "spec.replication.flows",
        "active-active needs one flow each way",
    )
    assert check(rules.dr_mode_matches_flows, DR_AP) == []
    assert check(rules.dr_mode_matches_flows, DR_AA) == []


def test_identity_policy_without_cycle(check: Check) -> None:
    looping = changed(DR_AA, {"spec.replication.flows.0.policy": "identity"})
    only(
        check(rules.identity_policy_without_cycle, looping),
        "error",
        "spec.replication.flows[0].policy",
        "part of a cycle; records would loop forever. Use policy: default",
    )
    one_way = changed(DR_AP, {"spec.replication.flows.0.policy": "identity"})
    assert check(rules.identity_policy_without_cycle, one_way) == []


def test_alias_prefix_collision(check: Check) -> None:
    clash = topics(HUB, {"name": "east.orders", "partitions": 1})
    only(
        check(rules.alias_prefix_collision, clash),
        "error",
        "spec.topics[0].name",
        "topic 'east.orders' on 'hub' collides with topics mirrored from 'east'",
    )
    two_identity = changed(
        HUB, {"spec.replication.flows.0.policy": "identity", "spec.replication.flows.1.policy": "identity"}
    )
    only(
        check(rules.alias_prefix_collision, two_identity),
        "error",
        "spec.replication.flows",
        "east, west all mirror into 'hub' with the identity policy",
    )
    # A topic named east.* that lives only on east itself does not meet the mirrored copies.
    on_source = topics(HUB, {"name": "east.orders", "partitions": 1, "clusters": ["east"]})
    assert check(rules.alias_prefix_collision, on_source) == []
    one_identity = changed(HUB, {"spec.replication.flows.0.policy": "identity"})
    assert check(rules.alias_prefix_collision, one_identity) == []


# --- Kafka config keys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        *(
            (key, "is a security key; kgen sets it from spec.security")
            for key in (
                "listeners",
                "advertised.listeners",
                "listener.name.client.ssl.client.auth",
                "inter.broker.listener.name",
                "security.inter.broker.protocol",
                "sasl.enabled.mechanisms",
                "ssl.keystore.location",
                "authorizer.class.name",
                "super.users",
                "allow.everyone.if.no.acl.found",
            )
        ),
        *(
            (key, "is set by kgen from the topology")
            for key in ("process.roles", "node.id", "controller.quorum.voters", "broker.rack", "log.dirs")
        ),
    ],
)
def test_config_keys_not_managed(key: str, reason: str, check: Check) -> None:
    only(
        check(rules.config_keys_not_managed, with_config(SINGLE, {key: "x"})),
        "error",
        format_path(("spec", "clusters", 0, "config", key)),
        f"{key} {reason}",
    )
    plugin = changed(SINGLE, {"spec.clusters.0.pluginConfig": {"ssl.vendor.option": "x"}})
    only(
        check(rules.config_keys_not_managed, plugin),
        "error",
        'spec.clusters[0].pluginConfig["ssl.vendor.option"]',
        "is a security key",
    )
    assert check(rules.config_keys_not_managed, with_config(SINGLE, {"log.retention.hours": 48})) == []


def test_config_keys_known(check: Check) -> None:
    typo = with_config(SINGLE, {"log.retention.hour": 48})
    only(
        check(rules.config_keys_known, typo),
        "error",
        'spec.clusters[0].config["log.retention.hour"]',
        "not a Kafka 4.1 broker config key; did you mean 'log.retention.hours'?",
    )
    topic_typo = topics(SINGLE, {"name": "t", "partitions": 1, "config": {"retention.msec": 1000}})
    only(
        check(rules.config_keys_known, topic_typo),
        "error",
        'spec.topics[0].config["retention.msec"]',
        "did you mean 'retention.ms'?",
    )
    # Keys are checked against the chosen release: this one was removed in Kafka 4.0.
    old_key = with_config(SINGLE, {"log.message.format.version": "3.0"})
    assert check(rules.config_keys_known, changed(old_key, {"spec.kafka.version": "3.9.0"})) == []
    only(
        check(rules.config_keys_known, old_key),
        "error",
        'spec.clusters[0].config["log.message.format.version"]',
        "not a Kafka 4.1 broker config key",
    )
    # Unsupported versions are kafka_version_supported's error alone.
    assert check(rules.config_keys_known, changed(typo, {"spec.kafka.version": "3.6.0"})) == []
    assert check(rules.config_keys_known, with_config(SINGLE, {"log.retention.hours": 48})) == []


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("num.partitions", 0, "must be at least 1, not 0"),
        ("log.retention.hours", "a week", "takes a whole number (int), not 'a week'"),
        ("compression.type", "brotli", "must be one of uncompressed, zstd, lz4, snappy, gzip, producer"),
        ("auto.create.topics.enable", "yes", "takes true or false, not 'yes'"),
        ("num.partitions", [1, 2], "takes one int value, not a list"),
    ],
)
def test_config_values_valid(key: str, value: Any, text: str, check: Check) -> None:
    only(
        check(rules.config_values_valid, with_config(SINGLE, {key: value})),
        "error",
        f'spec.clusters[0].config["{key}"]',
        f"{key} {text}",
    )
    good = {
        "num.partitions": 12,
        "compression.type": "zstd",
        "auto.create.topics.enable": "false",
        "log.retention.hours": 168,
    }
    assert check(rules.config_values_valid, with_config(SINGLE, good)) == []


def test_config_values_valid_in_topics(check: Check) -> None:
    bad = topics(SINGLE, {"name": "t", "partitions": 1, "config": {"cleanup.policy": ["compact", "archive"]}})
    only(
        check(rules.config_values_valid, bad),
        "error",
        'spec.topics[0].config["cleanup.policy"]',
        "must be one of compact, delete, not 'archive'",
    )
    for policy in (["compact", "delete"], "compact,delete", "delete"):
        good = topics(SINGLE, {"name": "t", "partitions": 1, "config": {"cleanup.policy": policy}})
        assert check(rules.config_values_valid, good) == []


def test_plugin_config_is_for_plugins(check: Check) -> None:
    known = changed(SINGLE, {"spec.clusters.0.pluginConfig": {"num.partitions": "3"}})
    only(
        check(rules.plugin_config_is_for_plugins, known),
        "error",
        'spec.clusters[0].pluginConfig["num.partitions"]',
        "is a Kafka config key; put it in config",
    )
    shapeless = changed(SINGLE, {"spec.clusters.0.pluginConfig": {"Bucket": "x"}})
    only(
        check(rules.plugin_config_is_for_plugins, shapeless),
        "error",
        "spec.clusters[0].pluginConfig.Bucket",
        "plugin keys are dotted names like rsm.config.bucket",
    )
    good = changed(SINGLE, {"spec.clusters.0.pluginConfig": {"rsm.config.bucket": "tiered"}})
    assert check(rules.plugin_config_is_for_plugins, good) == []


# --- Security --------------------------------------------------------------------------


def test_tls12_needs_waiver(check: Check) -> None:
    tls12 = changed(HUB, {"spec.security.tls.protocols": ["TLSv1.3", "TLSv1.2"]})
    problems = check(rules.tls12_needs_waiver, tls12)
    assert [p.path for p in problems] == ["spec.security.tls.protocols"] * 3
    # A waiver is scoped: waiving the hub leaves the spokes refused.
    scoped = changed(tls12, {"spec.security.waivers": [waiver("allow-tls12", "hub")]})
    assert sorted(
        p.message.split("clusters: [")[1].split("]")[0] for p in check(rules.tls12_needs_waiver, scoped)
    ) == ["east", "west"]
    every = changed(tls12, {"spec.security.waivers": [waiver("allow-tls12", "hub", "east", "west")]})
    assert check(rules.tls12_needs_waiver, every) == []


@pytest.mark.parametrize("kind", ["clients", "monitoring"])
def test_open_client_cidr_needs_waiver(kind: str, check: Check) -> None:
    path = f"spec.security.{kind}.cidrs[0]"
    wide = changed(SINGLE, {f"spec.security.{kind}.cidrs": ["0.0.0.0/0"]})
    only(
        check(rules.open_client_cidr_needs_waiver, wide),
        "error",
        path,
        "narrow it or add waiver open-client-cidr",
    )
    host_bits = changed(SINGLE, {f"spec.security.{kind}.cidrs": ["10.0.0.1/16"]})
    only(check(rules.open_client_cidr_needs_waiver, host_bits), "error", path, "is not a network address")
    out_of_range = changed(SINGLE, {f"spec.security.{kind}.cidrs": ["300.1.1.0/24"]})
    only(check(rules.open_client_cidr_needs_waiver, out_of_range), "error", path, "is not a network address")
    waived = changed(wide, {"spec.security.waivers": [waiver("open-client-cidr", "main")]})
    assert check(rules.open_client_cidr_needs_waiver, waived) == []
    assert (
        check(
            rules.open_client_cidr_needs_waiver,
            changed(SINGLE, {f"spec.security.{kind}.cidrs": ["10.0.0.0/8"]}),
        )
        == []
    )


@pytest.mark.parametrize(
    ("source", "field", "value"),
    [
        ("cert-manager", "issuer", "platform-ca"),
        (
            "aws-private-ca",
            "caArn",
            "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/"
            "0a1b2c3d-1111-2222-3333-444455556666",
        ),
        ("files", "caFile", "/etc/kafka/ca.pem"),
    ],
)
def test_certificate_source_complete(source: str, field: str, value: str, check: Check) -> None:
    bare = changed(SINGLE, {"spec.security.tls.certificates": {"source": source}})
    only(
        check(rules.certificate_source_complete, bare),
        "error",
        "spec.security.tls.certificates",
        f"certificate source {source} needs {field}",
    )
    complete = changed(SINGLE, {"spec.security.tls.certificates": {"source": source, field: value}})
    assert check(rules.certificate_source_complete, complete) == []


def test_self_signed_ca_dev_only(check: Check) -> None:
    self_signed = changed(SINGLE, {"spec.security.tls.certificates": {"source": "self-signed"}})
    path = "spec.security.tls.certificates.source"
    only(check(rules.self_signed_ca_dev_only, self_signed), "error", path, "for dev environments only")
    dev = changed(self_signed, {"spec.environment": "dev"})
    only(
        check(rules.self_signed_ca_dev_only, dev),
        "error",
        path,
        "needs the self-signed-ca waiver for every cluster",
    )
    waived = changed(dev, {"spec.security.waivers": [waiver("self-signed-ca", "main")]})
    assert check(rules.self_signed_ca_dev_only, waived) == []


def test_waivers_reported(check: Check) -> None:
    waived = changed(SINGLE, {"spec.security.waivers": [waiver("allow-tls12", "main")]})
    only(
        check(rules.waivers_reported, waived),
        "warning",
        "spec.security.waivers[0]",
        "waiver allow-tls12 weakens main: legacy clients until the Q3 upgrade",
    )
    assert check(rules.waivers_reported, SINGLE) == []


@pytest.mark.parametrize("name", ["kafka-broker", "kafka-controller", "kgen-admin", "mm2-east"])
def test_principal_names_not_reserved(name: str, check: Check) -> None:
    only(
        check(rules.principal_names_not_reserved, changed(SINGLE, {"spec.principals": [{"name": name}]})),
        "error",
        "spec.principals[0].name",
        "is reserved for kgen's own principals",
    )
    for good in ("orders-app", "mm2", "kafka-brokers-monitor"):
        assert (
            check(rules.principal_names_not_reserved, changed(SINGLE, {"spec.principals": [{"name": good}]}))
            == []
        )


def test_principal_names_distinct_as_secrets(check: Check) -> None:
    clash = changed(SINGLE, {"spec.principals": [{"name": "svc-a"}, {"name": "svc.a"}]})
    only(check(rules.principal_names_distinct_as_secrets, clash), "error", "spec.principals[1].name",
         "would share the secret variable vault_kafka_scram_svc_a")
    only(check(rules.principal_names_distinct_as_secrets, changed(SINGLE, {"spec.principals": [{"name": "kgen.admin"}]})),
         "error", "spec.principals[0].name", "'kgen.admin' and 'kgen-admin'")
    only(check(rules.principal_names_distinct_as_secrets, changed(SINGLE, {"spec.principals": [{"name": "mm2.x"}]})),
         "error", "spec.principals[0].name", "'mm2-*'")
    apart = changed(SINGLE, {"spec.principals": [{"name": "svc-a"}, {"name": "svc-b"}]})
    assert check(rules.principal_names_distinct_as_secrets, apart) == []


def test_client_peers_given(check: Check) -> None:
    closed = changed(SINGLE, {"spec.security.clients": {}})
    only(
        check(rules.client_peers_given, closed),
        "warning",
        "spec.security.clients",
        "no client CIDRs or namespaces",
    )
    namespaces_only = changed(SINGLE, {"spec.security.clients": {"namespaces": ["apps"]}})
    assert check(rules.client_peers_given, namespaces_only) == []
    assert check(rules.client_peers_given, SINGLE) == []


# --- Names -----------------------------------------------------------------------------

LONG_CLUSTER = "payments-ledger-eu-west-1-production-abc"  # 40 characters, the most a name may have


def test_node_names_fit_dns(check: Check) -> None:
    long_site = changed(
        SINGLE, {"spec.clusters.0.name": LONG_CLUSTER[:39], "spec.clusters.0.sites.0.name": "availability-zone-a",
                 "spec.clusters.0.sites.1.name": "b", "spec.clusters.0.sites.2.name": "c"}
    )
    only(
        check(rules.node_names_fit_dns, long_site),
        "error",
        "spec.clusters[0].sites[0].name",
        "over 52; shorten the cluster or site name",
    )
    long_zone = changed(SINGLE, {"spec.dns.zone": ".".join(["z" * 60] * 4)})
    only(check(rules.node_names_fit_dns, long_zone), "error", "spec.dns.zone", "exceed 253 characters")
    # 39 + len("-controller-") + 1 is 52, the longest StatefulSet name Kubernetes accepts.
    at_limit = changed(SINGLE, {"spec.clusters.0.name": LONG_CLUSTER[:39], "spec.clusters.0.sites.0.name": "a",
                                "spec.clusters.0.sites.1.name": "b", "spec.clusters.0.sites.2.name": "c"})
    assert check(rules.node_names_fit_dns, at_limit) == []


def test_node_names_fit_dns_counts_mirrormaker_nodes(check: Check) -> None:
    # The longest names a site allows still leave room for the MirrorMaker workers' names.
    long_dr = changed(
        DR_AP,
        {
            "spec.clusters.1.name": LONG_CLUSTER[:39],
            "spec.clusters.1.sites.0.name": "a",
            "spec.clusters.1.sites.1.name": "b",
            "spec.clusters.1.sites.2.name": "c",
            "spec.replication.flows.0.target": LONG_CLUSTER[:39],
        },
    )
    assert check(rules.node_names_fit_dns, long_dr) == []
    too_long = changed(long_dr, {"spec.clusters.1.sites.0.name": "ab"})
    problems = check(rules.node_names_fit_dns, too_long)
    assert [p.path for p in problems] == ["spec.clusters[1].sites[0].name"]


def test_created_vpc_has_cidr(check: Check) -> None:
    without_cidr = changed(SINGLE, {"spec.clusters.0.network": {"createVpc": True}})
    only(check(rules.created_vpc_has_cidr, without_cidr), "error", "spec.clusters[0].network.createVpc",
         "needs network.vpcCidr")
    with_cidr = changed(SINGLE, {"spec.clusters.0.network": {"createVpc": True, "vpcCidr": "10.9.0.0/16"}})
    assert check(rules.created_vpc_has_cidr, with_cidr) == []
    for cidr, message in (("10.0.0.0/8", "use a /16 to /26 range, not /8"),
                          ("10.9.0.0/27", "use a /16 to /26 range, not /27"),
                          ("10.9.3.4/16", "is not a network address")):
        odd = changed(SINGLE, {"spec.clusters.0.network": {"createVpc": True, "vpcCidr": cidr}})
        only(check(rules.created_vpc_has_cidr, odd), "error", "spec.clusters[0].network.vpcCidr", message)


def test_release_checksum_given(check: Check) -> None:
    # kgen ships the checksums of 3.7.0-4.2.0 (data/kafka-release-checksums.json), not 4.3.0's.
    unpinned = changed(SINGLE, {"spec.kafka": {"version": "4.3.0"}})
    only(
        check(rules.release_checksum_given, unpinned),
        "warning",
        "spec.kafka",
        "kgen ships none for Kafka 4.3.0: the Ansible roles refuse to install it until",
    )
    assert check(rules.release_checksum_given, changed(SINGLE, {"spec.kafka": {"version": "4.1.1"}})) == []
    # Without the Ansible target nothing downloads the archive.
    assert check(rules.release_checksum_given, changed(unpinned, {"spec.targets": ["terraform", "helm"]})) == []
    assert check(rules.release_checksum_given, SINGLE) == []


def test_mirrormaker_nodes_without_rest(check: Check) -> None:
    two = changed(DR_AP, {"spec.replication.mirrorMaker": {"nodesPerTarget": 2}})
    only(
        check(rules.mirrormaker_nodes_without_rest, two),
        "warning",
        "spec.replication.mirrorMaker.nodesPerTarget",
        "unable to update task configurations unless its internal REST server runs (KIP-710",
    )
    # The default is two nodes per target.
    default = changed(DR_AP, {"spec.replication.mirrorMaker": {}})
    assert len(check(rules.mirrormaker_nodes_without_rest, default)) == 1
    assert check(rules.mirrormaker_nodes_without_rest, SINGLE) == []
    assert check(rules.mirrormaker_nodes_without_rest, DR_AP) == []
