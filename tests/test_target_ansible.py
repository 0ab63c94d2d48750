"""The Ansible target: inventory and variables from the plan, lint-clean roles, a real dry run."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib.util
import io
import json
import os
import re
import stat
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from cluster_facts import assert_controllers_share_the_cluster_defaults, assert_mirrormaker_topics_fit

from kgen import kafka_keys, tools, topics_acls
from kgen.blueprint import validate_file
from kgen.errors import InternalError
from kgen.plan import STANDARD_AUTHORIZER, ClusterPlan, Node, Plan, build_plan
from kgen.properties import parse_properties as _entries
from kgen.targets import ansible

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PLAYBOOKS = ("site.yml", "rolling-restart.yml", "topics-acls.yml")
DR_PLAYBOOKS = ("dr-failover.yml", "dr-failback.yml")
HARDENING = {
    "NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
}
# The real run: every node of every example, with PEM files from a test CA. The dev
# path (a self-signed CA) runs on one host of stretch-2.5-dc as if its blueprint said
# environment dev; outside dev the same path must refuse.
DEV_CA_RUN = ("stretch-2.5-dc", "ledger-broker-dc1-0")
# Examples run two at a time: the kafka plays are serial (one node at a time), so one
# run alone leaves a core idle.
PARALLEL_RUNS = 2
# Modules need only the standard library; run under the interpreter the venv was made
# from, a host's run took about 13% less CPU here than under the venv's own.
MODULE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def _plan(path: Path) -> Plan:
    return build_plan(validate_file(path).blueprint)


def parse_properties(text: str) -> dict[str, str]:
    """A .properties text as a dict (kgen's own reader, the inverse of properties_file)."""
    return {key: value for key, value, _ in _entries(text)}


def _write(plan: Plan, out: Path) -> Path:
    for artifact in ansible.render(plan):
        target = out / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.content, encoding="utf-8")
    return out / "ansible"


def _vars(path: Path) -> Any:
    """A vars file read the way Ansible reads it, `!unsafe` and all."""
    return _ansible_yaml(path.read_text(encoding="utf-8"))


def _ansible_yaml(text: str) -> Any:
    from ansible.parsing.yaml.loader import AnsibleLoader

    return yaml.load(text, Loader=AnsibleLoader)


