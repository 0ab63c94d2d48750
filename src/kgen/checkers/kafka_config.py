"""kgen's own check of rendered Kafka configs: real keys for the version, and the security invariants.

It reads every `*.properties` file (Helm's per-node configs and MirrorMaker configs) and
the property maps in Ansible's host and group variables, so a hand edit to the output
that brings back PLAINTEXT, an open authorizer or an invented key is caught with its
file and line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kgen import kafka_keys
from kgen.checkers import Output
from kgen.findings import CheckResult, Finding, verdict
from kgen.properties import parse_properties

Entries = list[tuple[str, str, int]]
_SECURE = {"SSL", "SASL_SSL"}
_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def _version(output: Output) -> str | None:
    manifest = output.root / "kgen-manifest.json"
    try:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("kafkaVersion")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) and kafka_keys.supported(version) else None


def _node_entries(node: yaml.Node) -> Entries | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return [(str(k.value), str(v.value), k.start_mark.line + 1) for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)]


def _field(node: yaml.Node, name: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == name:
                return value
    return None


def _yaml_maps(path: Path) -> Iterator[tuple[str, Entries]]:
    """(kind, entries) for every Kafka property map in an Ansible vars file.

    Composed, not constructed: Ansible's `!unsafe` tags stay plain scalars, and every
    key keeps its line.
    """
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        yield "unreadable", [("", str(exc).splitlines()[0], 1)]
        return
    if root is None:
        return
    server = _field(root, "kafka_server_properties")
    if server is not None:
        yield "server", _node_entries(server) or []
    flows = _field(root, "kafka_cluster_flows")
    if isinstance(flows, yaml.SequenceNode):
        for flow in flows.value:
            props = _field(flow, "properties")
            if props is not None:
                yield "mm2", _node_entries(props) or []


def _config_files(output: Output) -> Iterator[tuple[Path, str, Entries]]:
    for path in sorted(output.root.rglob("*.properties")):
        entries = parse_properties(path.read_text(encoding="utf-8"))
        keys = {k for k, _, _ in entries}
        kind = "server" if "process.roles" in keys else "mm2" if "clusters" in keys else ""
        if kind:
            yield path, kind, entries
    for folder in ("host_vars", "group_vars"):
        for path in sorted((output.root / "ansible").rglob(f"{folder}/**/*.yml")):
            for kind, entries in _yaml_maps(path):
                yield path, kind, entries


def server_problems(entries: Entries, version: str) -> Iterator[tuple[int, str, str]]:
    """(line, rule, message) for every problem in one node's server.properties."""
    table = kafka_keys.keys_for(version, "broker")
    props = {k: (v, line) for k, v, line in entries}
    for key, _, line in entries:
        if table.spec(key) is None:
            yield line, "unknown-key", f"{key!r} is not a Kafka {table.line} broker config key{table.suggest(key)}"
    protocol_map = dict(
        item.split(":", 1) for item in props.get("listener.security.protocol.map", ("", 0))[0].split(",") if ":" in item
    )
    roles = props.get("process.roles", ("", 0))[0]
    if roles == "controller" and "advertised.listeners" in props \
            and table.line in kafka_keys.CONTROLLERS_REFUSE_ADVERTISED_LISTENERS:
        yield props["advertised.listeners"][1], "controller-advertised-listeners", \
            f"Kafka {table.line} refuses to start a controller-only node with advertised.listeners set"
    for key in ("listeners", "advertised.listeners"):
        value, line = props.get(key, ("", 0))
        for listener in filter(None, value.split(",")):
            name = listener.split("://", 1)[0].strip()
            protocol = protocol_map.get(name, name)
            if protocol not in _SECURE:
                yield line, "plaintext-listener", f"{key} has listener {name} with protocol {protocol}; " \
                    "every listener must be SSL or SASL_SSL"
    for name, protocol in protocol_map.items():
        if protocol not in _SECURE:
            line = props["listener.security.protocol.map"][1]
            yield line, "plaintext-listener", f"listener {name} maps to {protocol}; use SSL or SASL_SSL"
    required = {
        "authorizer.class.name": _AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "ssl.endpoint.identification.algorithm": "https",
    }
    for key, wanted in required.items():
        value, line = props.get(key, (None, 1))
        if value != wanted:
            yield line, "security-invariant", f"{key} must be {wanted}, not {value!r}"
    value, line = props.get("super.users", ("", 1))
    if not value:
        yield line, "security-invariant", "super.users must list the broker, controller and admin principals"


def mm2_problems(entries: Entries, version: str) -> Iterator[tuple[int, str, str]]:
    """(line, rule, message) for every problem in one mm2.properties."""
    props = {k: (v, line) for k, v, line in entries}
    aliases = [a.strip() for a in props.get("clusters", ("", 1))[0].split(",") if a.strip()]
    for key, _, line in entries:
        if kafka_keys.mm2_spec(version, key, aliases) is None:
            yield line, "unknown-key", f"{key!r} is not a MirrorMaker 2 key for Kafka {version}"
    for alias in aliases:
        value, line = props.get(f"{alias}.security.protocol", ("PLAINTEXT", props.get("clusters", ("", 1))[1]))
        if value not in _SECURE:
            yield line, "plaintext-listener", f"MirrorMaker connects to {alias} with {value}; use SSL or SASL_SSL"


class KafkaConfigChecker:
    """kgen's own key and invariant checks on every rendered Kafka config."""

    name = "kafka-config"

    def applies(self, output: Output) -> bool:
        return any(True for _ in _config_files(output))

    def tool_version(self) -> str | None:
        return "kgen"

    def install_hint(self) -> str:
        return "part of kgen"

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        version = _version(output)
        findings: list[Finding] = []
        if version is None:
            findings.append(Finding(output.display("kgen-manifest.json"), 1, "kgen", "manifest", "error",
                                    "no supported kafkaVersion in kgen-manifest.json; re-render with kgen"))
            return verdict(self.name, findings, time.perf_counter() - started)
        for path, kind, entries in _config_files(output):
            if kind == "unreadable":
                findings.append(Finding(output.display(path), 1, "kgen", "unreadable", "error",
                                        f"cannot read Kafka properties from this file: {entries[0][1]}"))
                continue
            problems: Any = server_problems(entries, version) if kind == "server" else mm2_problems(entries, version)
            for line, rule, message in problems:
                findings.append(Finding(output.display(path), line, "kgen", rule, "error", message))
        return verdict(self.name, findings, time.perf_counter() - started)
