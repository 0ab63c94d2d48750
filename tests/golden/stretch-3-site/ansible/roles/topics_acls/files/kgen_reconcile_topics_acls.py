#!/usr/bin/env python3
"""Bring one Kafka cluster's topics and ACLs to the state kgen planned.

Reads the current state with kafka-topics/kafka-acls --describe/--list through an
admin client config, applies only the difference, and deletes only when asked.
Prints one JSON object: {"changed": bool, "actions": [...], "notes": [...]}.
"""

import argparse
import json
import re
import subprocess
import sys

_TOPIC_LINE = re.compile(r"^Topic:\s*(\S+)\s.*PartitionCount:\s*(\d+).*?(?:Configs:\s*(.*))?$")
_RESOURCE_LINE = re.compile(r"ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)")
_BINDING_LINE = re.compile(r"\(principal=(.*), host=(.*), operation=(\w+), permissionType=(\w+)\)")
_RESOURCE_TYPE = {"TOPIC": "topic", "GROUP": "group", "CLUSTER": "cluster", "TRANSACTIONAL_ID": "transactional-id"}
_RESOURCE_FLAG = {"topic": "--topic", "group": "--group", "transactional-id": "--transactional-id"}


def _norm(text):
    return str(text).replace("_", "").replace("-", "").lower()


def _key(principal, resource_type, name, pattern, operation, permission):
    return (principal, _norm(resource_type), name, _norm(pattern), _norm(operation), _norm(permission))


class Cluster:
    """The kafka-topics and kafka-acls tools of one installation, bound to one cluster."""

    def __init__(self, kafka_bin, bootstrap, command_config):
        self.kafka_bin = kafka_bin
        self.common = ["--bootstrap-server", bootstrap, "--command-config", command_config]

    def run(self, tool, args):
        done = subprocess.run([self.kafka_bin + "/" + tool, *self.common, *args],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit("%s %s failed with exit code %d" % (tool, " ".join(args), done.returncode))
        return done.stdout

    def topics(self):
        found = {}
        for line in self.run("kafka-topics.sh", ["--describe", "--exclude-internal"]).splitlines():
            match = _TOPIC_LINE.match(line.strip())
            if match:
                configs = {}
                for item in (match.group(3) or "").split(","):
                    if "=" in item:
                        key, value = item.split("=", 1)
                        configs[key.strip()] = value.strip()
                found[match.group(1)] = {"partitions": int(match.group(2)), "config": configs}
        return found

    def acls(self):
        found = {}
        resource = None
        for line in self.run("kafka-acls.sh", ["--list"]).splitlines():
            match = _RESOURCE_LINE.search(line)
            if match:
                resource = match.groups()
                continue
            match = _BINDING_LINE.search(line)
            if match and resource:
                principal, _host, operation, permission = match.groups()
                pascal = "".join(part.capitalize() for part in operation.split("_"))
                found[_key(principal, resource[0], resource[1], resource[2], operation, permission)] = {
                    "principal": principal, "resource_type": _RESOURCE_TYPE.get(resource[0], resource[0].lower()),
                    "name": resource[1], "pattern": resource[2].lower(), "operation": pascal,
                    "permission": permission.lower()}
        return found


def _acl_args(acl):
    who = "--allow-principal" if _norm(acl["permission"]) == "allow" else "--deny-principal"
    args = [who, acl["principal"], "--operation", acl["operation"],
            "--resource-pattern-type", acl["pattern"]]
    if acl["resource_type"] == "cluster":
        return [*args, "--cluster"]
    return [*args, _RESOURCE_FLAG[acl["resource_type"]], acl["name"]]


def reconcile(cluster, state, delete_acls, delete_topics):
    """Apply the difference; return the actions taken and notes for the operator."""
    actions, notes = [], []
    current = cluster.topics()
    for topic in state["topics"]:
        name = topic["name"]
        config = [f"{k}={v}" for k, v in sorted(topic["config"].items())]
        have = current.get(name)
        if have is None:
            args = ["--create", "--topic", name, "--partitions", str(topic["partitions"]),
                    "--replication-factor", str(topic["replication_factor"])]
            for item in config:
                args += ["--config", item]
            cluster.run("kafka-topics.sh", args)
            actions.append("create topic " + name)
            continue
        if have["partitions"] < topic["partitions"]:
            cluster.run("kafka-topics.sh", ["--alter", "--topic", name, "--partitions", str(topic["partitions"])])
            actions.append("grow topic %s to %d partitions" % (name, topic["partitions"]))
        elif have["partitions"] > topic["partitions"]:
            notes.append("topic %s has %d partitions; Kafka cannot shrink it to %d"
                         % (name, have["partitions"], topic["partitions"]))
        drift = [k for k, v in topic["config"].items() if have["config"].get(k) != str(v)]
        if drift:
            cluster.run("kafka-configs.sh", ["--alter", "--entity-type", "topics", "--entity-name", name,
                                              "--add-config", ",".join(f"{k}={topic['config'][k]}" for k in sorted(drift))])
            actions.append("set %s on topic %s" % (", ".join(sorted(drift)), name))
    for name in delete_topics:
        if name in current:
            cluster.run("kafka-topics.sh", ["--delete", "--topic", name])
            actions.append("delete topic " + name)
    have_acls = cluster.acls()
    wanted = {_key(a["principal"], a["resource_type"], a["name"], a["pattern"], a["operation"], a["permission"]): a
              for a in state["acls"]}
    for key in sorted(set(wanted) - set(have_acls)):
        cluster.run("kafka-acls.sh", ["--add", *_acl_args(wanted[key])])
        actions.append("add ACL %s" % (key,))
    managed = set(state["managed_principals"])
    stale = sorted(k for k in set(have_acls) - set(wanted) if k[0] in managed)
    for key in stale:
        if not delete_acls:
            notes.append("ACL %s is not in the blueprint; rerun with topics_acls_delete_acls=true to remove it" % (key,))
            continue
        cluster.run("kafka-acls.sh", ["--remove", "--force", *_acl_args(have_acls[key])])
        actions.append("remove ACL %s" % (key,))
    return actions, notes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True)
    parser.add_argument("--kafka-bin", required=True)
    parser.add_argument("--command-config", required=True)
    parser.add_argument("--delete-acls", action="store_true")
    parser.add_argument("--delete-topic", action="append", default=[])
    args = parser.parse_args(argv)
    with open(args.state, encoding="utf-8") as handle:
        state = json.load(handle)
    cluster = Cluster(args.kafka_bin, state["bootstrap"], args.command_config)
    actions, notes = reconcile(cluster, state, args.delete_acls, args.delete_topic)
    json.dump({"changed": bool(actions), "actions": actions, "notes": notes}, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