def parse_unit(text: str) -> dict[str, list[str]]:
    """Directives of a systemd unit: name -> values, in order."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def _filter_plugin(ansible_dir: Path) -> ModuleType:
    path = ansible_dir / "filter_plugins" / "kgen_properties.py"
    spec = importlib.util.spec_from_file_location("kgen_properties_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_security_invariants(plan: Plan, node: Node, props: dict[str, str]) -> None:
    protocols = dict(item.split(":", 1) for item in props["listener.security.protocol.map"].split(","))
    assert set(protocols.values()) <= {"SSL", "SASL_SSL"}, protocols
    assert "PLAINTEXT" not in props["listeners"] + props.get("advertised.listeners", "")
    assert props["authorizer.class.name"] == STANDARD_AUTHORIZER
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["controller.listener.names"] != props.get("inter.broker.listener.name")
    if node.role == "broker":
        if plan.client_authentication == "mtls":
            assert protocols["CLIENT"] == "SSL"
            assert props["listener.name.client.ssl.client.auth"] == "required"
        else:
            assert protocols["CLIENT"] == "SASL_SSL"
            assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    table = kafka_keys.keys_for(plan.kafka_version, "broker")
    unknown = [key for key in props if table.spec(key) is None]
    assert not unknown, f"{node.name}: not Kafka {plan.kafka_line} broker keys: {unknown}"


# --- pure rendering -------------------------------------------------------------------


def test_render_is_deterministic_and_under_ansible(example: Path) -> None:
    plan = _plan(example)
    first, second = ansible.render(plan), ansible.render(_plan(example))
    assert first == second
    assert all(a.path.startswith("ansible/") for a in first)
    paths = {a.path for a in first}
    for playbook in PLAYBOOKS:
        assert f"ansible/{playbook}" in paths
    for role in ("common", "kafka", "tls", "topics_acls", "mirrormaker2", "monitoring"):
        assert f"ansible/roles/{role}/tasks/main.yml" in paths
    assert all(f"ansible/{p}" in paths for p in DR_PLAYBOOKS) == (plan.pattern == "dr")
    assert ("ansible/RUNBOOK.md" in paths) == (plan.pattern in ("dr", "hub-and-spoke"))


def test_every_node_gets_the_plan_properties(example: Path, tmp_path: Path) -> None:
    plan = _plan(example)
    out = _write(plan, tmp_path)
    plugin = _filter_plugin(out)
    inventory = _vars(out / "inventory" / "hosts.yml")
    for cluster in plan.clusters:
        group = inventory["all"]["children"][ansible.group_of(cluster.name)]["children"]
        for node in cluster.nodes:
            host = group[f"{ansible.group_of(cluster.name)}_{node.role}s"]["hosts"][node.name]
            assert (host["kafka_node_id"], host["kafka_rack"], host["kafka_fqdn"]) == (
                node.node_id, node.site, node.hostname)
            host_vars = _vars(out / "inventory" / "host_vars" / f"{node.name}.yml")
            properties = host_vars["kafka_server_properties"]
            assert properties == node.properties
            assert all(isinstance(value, str) for value in properties.values())
            # What the kafka role's server.properties template writes for this node.
            assert parse_properties(plugin.kgen_properties(properties, "header")) == node.properties
            _check_security_invariants(plan, node, node.properties)
        assert_controllers_share_the_cluster_defaults(cluster, {
            node.name: _vars(out / "inventory" / "host_vars" / f"{node.name}.yml")["kafka_server_properties"]
            for node in cluster.nodes})
        cluster_vars = _vars(out / "inventory" / "group_vars" / f"{ansible.group_of(cluster.name)}.yml")
        assert cluster_vars["kafka_cluster_id"] == cluster.cluster_id
        flows = {flow["name"]: flow["properties"] for flow in cluster_vars["kafka_cluster_flows"]}
        assert flows == {flow.name: flow.properties for flow in cluster.flows_in}
        for flow in cluster.flows_in:
            assert_mirrormaker_topics_fit(plan, flow, flows[flow.name])
        state = (out / "topics-acls" / f"{cluster.name}.tsv").read_text(encoding="utf-8")
        assert state == topics_acls.state(plan, cluster)


def test_secrets_are_only_vault_references(example: Path, tmp_path: Path) -> None:
    plan = _plan(example)
    out = _write(plan, tmp_path)
    secrets = _vars(out / "inventory" / "group_vars" / "all" / "secrets.yml")
    references = [secrets["kgen_keystore_password"], secrets["kgen_truststore_password"],
                  *secrets["kgen_scram_passwords"].values()]
    assert all(re.fullmatch(r"\{\{ vault_[a-z0-9_]+ \}\}", ref) for ref in references), references
    assert set(secrets["kgen_scram_passwords"]) == {u for c in plan.clusters for u in c.scram_users}
    for path in [*(out / "inventory").rglob("*.yml"), out / "prometheus" / "targets.yml"]:
        for key, value in _strings(_vars(path)):
            if "password" in key.lower():
                assert value.startswith(("${file:", "{{ vault_")), f"{path.name}: {key}={value}"
            for inline in re.findall(r'password="([^"]*)"', value):
                assert inline.startswith("${file:"), f"{path.name}: {key} holds a literal password"


def _strings(data: Any, key: str = "") -> list[tuple[str, str]]:
    """Every (key, string value) pair in loaded YAML, however deeply nested."""
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in _strings(v, str(k))]
    if isinstance(data, list):
        return [pair for item in data for pair in _strings(item, key)]
    return [(key, data)] if isinstance(data, str) else []


@pytest.mark.parametrize("value", ["false", "1_000", "0x1F", "1e3", "on", "~", "{{ lookup('pipe', 'id') }}",
                                   "a" * 200 + " b\\c\"d", "  lead", "caf\u00e9"])
def test_vars_strings_read_back_unchanged_in_ansible(value: str) -> None:
    loaded = _ansible_yaml(f"key: {ansible.yaml_string(value, 2)}\n")["key"]
    assert isinstance(loaded, str) and loaded == value
    assert ("{" in value) == ansible.yaml_string(value, 2).startswith("!unsafe ")


def test_principals_sharing_a_vault_variable_are_refused() -> None:
    plan = _plan(EXAMPLES[0])
    cluster = dataclasses.replace(plan.clusters[0], scram_users=("svc-a", "svc.a"))
    with pytest.raises(InternalError, match="vault_kafka_scram_svc_a"):
        ansible.render(dataclasses.replace(plan, clusters=(cluster, *plan.clusters[1:])))


def test_filter_plugin_escapes_and_seeds_scram(tmp_path: Path) -> None:
    plugin = _filter_plugin(_write(_plan(EXAMPLES[0]), tmp_path))
    tricky = {"a=b:c": "x\\y z", "t": " lead#", "u": "caf\u00e9\n", "regex": "payments\\..*"}
    assert parse_properties(plugin.kgen_properties(tricky)) == tricky
    args = plugin.kgen_scram_args(["kgen-admin"], {"kgen-admin": "s3cret"}, 8192)
    assert args == ["--add-scram", "SCRAM-SHA-512=[name=kgen-admin,iterations=8192,password=s3cret]"]
    with pytest.raises(Exception, match="must not hold"):
        plugin.kgen_scram_args(["x"], {"x": "a,b"}, 8192)
    with pytest.raises(Exception, match="no SCRAM password"):
        plugin.kgen_scram_args(["x"], {}, 8192)


# Variables that hold secrets (vault references resolve into them), and private keys.
SECRET_VARIABLE = re.compile(r"\b(kgen_keystore_password|kgen_truststore_password|kgen_scram_passwords|vault_\w+)\b")


def _tasks(items: Any) -> list[dict[str, Any]]:
    """Every task in a task list, blocks opened."""
    found = []
    for item in items or []:
        if isinstance(item, dict):
            nested = [part for key in ("block", "rescue", "always") for part in item.get(key) or []]
            found += _tasks(nested) if nested else [item]
    return found


def test_every_task_that_touches_a_secret_has_no_log(tmp_path: Path) -> None:
    # dr-active-active renders every role and playbook, the dr playbooks too.
    out = _write(_plan(ROOT / "examples" / "dr-active-active.yaml"), tmp_path)
    tasks: list[tuple[str, dict[str, Any]]] = []
    for path in sorted([*out.glob("roles/*/tasks/*.yml"), *out.glob("roles/*/handlers/*.yml")]):
        tasks += [(f"{path.relative_to(out)}", task) for task in _tasks(yaml.safe_load(path.read_text()))]
    for path in sorted(out.glob("*.yml")):
        for play in yaml.safe_load(path.read_text()):
            for key in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                tasks += [(path.name, task) for task in _tasks(play.get(key))]
    touching = []
    for where, task in tasks:
        text = yaml.safe_dump(task)
        module = next((task[k] for k in ("ansible.builtin.template", "ansible.builtin.copy") if k in task), {})
        source = str(module.get("src", ""))
        template = out / "roles" / where.split("/")[1] / "templates" / source if where.startswith("roles/") else None
        if template is not None and template.is_file():
            text += template.read_text(encoding="utf-8")
        if SECRET_VARIABLE.search(text) or source.endswith(".key"):
            touching.append(task["name"])
            assert task.get("no_log") is True, f"{where}: task {task['name']!r} touches a secret without no_log"
    # The check has something to bite on: passwords, private keys and keystores.
    assert {"Install the node private key", "Write the password file that Kafka's FileConfigProvider reads",
            "Format the KRaft storage on first start", "Import the CA into the truststore"} <= set(touching)


# --- real tools -----------------------------------------------------------------------


def _tool_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    venv_bin = str(Path(sys.executable).parent)
    return {**os.environ, "HOME": str(home), "ANSIBLE_HOME": str(home / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"),
            "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def rendered_all(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example rendered once, for the tools that check the whole tree."""
    base = tmp_path_factory.mktemp("ansible-all")
    return {path.stem: _write(_plan(path), base / path.stem) for path in EXAMPLES}


