"""Apache Kafka's configuration keys per release line, from Kafka's generated docs.

The table is `data/kafka-configs.json`, copied from the project's shared reference
(see docs/reference-data.md for its provenance). Every key a user writes in
`config:` and every key the plan emits is checked here.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kgen.resources import resource_dir

SUPPORTED_LINES = ("3.7", "3.8", "3.9", "4.0", "4.1", "4.2", "4.3")

# Kafka 3.7 and 3.8 refuse to start a controller-only node whose advertised.listeners is
# set ("The advertised.listeners config must be empty when process.roles=controller",
# KafkaConfig.validateValues); 3.9 (KIP-853) lets controllers advertise their endpoint.
# Proved by the Kafka lab's 3.7 line (tests/test_kafka_lab.py).
CONTROLLERS_REFUSE_ADVERTISED_LISTENERS = ("3.7", "3.8")

# Cluster-wide defaults that a KRaft controller reads from its *own* configuration, so a
# controller needs the same value as the brokers. ControllerServer hands the controller's
# default.replication.factor, num.partitions and min.insync.replicas to
# QuorumController.Builder (setDefaultReplicationFactor / setDefaultNumPartitions /
# setDefaultMinIsr): they apply to a CreateTopics request that leaves partitions or
# replication to the cluster, and with Eligible Leader Replicas (KIP-966, on by default for
# new 4.1+ clusters) the active controller's min.insync.replicas becomes the cluster-level
# dynamic default that overrides every broker's static value. It also passes its static
# config (setStaticConfig), through which the controller, which elects leaders in KRaft,
# reads unclean.leader.election.enable. Proved by the Kafka lab (tests/test_kafka_lab.py).
CONTROLLER_READ_DEFAULTS = ("default.replication.factor", "min.insync.replicas", "num.partitions",
                            "unclean.leader.election.enable")

# Release lines on which a new cluster runs with Eligible Leader Replicas (KIP-966) from its
# first start: the eligible.leader.replicas.version feature is on by default from 4.1 (Kafka
# 4.1 docs, Operations > Eligible Leader Replicas). Enabling it writes a cluster-level dynamic
# min.insync.replicas taken from the active controller's static config.
ELR_BY_DEFAULT = ("4.1", "4.2", "4.3")

# Keys that only `spec.security` or the topology may set. Strimzi forbids the same
# families for the same reason: they decide who can connect and how.
_SECURITY_PREFIXES = (
    "listener", "advertised.listeners", "inter.broker.listener.name", "controller.listener.names",
    "security.", "sasl.", "ssl.", "authorizer.", "super.users", "allow.everyone.if.no.acl.found",
    "principal.builder.class", "delegation.token.", "config.providers",
)
_TOPOLOGY_KEYS = (
    "process.roles", "node.id", "broker.id", "controller.quorum.", "broker.rack", "log.dirs",
    "log.dir", "metadata.log.dir", "replica.selector.class",
)

_LISTENER_PREFIX = re.compile(r"^listener\.name\.([a-z0-9_]+)\.(.+)$")
_MECHANISMS = ("scram-sha-512", "scram-sha-256", "plain", "gssapi", "oauthbearer")
_JAVA_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")


@cache
def _table() -> dict[str, Any]:
    with (resource_dir("data") / "kafka-configs.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass(frozen=True)
class KeyTable:
    """The keys of one scope (broker, topic, mirrormaker2) for one release line."""

    line: str
    scope: str
    entries: dict[str, dict[str, Any]]

    def spec(self, key: str) -> dict[str, Any] | None:
        """The reference entry for `key`, including prefixed listener overrides."""
        if key in self.entries:
            return self.entries[key]
        if self.scope == "broker":
            match = _LISTENER_PREFIX.match(key)
            if match:
                rest = match.group(2)
                for mechanism in _MECHANISMS:
                    if rest.startswith(mechanism + "."):
                        rest = rest[len(mechanism) + 1:]
                        break
                return self.entries.get(rest)
            if re.fullmatch(r"config\.providers\.[a-z0-9]+\.(class|param\.[a-z0-9.]+)", key):
                return {"type": "string"}
        return None

    def suggest(self, key: str) -> str:
        """A did-you-mean hint for an unknown key, or an empty string."""
        close = difflib.get_close_matches(key, list(self.entries), n=1, cutoff=0.75)
        return f"; did you mean {close[0]!r}?" if close else ""


def mm2_spec(version: str, key: str, aliases: list[str]) -> dict[str, Any] | None:
    """The reference entry for an mm2.properties key, resolving `<alias>.` and `<a>-><b>.` prefixes."""
    table = keys_for(version, "mirrormaker2")
    if table.spec(key) is not None:
        return table.spec(key)
    # Dedicated MirrorMaker 2 runs a Connect worker per replication pair, configured from the
    # top-level keys of mm2.properties (its internal config/offset/status topics, for one).
    worker = _connect_worker(".".join(version.split(".")[:2])).get(key)
    if worker is not None:
        return worker
    if re.fullmatch(r"config\.providers\.[a-z0-9]+\.(class|param\.[a-z0-9.]+)", key):
        return {"type": "string"}
    for source in aliases:
        for target in aliases:
            pair = f"{source}->{target}."
            if key.startswith(pair):
                return table.spec(key[len(pair):])
    for alias in aliases:
        if key.startswith(alias + "."):
            rest = key[len(alias) + 1:]
            for scope in ("mirrormaker2", "admin", "producer", "consumer"):
                found = keys_for(version, scope).spec(rest)
                if found is not None:
                    return found
    return None


def supported(version: str) -> bool:
    """True when kgen has Kafka's key tables for this release."""
    return ".".join(version.split(".")[:2]) in _table()["versions"]


