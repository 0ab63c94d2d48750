"""The one topics/ACL reconciler: what both targets ship, and how it behaves.

The script runs here under the machine's /bin/sh and awk against stand-ins for the
three Kafka tools, which keep a cluster in a JSON file and print it in the tools' own
layouts (the real tools' output is exercised by the Kafka lab, tests/test_kafka_lab.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kgen import topics_acls
from kgen.blueprint import validate_file
from kgen.plan import Plan, build_plan
from kgen.targets import ansible, helm

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))

# Stands in for kafka-topics.sh, kafka-configs.sh and kafka-acls.sh.
FAKE_KAFKA_TOOL = r'''#!{python}
import json, os, sys
state_path = os.environ["KGEN_FAKE_CLUSTER"]
state = json.load(open(state_path))
tool, raw = os.path.basename(sys.argv[0]), sys.argv[1:]
args = []
for item in raw:  # --topic=x and --topic x are the same to the real tools (joptsimple)
    args += item.split("=", 1) if item.startswith("--") and "=" in item else [item]
for flag in ("--bootstrap-server", "--command-config"):
    index = args.index(flag)
    del args[index:index + 2]
state["calls"].append([tool] + args)
def arg(name):
    return args[args.index(name) + 1]
def save():
    json.dump(state, open(state_path, "w"))
if state.get("unreachable"):
    sys.stderr.write("Timed out waiting for a node assignment.\n")
    save()
    sys.exit(1)
if tool == "kafka-topics.sh" and "--list" in args:
    print("\n".join(sorted(state["topics"])))
elif tool == "kafka-topics.sh" and "--describe" in args:
    for name, topic in sorted(state["topics"].items()):
        configs = ",".join(f"{k}={v}" for k, v in sorted(topic["config"].items()))
        print(f"Topic: {name}\tTopicId: AAAAAAAAAAAAAAAAAAAAAA\tPartitionCount: {topic['partitions']}\t"
              f"ReplicationFactor: {topic['rf']}\tConfigs: {configs}")
        for partition in range(topic["partitions"]):
            print(f"\tTopic: {name}\tPartition: {partition}\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3")
elif tool == "kafka-topics.sh" and "--create" in args:
    config = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--config")
    state["topics"][arg("--topic")] = {"partitions": int(arg("--partitions")),
                                       "rf": int(arg("--replication-factor")), "config": config}
elif tool == "kafka-topics.sh" and "--alter" in args:
    state["topics"][arg("--topic")]["partitions"] = int(arg("--partitions"))
elif tool == "kafka-topics.sh" and "--delete" in args:
    del state["topics"][arg("--topic")]
elif tool == "kafka-configs.sh" and "--describe" in args:
    for name, topic in sorted(state["topics"].items()):
        print(f"Dynamic configs for topic {name} are:")
        for key, value in sorted(topic["config"].items()):
            print(f"  {key}={value} sensitive=false synonyms={{DYNAMIC_TOPIC_CONFIG:{key}={value}}}")
elif tool == "kafka-configs.sh":
    for line in open(arg("--add-config-file")).read().splitlines():
        key, value = line.split("=", 1)
        state["topics"][arg("--entity-name")]["config"][key] = value
elif tool == "kafka-acls.sh" and "--list" in args:
    by_resource = {}
    for acl in state["acls"]:
        by_resource.setdefault(tuple(acl[:3]), []).append(acl[3:])
    for (rtype, name, pattern), bindings in sorted(by_resource.items()):
        pattern_text = f"ResourcePattern(resourceType={rtype}, name={name}, patternType={pattern})"
        print(f"Current ACLs for resource `{pattern_text}`: ")
        for principal, operation, permission in bindings:
            print(f" \t(principal={principal}, host=*, operation={operation}, permissionType={permission})")
        print()
elif tool == "kafka-acls.sh":
    flags = {"--topic": "TOPIC", "--group": "GROUP", "--transactional-id": "TRANSACTIONAL_ID"}
    rtype, name = next(((v, arg(k)) for k, v in flags.items() if k in args), ("CLUSTER", "kafka-cluster"))
    who = "--allow-principal" if "--allow-principal" in args else "--deny-principal"
    operation = "".join("_" + c if c.isupper() else c.upper() for c in arg("--operation")).lstrip("_")
    acl = [rtype, name, arg("--resource-pattern-type").upper(), arg(who), operation,
           "ALLOW" if who == "--allow-principal" else "DENY"]
    if "--add" in args and acl not in state["acls"]:
        state["acls"].append(acl)
    if "--remove" in args:
        state["acls"].remove(acl)
save()
'''


def _plan(path: Path) -> Plan:
    return build_plan(validate_file(path).blueprint)


def _files(artifacts: list[Any]) -> dict[str, Any]:
    return {artifact.path: artifact for artifact in artifacts}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_both_targets_ship_the_same_reconciler_and_state(example: Path) -> None:
    plan = _plan(example)
    on_hosts, in_chart = _files(ansible.render(plan)), _files(helm.render(plan))
    script = on_hosts[f"ansible/roles/topics_acls/files/{topics_acls.SCRIPT}"]
    assert script.content == in_chart[f"{helm.ROOT}/{helm.RECONCILER_PATH}"].content == topics_acls.script()
    assert script.executable
    for cluster in plan.clusters:
        state = on_hosts[f"ansible/topics-acls/{cluster.name}.tsv"].content
        assert state == in_chart[f"{helm.ROOT}/{helm.config_path(cluster, topics_acls.STATE)}"].content
        records = [line.split("\t") for line in state.splitlines() if not line.startswith("#")]
        assert [r[1] for r in records if r[0] == "topic"] == [t.name for t in cluster.topics]
        assert sum(r[0] == "acl" for r in records) == len(cluster.acls)
        assert sum(r[0] == "config" for r in records) == sum(len(t.config) for t in cluster.topics)
        assert all(len(r) == {"principal": 2, "topic": 4, "config": 3, "acl": 7}[r[0]] for r in records)
    # No target keeps a reconciler of its own.
    assert not [p for p in (*on_hosts, *in_chart) if "reconcile" in p and not p.endswith(topics_acls.SCRIPT)]


class FakeCluster:
    """A cluster the stand-in tools keep in a JSON file; the reconciler runs against it."""

    def __init__(self, tmp: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cluster = plan.clusters[0]
        self.bin = tmp / "bin"
        self.bin.mkdir()
        for tool in ("kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh"):
            (self.bin / tool).write_text(FAKE_KAFKA_TOOL.replace("{python}", sys.executable), encoding="utf-8")
            (self.bin / tool).chmod(0o755)
        self.file = tmp / "cluster.json"
        monkeypatch.setenv("KGEN_FAKE_CLUSTER", str(self.file))
        self.script = tmp / topics_acls.SCRIPT
        self.script.write_text(topics_acls.script(), encoding="utf-8")
        self.state = tmp / topics_acls.STATE
        self.state.write_text(topics_acls.state(plan, self.cluster), encoding="utf-8")
        self.save({"topics": {}, "acls": [], "calls": []})

    def load(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.file.read_text(encoding="utf-8"))
        return loaded

    def save(self, data: dict[str, Any]) -> None:
        self.file.write_text(json.dumps(data), encoding="utf-8")

    def run(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", str(self.script), "--state", str(self.state), "--kafka-bin", str(self.bin),
             "--command-config", "/dev/null", "--bootstrap-server", "kafka-0:9093", *extra],
            capture_output=True, text=True, timeout=120, check=False, env={**os.environ, "TMPDIR": str(self.bin.parent)})

    def reconcile(self, *extra: str) -> tuple[dict[str, Any], list[list[str]]]:
        before = len(self.load()["calls"])
        result = self.run(*extra)
        assert result.returncode == 0, result.stdout + result.stderr
        outcome: dict[str, Any] = json.loads(result.stdout)
        return outcome, self.load()["calls"][before:]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    return FakeCluster(tmp_path, _plan(ROOT / "examples" / "single-cluster.yaml"), monkeypatch)


def _changes(calls: list[list[str]]) -> list[list[str]]:
    return [call for call in calls if not {"--describe", "--list"} & set(call)]


def test_an_empty_cluster_gets_every_topic_with_its_config_and_every_binding(fake: FakeCluster) -> None:
    outcome, calls = fake.reconcile()
    assert outcome["changed"] is True
    assert outcome["notes"] == []
    final = fake.load()
    for topic in fake.cluster.topics:
        assert final["topics"][topic.name] == {"partitions": topic.partitions, "rf": topic.replication_factor,
                                               "config": {k: str(v) for k, v in topic.config.items()}}
    # Each topic is created with its config in the one --create call, never altered after.
    assert sum(call[:2] == ["kafka-topics.sh", "--create"] for call in calls) == len(fake.cluster.topics)
    assert not any(call[0] == "kafka-configs.sh" and "--alter" in call for call in calls)
    assert len(final["acls"]) == len(fake.cluster.acls)

    again, calls = fake.reconcile()
    assert again == {"actions": [], "changed": False, "notes": []}
    assert _changes(calls) == []


def test_partitions_grow_and_config_converges_but_nothing_shrinks(fake: FakeCluster) -> None:
    fake.reconcile()
    grown, compacted = fake.cluster.topics[0], fake.cluster.topics[1]
    assert compacted.config.get("cleanup.policy") == "compact"
    data = fake.load()
    data["topics"][grown.name]["partitions"] = 1
    data["topics"][compacted.name]["config"]["cleanup.policy"] = "delete"
    data["topics"][compacted.name]["config"]["retention.ms"] = "1000"  # an override the plan does not set
    fake.save(data)

    outcome, calls = fake.reconcile()
    assert outcome["actions"] == [f"grow topic {grown.name} to {grown.partitions} partitions",
                                  f"set cleanup.policy=compact on topic {compacted.name}"]
    assert outcome["notes"] == [f"topic {compacted.name} overrides retention.ms=1000, which the plan does not set; "
                                "it is left as it is"]
    assert fake.load()["topics"][grown.name]["partitions"] == grown.partitions
    assert fake.load()["topics"][compacted.name]["config"]["cleanup.policy"] == "compact"

    # A list value (commas) reaches Kafka whole, through a config file.
    data = fake.load()
    data["topics"][compacted.name]["config"]["cleanup.policy"] = "compact,delete"
    data["topics"][grown.name]["partitions"] = grown.partitions + 6
    data["topics"][grown.name]["rf"] = 2
    fake.save(data)
    outcome, calls = fake.reconcile()
    assert outcome["actions"] == [f"set cleanup.policy=compact on topic {compacted.name}"]
    assert f"topic {grown.name} has {grown.partitions + 6} partitions; Kafka cannot shrink it to " \
           f"{grown.partitions}" in outcome["notes"]
    assert any(f"topic {grown.name} has replication factor 2" in note for note in outcome["notes"])
    assert fake.load()["topics"][grown.name]["partitions"] == grown.partitions + 6


def test_stale_bindings_and_topics_go_only_when_asked(fake: FakeCluster) -> None:
    fake.reconcile()
    data = fake.load()
    managed = ["TOPIC", "gone.", "PREFIXED", "User:billing", "IDEMPOTENT_WRITE", "ALLOW"]
    foreign = ["TRANSACTIONAL_ID", "tx", "LITERAL", "User:someone-else", "WRITE", "ALLOW"]
    data["acls"] += [managed, foreign]
    data["topics"]["scratch"] = {"partitions": 1, "rf": 3, "config": {}}
    fake.save(data)

    outcome, calls = fake.reconcile()
    assert outcome["changed"] is False
    assert _changes(calls) == []
    assert outcome["notes"] == ["ACL allow User:billing IdempotentWrite on topic gone. (prefixed) is not in the plan; "
                                "run with --delete-acls to remove it"]

    outcome, calls = fake.reconcile("--delete-acls", "--delete-topic", "scratch", "--delete-topic=absent")
    assert _changes(calls) == [
        ["kafka-topics.sh", "--delete", "--topic", "scratch"],
        ["kafka-acls.sh", "--remove", "--force", "--allow-principal", "User:billing", "--operation",
         "IdempotentWrite", "--topic", "gone.", "--resource-pattern-type", "prefixed"]]
    final = fake.load()
    assert managed not in final["acls"]
    assert foreign in final["acls"], "a principal kgen does not manage lost a binding"
    assert "scratch" not in final["topics"]
    assert set(final["topics"]) == {t.name for t in fake.cluster.topics}


def test_an_unreachable_cluster_fails_after_the_wait(fake: FakeCluster) -> None:
    fake.save({**fake.load(), "unreachable": True})
    result = fake.run("--wait-seconds", "0")
    assert result.returncode == 1
    assert "the cluster is not reachable at kafka-0:9093" in result.stderr
    assert "Timed out waiting" in result.stderr
    assert result.stdout == ""