@pytest.mark.tool("ansible-lint")
def test_ansible_lint_production_profile(rendered_all: dict[str, Path], tmp_path: Path) -> None:
    config = (next(iter(rendered_all.values())) / ".ansible-lint").read_text(encoding="utf-8")
    assert "profile: production" in config and "no-log-password" in config and "offline: true" in config

    def lint(item: tuple[str, Path]) -> tuple[str, tools.ToolResult]:
        name, directory = item
        return name, tools.run(["ansible-lint", "--offline", "--profile", "production", "-f", "codeclimate",
                                "--project-dir", str(directory)], cwd=directory,
                               env=_tool_env(tmp_path / name), timeout=600)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lint, rendered_all.items()))
    for name, result in results:
        findings = json.loads(result.stdout or "[]")
        assert findings == [], f"{name}: {[(f['check_name'], f['location']) for f in findings]}"
        assert result.ok, f"{name}: {result.describe()}"


@pytest.mark.tool("ansible-playbook")
def test_playbooks_pass_syntax_check(rendered_all: dict[str, Path], tmp_path: Path) -> None:
    for name, directory in rendered_all.items():
        playbooks = [*PLAYBOOKS, *(DR_PLAYBOOKS if (directory / DR_PLAYBOOKS[0]).exists() else ())]
        result = tools.run(["ansible-playbook", "--syntax-check", *playbooks], cwd=directory,
                           env=_tool_env(tmp_path / name))
        assert result.ok, f"{name}: {result.describe()}"