def keys_for(version: str, scope: str) -> KeyTable:
    """The key table of `scope` for the release line of `version`."""
    line = ".".join(version.split(".")[:2])
    section = _table()["versions"][line]
    if scope == "broker":
        entries = {**section["broker"], **section["broker_extra_real_keys"],
                   "config.providers": {"type": "list"}}
    elif scope == "mirrormaker2":
        mm2 = section["mirrormaker2"]
        entries = {**mm2["mm2_properties_top_level"], **mm2["connectors"]}
    else:
        entries = section[scope]
    return KeyTable(line, scope, entries)


def managed_key_reason(key: str) -> str | None:
    """Why a user may not set `key` in `config:`, or None when they may."""
    if key.startswith(_SECURITY_PREFIXES):
        return "is a security key; kgen sets it from spec.security"
    if key.startswith(_TOPOLOGY_KEYS):
        return "is set by kgen from the topology (sites, nodes and storage)"
    return None


def check_value(spec: dict[str, Any], value: Any) -> str | None:
    """Why `value` is not valid for a key described by `spec`, or None when it is."""
    kind = spec.get("type", "string")
    if kind == "password":
        return "is a password; secrets come only by reference, never in a blueprint"
    items = value if isinstance(value, list) else (
        [v.strip() for v in value.split(",")] if kind == "list" and isinstance(value, str) else [value]
    )
    if kind != "list" and isinstance(value, list):
        return f"takes one {kind} value, not a list"
    for item in items:
        problem = _check_scalar(spec, kind, item)
        if problem:
            return problem
    return None


def _check_scalar(spec: dict[str, Any], kind: str, value: Any) -> str | None:
    if kind == "boolean":
        if isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false")):
            return None
        return f"takes true or false, not {value!r}"
    if kind in ("int", "short", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"takes a whole number ({kind}), not {value!r}"
        return _check_range(spec, value)
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"takes a number, not {value!r}"
        return _check_range(spec, value)
    if kind == "class" and not (isinstance(value, str) and _JAVA_CLASS.match(value)):
        return f"takes a Java class name, not {value!r}"
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return f"takes a {kind}, not {value!r}"
    enum = spec.get("enum")
    if enum:
        text = str(value)
        allowed = [str(e) for e in enum]
        ok = text.lower() in (a.lower() for a in allowed) if spec.get("enum_case_insensitive") else text in allowed
        if not ok:
            return f"must be one of {', '.join(allowed)}, not {text!r}"
    return None


def _check_range(spec: dict[str, Any], value: float) -> str | None:
    low, high = spec.get("min"), spec.get("max")
    if low is not None and value < low:
        return f"must be at least {low}, not {value}"
    if high is not None and value > high:
        return f"must be at most {high}, not {value}"
    return None


def properties_value(value: Any) -> str:
    """Kafka's text form of a typed value: true/false, numbers, comma lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(properties_value(v) for v in value)
    return str(value)


@cache
def _checksums() -> dict[str, str]:
    with (resource_dir("data") / "kafka-release-checksums.json").open(encoding="utf-8") as handle:
        table: dict[str, str] = json.load(handle)["sha512"]
    return table


def release_checksum(version: str) -> str | None:
    """The shipped `sha512:<hex>` of kafka_2.13-<version>.tgz, or None for a release it lacks.

    From data/kafka-release-checksums.json (see docs/reference-data.md for its provenance).
    """
    digest = _checksums().get(version)
    return f"sha512:{digest}" if digest else None


@cache
def _connect_worker(line: str) -> dict[str, dict[str, Any]]:
    """Kafka Connect's worker keys for a release line (data/kafka-connect-worker-configs.json)."""
    with (resource_dir("data") / "kafka-connect-worker-configs.json").open(encoding="utf-8") as handle:
        entries: dict[str, dict[str, Any]] = json.load(handle)["versions"][line]["connect_worker"]
    return entries
