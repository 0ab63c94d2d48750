"""A deployment kgen rendered, booted on real Kafka: every node formatted and started as its role does.

The files come from the real ansible-runner run of the generated `site.yml` (dry prefix,
one root per host) with a release archive whose scripts run the real Kafka classes and
the real JMX exporter agent; nothing here rebuilds a configuration.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import yaml
from test_target_ansible import DryRun, _filter_plugin, _vars, parse_properties, parse_unit

from kafka_lab import hosts, maven, scripts
from kgen.targets import ansible

# Small heaps: the lab runs a whole deployment on two cores. Everything else in the
# units is used as rendered.
NODE_HEAP = "-Xms96m -Xmx320m"
TOOL_HEAP = "-Xmx160m"
CLIENT = "lab-client"


class KafkaLab:
    """One rendered blueprint on real Kafka: hosts, formatted storage, running nodes."""

    def __init__(self, blueprint: Path, tmp_path: Path) -> None:
        self.tmp = tmp_path
        plan_version = yaml.safe_load(blueprint.read_text(encoding="utf-8"))["spec"]["kafka"]["version"]
        agent = maven.jmx_exporter_agent().read_bytes()
        self.dry = DryRun(blueprint, "files", tmp_path / "render",
                          release=scripts.release_archive(plan_version, ansible.SCALA_VERSION), agent=agent)
        result, output = self.dry.run("lab")
        assert result.rc == 0, output[-4000:]
        self.plan = self.dry.plan
        self.kafka_home = f"/opt/kafka/kafka_{ansible.SCALA_VERSION}-{self.plan.kafka_version}"
        self.filters = _filter_plugin(self.dry.project)
        names = [node.name for _, node in self.dry.hosts] + [CLIENT]
        self.nodes = {node.name: (cluster, node) for cluster, node in self.dry.hosts}
        self.network = hosts.Network(
            names, aliases={node.name: node.hostname for _, node in self.dry.hosts},
            roots={node.name: self.dry.root / node.name for _, node in self.dry.hosts})
        self.processes: dict[str, Any] = {}

    # --- files as rendered --------------------------------------------------------------

    def root(self, name: str) -> Path:
        """The rendered root of a host (what / is for it)."""
        return self.dry.root / name

    def unit(self, name: str, unit: str = "kafka.service") -> dict[str, list[str]]:
        """A host's systemd unit as Ansible wrote it."""
        return parse_unit((self.root(name) / "etc/systemd/system" / unit).read_text(encoding="utf-8"))

    def server_properties(self, name: str) -> dict[str, str]:
        """A node's server.properties as Ansible wrote it."""
        return parse_properties((self.root(name) / "etc/kafka/server.properties").read_text(encoding="utf-8"))

    def all_vars(self) -> dict[str, Any]:
        """The generated inventory variables every host shares."""
        path = self.dry.project / "inventory" / "group_vars" / "all" / "main.yml"
        data: dict[str, Any] = _vars(path)
        return data

    def group_vars(self, cluster: str) -> dict[str, Any]:
        """A cluster's generated inventory variables."""
        path = self.dry.project / "inventory" / "group_vars" / f"{ansible.group_of(cluster)}.yml"
        data: dict[str, Any] = _vars(path)
        return data

    # --- running Kafka ------------------------------------------------------------------

    def format_command(self, name: str) -> list[str]:
        """The role's `kafka-storage.sh format` argv for a node (roles/kafka/tasks/main.yml)."""
        cluster, _ = self.nodes[name]
        cluster_vars = self.group_vars(cluster.name)
        passwords = {user: self.dry.secrets[ansible.vault_variable(user)]
                     for user in cluster_vars.get("kafka_cluster_scram_users", [])}
        return [f"{self.kafka_home}/bin/kafka-storage.sh", "format",
                "--config", "/etc/kafka/server.properties", "--cluster-id", cluster_vars["kafka_cluster_id"],
                *self.filters.kgen_scram_args(cluster_vars.get("kafka_cluster_scram_users", []), passwords,
                                              self.all_vars()["kafka_scram_iterations"])]

    def format(self, name: str) -> None:
        """Format a node's storage with the role's command and cluster id."""
        result = self.network.hosts[name].run(self.format_command(name), env={"KAFKA_HEAP_OPTS": TOOL_HEAP})
        assert result.returncode == 0, f"format {name}: {result.stdout}{result.stderr}"

    def start(self, name: str, unit_name: str = "kafka.service") -> None:
        """Start a node as its systemd unit does: its Environment= and ExecStart=."""
        unit = self.unit(name, unit_name)
        env = dict(item.strip('"').split("=", 1) for item in unit.get("Environment", []))
        env["KAFKA_HEAP_OPTS"] = NODE_HEAP
        log = self.tmp / "logs" / f"{name}.out"
        self.processes[name] = self.network.hosts[name].start(shlex.split(unit["ExecStart"][0]), log, env)

    def stop(self, name: str) -> None:
        """Stop a node (SIGTERM, as systemd does)."""
        self.network.hosts[name].stop(self.processes.pop(name))

    def log(self, name: str) -> str:
        """A node's server.log and console output so far."""
        text = ""
        for path in (self.root(name) / "var/log/kafka/server.log", self.tmp / "logs" / f"{name}.out"):
            if path.exists():
                text += path.read_text(encoding="utf-8", errors="replace")
        return text

    def wait_started(self, name: str, timeout: float = 180) -> None:
        """Wait until a node says it started; fail early if its process died."""
        def started() -> bool:
            process = self.processes[name]
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)[-4000:]}")
            return bool(re.search(r"Kafka Server started|\] started \(kafka\.server", self.log(name)))
        hosts.wait_for(started, f"{name} to start", timeout)

    def boot(self, cluster: str | None = None) -> None:
        """Format and start every Kafka node (of one cluster), controllers first."""
        chosen = [name for name, (c, node) in self.nodes.items()
                  if node.role != "mirrormaker" and (cluster is None or c.name == cluster)]
        for name in chosen:
            self.format(name)
        for name in sorted(chosen, key=lambda n: self.nodes[n][1].role != "controller"):
            self.start(name)
        for name in chosen:
            self.wait_started(name)

    # --- tools, as the playbooks run them -----------------------------------------------

    def runner(self, cluster: str) -> str:
        """The broker that runs the topics/ACL reconciler (the first broker of the cluster)."""
        return next(n.name for n in self.plan.cluster(cluster).nodes if n.role == "broker")

    def admin(self, cluster: str, tool: str, *args: str, timeout: float = 120) -> Any:
        """A Kafka admin tool on the reconciler's broker with the admin client config Ansible wrote."""
        bootstrap = self.plan.cluster(cluster).bootstrap
        return self.network.hosts[self.runner(cluster)].run(
            [f"{self.kafka_home}/bin/{tool}", "--bootstrap-server", bootstrap,
             "--command-config", "/etc/kafka/admin.properties", *args],
            env={"KAFKA_HEAP_OPTS": TOOL_HEAP}, timeout=timeout)

    def reconcile(self, cluster: str, *extra: str, script: str = "/opt/kafka/kgen-reconcile-topics-acls.sh",
                  state: str = "/etc/kafka/kgen-topics-acls.tsv") -> dict[str, Any]:
        """The topics/ACL reconciler, run on its broker with the role's argv (roles/topics_acls).

        `script` and `state` name other files under the broker's root: the Helm chart's bytes.
        """
        result = self.network.hosts[self.runner(cluster)].run(
            ["/bin/sh", script, "--state", state, "--kafka-bin", f"{self.kafka_home}/bin",
             "--command-config", "/etc/kafka/admin.properties", "--bootstrap-server", self.plan.cluster(cluster).bootstrap,
             "--wait-seconds", "60", *extra],
            env={"KAFKA_HEAP_OPTS": TOOL_HEAP}, timeout=600)
        assert result.returncode == 0, f"reconciler: {result.stdout[-3000:]}{result.stderr[-3000:]}"
        outcome: dict[str, Any] = json.loads(result.stdout)
        return outcome

    def client(self, tool: str, *args: str, stdin: str | None = None, timeout: float = 120) -> Any:
        """A Kafka client tool on the lab's client host."""
        return self.network.hosts[CLIENT].run([f"{self.root(self.runner(self.plan.clusters[0].name))}"
                                               f"{self.kafka_home}/bin/{tool}", *args],
                                              env={"KAFKA_HEAP_OPTS": TOOL_HEAP}, stdin=stdin, timeout=timeout)

    def close(self) -> None:
        """Stop every process and remove every namespace."""
        self.network.close()