@pytest.mark.tool("checkov")
def test_checkov_ansible_has_no_failed_check(rendered_all: dict[str, Path], tmp_path: Path) -> None:
    base = next(iter(rendered_all.values())).parent.parent
    result = tools.run(["checkov", "-d", str(base), "--framework", "ansible", "-o", "json", "--quiet",
                        "--skip-download"], env=_tool_env(tmp_path / "checkov"))
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = reports[0]["summary"]
    failed = [(c["check_id"], c["file_path"]) for r in reports for c in r["results"]["failed_checks"]]
    assert summary["failed"] == 0 and not failed, failed
    assert summary["passed"] > 0, "checkov checked nothing"


# --- the real run ---------------------------------------------------------------------


def _fake_release(version: str) -> bytes:
    """A stand-in release archive: the layout the roles use, scripts that refuse to run."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        scripts = ("kafka-server-start.sh", "kafka-storage.sh", "kafka-topics.sh", "connect-mirror-maker.sh")
        for script in scripts:
            data = b"#!/bin/sh\necho 'not a real Kafka: kgen dry-run test' >&2\nexit 1\n"
            info = tarfile.TarInfo(f"kafka_{ansible.SCALA_VERSION}-{version}/bin/{script}")
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _issue_pki(folder: Path, names: dict[str, tuple[str, list[str]]]) -> None:
    """A test CA and, per file name, a certificate with that CN and those DNS SANs."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kgen-test-ca")])

    def sign(subject: x509.Name, key: Any, sans: list[str], ca: bool) -> bytes:
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]),
                                            critical=False)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    (folder / "ca.crt").write_bytes(sign(ca_name, ca_key, [], True))
    # Kept beside it, as the dev self-signed path does, so the Kafka lab can issue more.
    (folder / "ca.key").write_bytes(ca_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    for file_name, (common_name, sans) in names.items():
        key = ec.generate_private_key(ec.SECP256R1())
        (folder / f"{file_name}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        (folder / f"{file_name}.crt").write_bytes(sign(subject, key, sans, False))


def _p12_subjects(path: Path, password: str) -> list[str]:
    """The CNs in a PKCS12 store: the key's certificate first, then the others."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    store = pkcs12.load_pkcs12(path.read_bytes(), password.encode())
    certificates = ([store.cert] if store.cert else []) + list(store.additional_certs)
    return [str(c.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
            for c in certificates]


def _hosts(plan: Plan) -> list[tuple[ClusterPlan, Node]]:
    """Every host of a plan with its cluster: controllers, brokers and MirrorMakers."""
    return [(cluster, node) for cluster in plan.clusters for node in (*cluster.nodes, *cluster.mirrormakers)]


def _check_host(plan: Plan, cluster: ClusterPlan, node: Node, prefix: Path, secrets: dict[str, str],
                ca_name: str) -> None:
    etc = prefix / "etc"
    if node.role != "mirrormaker":
        server = etc / "kafka" / "server.properties"
        props = parse_properties(server.read_text(encoding="utf-8"))
        assert props == node.properties
        _check_security_invariants(plan, node, props)
        assert stat.S_IMODE(server.stat().st_mode) == 0o640
        unit = parse_unit((etc / "systemd" / "system" / "kafka.service").read_text(encoding="utf-8"))
        assert unit["ExecStart"] == [f"{prefix}/opt/kafka/kafka_{ansible.SCALA_VERSION}-{plan.kafka_version}"
                                     f"/bin/kafka-server-start.sh {prefix}/etc/kafka/server.properties"]
        writable = unit["ReadWritePaths"][0].split()
        for directory in props["log.dirs"].split(","):
            assert f"{prefix}{directory}" in writable
        log4j_name = "log4j2.yaml" if plan.kafka_line >= "4" else "log4j.properties"
        log4j = (etc / "kafka" / log4j_name).read_text(encoding="utf-8")
        assert "kafka.authorizer.logger" in log4j and "kafka-authorizer.log" in log4j
        agent = f"jmx_prometheus_javaagent-{ansible.JMX_EXPORTER_VERSION}.jar={plan.metrics_port}:"
        assert agent in " ".join(unit["Environment"])
        units = [unit]
        keystore = _p12_subjects(etc / "kafka" / "tls" / "keystore.p12",
                                 secrets["vault_kafka_keystore_password"])
        assert keystore == [f"kafka-{node.role}", ca_name]
    else:
        units = []
        for flow in cluster.flows_in:
            mm2_file = etc / "kafka" / "mirrormaker2" / flow.name / "mm2.properties"
            mm2 = parse_properties(mm2_file.read_text(encoding="utf-8"))
            assert mm2 == flow.properties
            aliases = [flow.source, flow.target]
            unknown = [k for k in mm2 if kafka_keys.mm2_spec(plan.kafka_version, k, aliases) is None]
            assert not unknown, f"{flow.name}: not MirrorMaker 2 keys: {unknown}"
            wanted = "SSL" if plan.client_authentication == "mtls" else "SASL_SSL"
            assert {mm2[f"{alias}.security.protocol"] for alias in aliases} == {wanted}
            unit_file = etc / "systemd" / "system" / f"kafka-mirrormaker2-{flow.name}.service"
            unit = parse_unit(unit_file.read_text(encoding="utf-8"))
            assert unit["ExecStart"][0].endswith(f"/{flow.name}/mm2.properties --clusters {flow.target}")
            # Each flow's process serves metrics on its own port, the one Terraform and Prometheus use.
            agent = f"jmx_prometheus_javaagent-{ansible.JMX_EXPORTER_VERSION}.jar={flow.metrics_port}:"
            assert agent in " ".join(unit["Environment"])
            units.append(unit)
    for unit in units:
        assert {key: unit[key] for key in HARDENING} == {key: [value] for key, value in HARDENING.items()}
        assert "MemoryDenyWriteExecute" not in unit
        assert unit["User"] == ["kafka"]
        assert not any(secret in " ".join(unit["Environment"]) for secret in secrets.values())
    tls = etc / "kafka" / "tls"
    truststore = _p12_subjects(tls / "truststore.p12", secrets["vault_kafka_truststore_password"])
    assert truststore == [ca_name]
    if plan.client_authentication == "mtls":
        for principal in ansible._client_principals(cluster, node):
            identity = _p12_subjects(tls / f"{principal}.p12", secrets["vault_kafka_keystore_password"])
            assert identity[0] == principal
    passwords = etc / "kafka" / "tls" / "passwords.properties"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    stored = parse_properties(passwords.read_text(encoding="utf-8"))
    assert stored["keystore.password"] == secrets["vault_kafka_keystore_password"]
    for path in prefix.rglob("*"):
        if path.is_file() and path != passwords and path.suffix not in (".p12", ".tgz", ".jar"):
            text = path.read_text(encoding="utf-8", errors="replace")
            leaked = [name for name, secret in secrets.items() if secret in text]
            assert not leaked, f"{path}: holds {leaked}"


class DryRun:
    """A dry-run setup: rendered project, stand-in downloads, secrets and runner settings.

    `only` limits the run to the named hosts; by default it covers every host.
    """

    def __init__(self, example_name: str | Path, certificates: str, tmp_path: Path, only: tuple[str, ...] = (),
                 release: bytes | None = None, agent: bytes | None = None) -> None:
        blueprint = example_name if isinstance(example_name, Path) else ROOT / "examples" / f"{example_name}.yaml"
        self.plan = _plan(blueprint)
        self.hosts = [(c, n) for c, n in _hosts(self.plan) if not only or n.name in only]
        self.project = _write(self.plan, tmp_path / "out")
        self.root = tmp_path / "root"
        self.tmp_path = tmp_path
        self.limit = ",".join(only)
        pki = tmp_path / "pki"
        if certificates == "files":
            identities = {ansible.ADMIN_PRINCIPAL} | {f.principal for c in self.plan.clusters for f in c.flows_in}
            _issue_pki(pki, {
                **{n.hostname: (f"kafka-{n.role}", [n.hostname]) for _, n in self.hosts if n.role != "mirrormaker"},
                **{name: (name, []) for name in identities},
            })
        # The Kafka lab passes a release that runs real Kafka and the real exporter agent.
        archive = release or _fake_release(self.plan.kafka_version)
        real_agent = agent is not None
        agent = agent or b"stand-in for the JMX exporter agent"
        for _, node in self.hosts:
            # get_url finds the file already there with the pinned checksum: nothing downloads.
            cache = self.root / node.name / "var" / "cache" / "kgen"
            cache.mkdir(parents=True)
            (cache / f"kafka_{ansible.SCALA_VERSION}-{self.plan.kafka_version}.tgz").write_bytes(archive)
            jar = self.root / node.name / ansible.JMX_EXPORTER_JAR.lstrip("/")
            jar.parent.mkdir(parents=True)
            jar.write_bytes(agent)
        self.secrets = {"vault_kafka_keystore_password": "kgen-test-keystore-3b9f1c",
                        "vault_kafka_truststore_password": "kgen-test-truststore-77ae20"}
        for user in sorted({u for c in self.plan.clusters for u in c.scram_users}):
            digest = hashlib.sha256(user.encode()).hexdigest()[:12]
            self.secrets[ansible.vault_variable(user)] = f"kgen-test-scram-{digest}"
        self.extravars: dict[str, Any] = {
            "kafka_dry_prefix": f"{self.root}/{{{{ inventory_hostname }}}}",
            "ansible_connection": "local", "ansible_become": False,
            "ansible_python_interpreter": MODULE_PYTHON,
            "kafka_archive_checksum": "sha512:" + hashlib.sha512(archive).hexdigest(),
            "tls_pem_dir": str(pki), **self.secrets,
        }
        if not real_agent:
            self.extravars["kafka_jmx_exporter_sha256"] = hashlib.sha256(agent).hexdigest()
        if certificates != "files":
            self.extravars["kafka_certificate_source"] = "self-signed"
            self.extravars["kafka_environment"] = certificates
        env = _tool_env(tmp_path / "home")
        passed = ("HOME", "ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP", "ANSIBLE_REMOTE_TEMP", "PATH")
        self.envvars = {key: env[key] for key in passed}
        self.envvars["ANSIBLE_PIPELINING"] = "True"
        (tmp_path / "runner").mkdir()

    def run(self, ident: str, limit: str = "") -> tuple[Any, str]:
        """Run site.yml on the chosen hosts (or those in `limit`); the result and its output."""
        import ansible_runner

        result = ansible_runner.run(
            private_data_dir=str(self.tmp_path / "runner"), project_dir=str(self.project),
            playbook="site.yml", inventory=str(self.project / "inventory" / "hosts.yml"),
            limit=limit or self.limit or None, extravars=self.extravars, envvars=self.envvars, forks=4, quiet=True,
            ident=ident)
        output: str = result.stdout.read()
        leaked = [name for name, secret in self.secrets.items() if secret in output]
        assert not leaked, f"no_log missing: {leaked} printed"
        events = json.dumps(list(result.events))
        assert not [name for name, secret in self.secrets.items() if secret in events]
        return result, output

    def converge_twice(self, again: tuple[str, ...] = ()) -> list[dict[str, int]]:
        """Run site.yml, then again on the hosts named in `again` (default: the same hosts).

        What each run changed, per host. A failed run fails the test.
        """
        changed = []
        for ident, limit in (("first", ""), ("second", ",".join(again))):
            result, output = self.run(ident, limit)
            assert result.rc == 0, output[-4000:]
            changed.append(dict(result.stats.get("changed", {})))
        return changed


def _inventory_hosts(group: dict[str, Any]) -> set[str]:
    """Every host name in an inventory group and its children."""
    names = set((group.get("hosts") or {}).keys())
    for child in (group.get("children") or {}).values():
        names |= _inventory_hosts(child or {})
    return names


def _one_host_per_role(plan: Plan) -> tuple[str, ...]:
    """The first controller, broker and MirrorMaker host of a plan, in plan order."""
    first: dict[str, str] = {}
    for _, node in _hosts(plan):
        first.setdefault(node.role, node.name)
    return tuple(first.values())


@pytest.fixture(scope="module")
def converged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[DryRun, list[dict[str, int]]]]:
    """Every example converged with site.yml in dry-run mode on every host, then once more.

    The second run covers one host of each role per example: about 20 s of CPU per host
    and run, so a second pass over all 92 hosts would add some 25 CPU-minutes, and what
    a second run can change (templates, modes, handlers) is the same code on every host
    of a role.
    """
    base = tmp_path_factory.mktemp("dry-run")

    def converge(path: Path) -> tuple[str, tuple[DryRun, list[dict[str, int]]]]:
        dry = DryRun(path.stem, "files", base / path.stem)
        return path.stem, (dry, dry.converge_twice(again=_one_host_per_role(dry.plan)))

    largest_first = sorted(EXAMPLES, key=lambda path: -len(_hosts(_plan(path))))
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        return dict(pool.map(converge, largest_first))


@pytest.mark.tool("ansible-runner")
def test_real_run_writes_every_node_as_planned_and_twice_changes_nothing(
        example: Path, converged: dict[str, tuple[DryRun, list[dict[str, int]]]]) -> None:
    dry, changed = converged[example.stem]
    hosts = {node.name for _, node in dry.hosts}
    # The run had no limit: every host of the generated inventory is one the plan has.
    assert _inventory_hosts(_vars(dry.project / "inventory" / "hosts.yml")["all"]) == hosts
    assert set(changed[0]) == hosts, f"the first run changed nothing on {sorted(hosts - set(changed[0]))}"
    assert not changed[1], f"the second run changed {changed[1]}"
    for cluster, node in dry.hosts:
        _check_host(dry.plan, cluster, node, dry.root / node.name, dry.secrets, "kgen-test-ca")


@pytest.mark.tool("ansible-runner")
def test_dev_self_signed_ca_run(tmp_path: Path) -> None:
    example_name, host = DEV_CA_RUN
    dry = DryRun(example_name, "dev", tmp_path, only=(host,))
    changed = dry.converge_twice()
    assert changed[0] and not changed[1], changed
    ((cluster, node),) = dry.hosts
    _check_host(dry.plan, cluster, node, dry.root / node.name, dry.secrets, "kgen-dev-ca")


@pytest.mark.tool("ansible-runner")
def test_self_signed_ca_is_refused_outside_dev(tmp_path: Path) -> None:
    dry = DryRun("hub-and-spoke", "production", tmp_path, only=("hub-broker-a-0",))
    result, output = dry.run("refused")
    assert result.rc != 0
    assert "The self-signed CA is for dev only" in output
    assert not (tmp_path / "pki").exists()


