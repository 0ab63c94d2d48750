"""The Helm target: the chart renders with the real Helm engine, lints strictly, passes the
Kubernetes schemas and checkov, and the rendered manifests carry the plan's facts."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cluster_facts import assert_controllers_share_the_cluster_defaults, assert_mirrormaker_topics_fit

from kgen import access, tools, topics_acls
from kgen.blueprint import validate_file
from kgen.checkers.kubernetes import CERTIFICATE_SCHEMA
from kgen.plan import ClusterPlan, Plan, build_plan
from kgen.properties import parse_properties as _entries
from kgen.targets import helm


def parse_properties(text: str) -> dict[str, str]:
    """A .properties text as a dict (kgen's own reader, the inverse of properties_file)."""
    return {key: value for key, value, _ in _entries(text)}


ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
KUBE_VERSIONS = ("1.29.0", "1.33.0")
WORKLOADS = ("StatefulSet", "Deployment", "Job")
# Volume types the restricted Pod Security profile allows.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}
# Beyond the examples: mTLS with Secret-named certificates, a pinned digest, a 3.9 release,
# explicit controller placement, JBOD, a 5-controller standby, long names, a 249-character
# topic name, a deny ACL, a label value Kubernetes refuses, and a custom cluster domain.
EDGE_BLUEPRINT = """\
apiVersion: kgen.dev/v1alpha1
kind: KafkaBlueprint
metadata:
  name: edge-case
  labels: {team: core-platform, cost-centre: "42"}
spec:
  pattern: dr
  kafka:
    version: "3.9.1"
    imageDigest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  dns: {zone: kafka.example.internal}
  clusters:
    - name: primary-payments-eu
      role: primary
      region: eu-west-1
      sites:
        - {name: az-a, zone: eu-west-1a, controllers: 1}
        - {name: az-b, zone: eu-west-1b, controllers: 1}
        - {name: az-c, zone: eu-west-1c, controllers: 1}
      controllers: {count: 3}
      brokers: {count: 4, instanceType: c7i.4xlarge, storage: {volumes: 3}}
      kubernetes: {namespace: pay-eu, storageClass: fast, clusterDomain: k8s.internal}
    - name: standby-payments-us
      role: standby
      region: us-east-1
      sites:
        - {name: az-a, zone: us-east-1a}
        - {name: az-b, zone: us-east-1b}
        - {name: az-c, zone: us-east-1c}
      controllers: {count: 5}
      brokers: {count: 3}
  security:
    clientAuthentication: mtls
    tls:
      certificates: {source: files, caFile: /etc/pki/ca.pem}
      protocols: [TLSv1.3, TLSv1.2]
    clients: {cidrs: [10.0.0.0/8], namespaces: [apps, batch]}
    waivers:
      - {name: allow-tls12, clusters: [primary-payments-eu, standby-payments-us], reason: "legacy | clients need TLS 1.2 until Q3"}
  principals:
    - name: app.writer
      acls:
        - {resource: topic, name: payments, pattern: prefixed, operations: [Write]}
        - {resource: cluster, operations: [IdempotentWrite]}
        - {resource: group, name: bad-, pattern: prefixed, operations: [Read], permission: deny}
  topics:
    - {name: payments.very.long.topic.name.that.keeps.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.and.going.x, partitions: 3, config: {retention.ms: 1000, cleanup.policy: "compact,delete"}}
  replication:
    mode: active-passive
    mirrorMaker: {nodesPerTarget: 3}
    flows:
      - {source: primary-payments-eu, target: standby-payments-us, topics: ['payments.*'], groups: ['.*']}
"""


def _plan(path: Path) -> Plan:
    return build_plan(validate_file(path).blueprint)


def _write(artifacts: list[Any], outdir: Path) -> None:
    for artifact in artifacts:
        target = outdir / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.content, encoding="utf-8")


@dataclasses.dataclass
class Release:
    """One cluster's release of the chart, rendered by the real Helm engine."""

    example: str
    plan: Plan
    cluster: ClusterPlan
    chart: Path
    values: dict[str, Any]
    docs: list[dict[str, Any]]
    notes: str

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any]:
        return next(d for d in self.of_kind(kind) if d["metadata"]["name"] == name)


@pytest.fixture(scope="module")
def edge_blueprint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edge-case blueprint as a file."""
    path = tmp_path_factory.mktemp("edge") / "edge-case.yaml"
    path.write_text(EDGE_BLUEPRINT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory, edge_blueprint: Path) -> list[Release]:
    """Every cluster of every example (and the edge case), rendered once by helm-python-sdk, offline."""
    helm_python = pytest.importorskip("helm_python", reason="NOT VERIFIED: helm-python-sdk is not installed")
    out = tmp_path_factory.mktemp("helm")
    rendered = []
    for path in [*EXAMPLES, edge_blueprint]:
        plan = _plan(path)
        _write(helm.render(plan), out / path.stem)
        chart = out / path.stem / "helm" / "kafka"
        with helm_python.Chart.load(chart) as loaded:
            for cluster in plan.clusters:
                values = yaml.safe_load((chart / f"values-{cluster.name}.yaml").read_text(encoding="utf-8"))
                manifests = loaded.render(values, name=cluster.name, namespace=cluster.namespace,
                                          is_install=True)
                docs = [doc for name, text in sorted(manifests.items()) if not name.endswith("NOTES.txt")
                        for doc in yaml.safe_load_all(text) if doc]
                notes = next(text for name, text in manifests.items() if name.endswith("NOTES.txt"))
                rendered.append(Release(path.stem, plan, cluster, chart, values, docs, notes))
    return rendered


@pytest.fixture(scope="module")
def manifest_dir(releases: list[Release], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered manifests (and each example's namespaces) as files, for the CLI checkers."""
    out = tmp_path_factory.mktemp("manifests")
    for release in releases:
        text = yaml.safe_dump_all(release.docs, sort_keys=False)
        (out / f"{release.example}--{release.cluster.name}.yaml").write_text(text, encoding="utf-8")
    for release in releases:
        namespaces = release.chart.parent / "namespaces.yaml"
        (out / f"{release.example}--namespaces.yaml").write_text(namespaces.read_text(encoding="utf-8"),
                                                                 encoding="utf-8")
    return out


def _pod_specs(release: Release) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for doc in release.docs:
        if doc["kind"] in WORKLOADS:
            yield doc, doc["spec"]["template"]["spec"]


# ---------------------------------------------------------------------------------------
# Pure rendering: no tool needed.


def test_render_is_deterministic_and_under_helm(example: Path) -> None:
    plan = _plan(example)
    first, second = helm.render(plan), helm.render(plan)
    assert first == second
    assert all(a.path.startswith("helm/") for a in first)
    paths = {a.path for a in first}
    assert {"helm/kafka/Chart.yaml", "helm/kafka/values.schema.json", "helm/kafka/templates/NOTES.txt",
            "helm/SKIPS.md", "helm/namespaces.yaml"} <= paths
    assert {f"helm/kafka/values-{c.name}.yaml" for c in plan.clusters} <= paths


def test_go_templates_are_copied_verbatim(example: Path) -> None:
    by_path = {a.path: a.content for a in helm.render(_plan(example))}
    source = ROOT / "templates" / "helm" / "kafka" / "templates" / "statefulsets.yaml"
    assert by_path["helm/kafka/templates/statefulsets.yaml"] == source.read_text(encoding="utf-8")
    assert not any(p.endswith(".j2") for p in by_path)


def test_config_files_hold_the_plans_properties(example: Path) -> None:
    plan = _plan(example)
    by_path = {a.path: a.content for a in helm.render(plan)}
    for cluster in plan.clusters:
        for node in cluster.nodes:
            text = by_path[f"helm/kafka/config/{cluster.name}/{node.name}.properties"]
            assert parse_properties(text) == node.k8s_properties


def test_image_is_pinned_by_digest_when_the_blueprint_gives_one() -> None:
    plan = _plan(ROOT / "examples" / "single-cluster.yaml")
    digest = "sha256:" + "ab" * 32
    pinned = dataclasses.replace(plan, image_digest=digest)
    values = helm.chart_values(pinned, pinned.clusters[0])
    assert values["image"]["reference"] == f"apache/kafka:{plan.kafka_version}@{digest}"
    assert not any(skip["check"] == "CKV_K8S_43" for skips in values["checkovSkips"].values() for skip in skips)
    unpinned = helm.chart_values(plan, plan.clusters[0])
    assert unpinned["image"]["reference"] == f"apache/kafka:{plan.kafka_version}"


def test_without_cert_manager_no_certificate_is_rendered() -> None:
    plan = dataclasses.replace(_plan(ROOT / "examples" / "single-cluster.yaml"),
                               certificate_source="files", certificate_issuer=None)
    values = helm.chart_values(plan, plan.clusters[0])
    assert values["certificates"] == []
    assert values["tls"]["issuer"] is None
    assert all(s["tlsSecret"] == f"{s['name']}-tls" for s in values["statefulsets"])


def test_waivers_are_named_in_the_output(edge_blueprint: Path) -> None:
    plan = _plan(edge_blueprint)
    assert plan.waivers
    readme = {a.path: a.content for a in helm.render(plan)}["helm/README.md"]
    assert '`allow-tls12` on primary-payments-eu, standby-payments-us: "legacy | clients need TLS 1.2 until Q3"' in readme
    for cluster in plan.clusters:
        assert helm.chart_values(plan, cluster)["waivers"] == [
            {"name": "allow-tls12", "reason": "legacy | clients need TLS 1.2 until Q3"}]


def test_kubernetes_labels_carry_the_blueprint_labels(edge_blueprint: Path) -> None:
    plan = _plan(edge_blueprint)
    labels = helm.chart_values(plan, plan.clusters[0])["commonLabels"]
    assert labels["kgen.dev/cost-centre"] == "42"
    assert labels["kgen.dev/team"] == "core-platform"


def test_skips_md_lists_only_the_skips_that_apply(edge_blueprint: Path) -> None:
    pinned = {a.path: a.content for a in helm.render(_plan(edge_blueprint))}["helm/SKIPS.md"]
    assert "CKV_K8S_43" not in pinned and "CKV_K8S_8" in pinned
    single = {a.path: a.content for a in helm.render(_plan(ROOT / "examples" / "single-cluster.yaml"))}
    assert "CKV_K8S_43" in single["helm/SKIPS.md"] and "CKV_K8S_8" not in single["helm/SKIPS.md"]


def test_values_file_has_no_yaml_aliases(example: Path) -> None:
    for artifact in helm.render(_plan(example)):
        if "/values-" in artifact.path:
            assert not re.search(r"[&*]id\d{3}", artifact.content)


# ---------------------------------------------------------------------------------------
# The real Helm engine.


@pytest.mark.tool("helm")
def test_chart_renders_every_cluster_of_every_example(releases: list[Release]) -> None:
    assert {r.example for r in releases} == {p.stem for p in EXAMPLES} | {"edge-case"}
    for release in releases:
        kinds = {d["kind"] for d in release.docs}
        assert {"StatefulSet", "Service", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget",
                "ServiceAccount", "Job"} <= kinds
        assert ("Deployment" in kinds) == bool(release.cluster.flows_in)
        assert ("Certificate" in kinds) == (release.plan.certificate_source == "cert-manager")
        assert all(d["metadata"]["namespace"] == release.cluster.namespace for d in release.docs)
        assert release.cluster.k8s_bootstrap in release.notes
        for waiver in release.values["waivers"]:
            assert f"WAIVED hardened default {waiver['name']}: {waiver['reason']}" in release.notes
        if release.plan.certificate_source != "cert-manager":
            for sts in release.values["statefulsets"]:
                assert sts["tlsSecret"] in release.notes


@pytest.mark.tool("helm")
def test_strict_lint_reports_no_error(releases: list[Release]) -> None:
    import helm_python

    for release in releases:
        for version in KUBE_VERSIONS:
            report = helm_python.lint(release.chart, release.values, strict=True,
                                      namespace=release.cluster.namespace, kube_version=f"v{version}")
            assert report["errors"] == [], (release.example, release.cluster.name, report)
            assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.tool("helm")
def test_lint_and_schema_refuse_bad_values(releases: list[Release]) -> None:
    import helm_python

    release = releases[0]
    assert helm_python.lint(release.chart, {}, strict=True)["errors"], "lint must refuse missing values"
    with helm_python.Chart.load(release.chart) as chart:
        chart.validate_schema(release.values)
        with pytest.raises(helm_python.HelmValuesError):
            chart.validate_schema({**release.values, "replicaCount": 3})


@pytest.mark.tool("helm")
def test_every_pod_meets_the_restricted_profile(releases: list[Release]) -> None:
    for release in releases:
        for workload, pod in _pod_specs(release):
            where = f"{release.example}/{workload['kind']}/{workload['metadata']['name']}"
            pod_ctx = pod["securityContext"]
            assert pod_ctx["runAsNonRoot"] is True, where
            assert pod_ctx["seccompProfile"]["type"] == "RuntimeDefault", where
            assert pod_ctx["runAsUser"] > 0 and pod_ctx["fsGroup"] > 0, where
            assert pod["automountServiceAccountToken"] is False, where
            assert pod["serviceAccountName"] == release.values["serviceAccount"]["name"], where
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                assert not pod.get(key), where
            for volume in pod["volumes"]:
                assert set(volume) - {"name"} <= RESTRICTED_VOLUMES, (where, volume)
            for container in pod.get("initContainers", []) + pod["containers"]:
                ctx = container["securityContext"]
                assert ctx["allowPrivilegeEscalation"] is False, where
                assert ctx["privileged"] is False, where
                assert ctx["runAsNonRoot"] is True and ctx["runAsUser"] > 0, where
                assert ctx["readOnlyRootFilesystem"] is True, where
                assert ctx["capabilities"] == {"drop": ["ALL"]}, where
                assert ctx["seccompProfile"]["type"] == "RuntimeDefault", where
                assert all("hostPort" not in p for p in container.get("ports", [])), where
                assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
                assert {"cpu", "memory"} <= set(container["resources"]["limits"]), where
                assert not any(e.get("valueFrom", {}).get("secretKeyRef") for e in container.get("env", [])), where
            if workload["kind"] == "StatefulSet":
                kafka = pod["containers"][0]
                assert {"readinessProbe", "livenessProbe", "startupProbe"} <= set(kafka), where
        account = release.of_kind("ServiceAccount")
        assert [a["automountServiceAccountToken"] for a in account] == [False]


def test_namespaces_enforce_the_restricted_profile(example: Path) -> None:
    plan = _plan(example)
    text = next(a.content for a in helm.render(plan) if a.path == "helm/namespaces.yaml")
    namespaces = {d["metadata"]["name"]: d for d in yaml.safe_load_all(text) if d}
    assert set(namespaces) == {c.namespace for c in plan.clusters}
    for doc in namespaces.values():
        assert doc["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert doc["metadata"]["name"] != "default"


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = selector.get("matchLabels", {})
    return all(labels.get(k) == v for k, v in wanted.items())


def _peer_key(release: Release, peer: dict[str, Any]) -> tuple[str, ...]:
    """A NetworkPolicy peer as a comparable fact: (cidr) / (namespace) / (dns) / (pods ns instance component flow)."""
    if "ipBlock" in peer:
        assert set(peer) == {"ipBlock"} and "except" not in peer["ipBlock"]
        return ("cidr", peer["ipBlock"]["cidr"])
    labels = peer.get("podSelector", {}).get("matchLabels")
    namespace = peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
    if labels is None:
        assert namespace and set(peer["namespaceSelector"]) == {"matchLabels"}
        return ("namespace", namespace)
    if labels == {"k8s-app": "kube-dns"} and namespace == "kube-system":
        return ("dns",)
    assert labels["app.kubernetes.io/name"] == "kafka"
    return ("pods", namespace or release.cluster.namespace, labels["app.kubernetes.io/instance"],
            labels["app.kubernetes.io/component"], labels.get("kgen.dev/flow", ""))


def _party_keys(plan: Plan, party: access.Party) -> set[tuple[str, ...]]:
    """What a row's party is on Kubernetes, worked out from the plan alone."""
    if party.kind == access.NODES:
        flow = helm.label_value(party.flow) if party.flow else ""
        return {("pods", plan.cluster(str(party.cluster)).namespace, str(party.cluster), str(party.role), flow)}
    if party.kind == access.CLUSTER_DNS:
        return {("dns",)}
    return {("cidr", c) for c in party.cidrs} | {("namespace", n) for n in party.namespaces}


def _pod_key(release: Release, labels: dict[str, str]) -> tuple[str, ...]:
    return ("pods", release.cluster.namespace, labels["app.kubernetes.io/instance"],
            labels["app.kubernetes.io/component"], labels.get("kgen.dev/flow", ""))


@pytest.mark.tool("helm")
def test_network_policies_admit_exactly_the_access_matrix_in_both_directions(releases: list[Release]) -> None:
    for release in releases:
        plan, cluster = release.plan, release.cluster
        policies = release.of_kind("NetworkPolicy")
        pods = {_pod_key(release, w["spec"]["template"]["metadata"]["labels"]): w["spec"]["template"]["metadata"]["labels"]
                for w, _ in _pod_specs(release)}
        # A default deny of both directions covers every pod, so only the rules below admit anything.
        assert any(p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
                   and "ingress" not in p["spec"] and "egress" not in p["spec"] for p in policies)
        admitted: set[tuple[Any, ...]] = set()
        for policy in policies:
            spec = policy["spec"]
            for key, labels in pods.items():
                if not _selects(spec["podSelector"], labels):
                    continue
                for direction, word in (("Ingress", "from"), ("Egress", "to")):
                    for rule in spec.get(direction.lower(), []):
                        assert rule.get(word) and rule.get("ports"), f"{policy['metadata']['name']} opens too much"
                        admitted |= {(direction, key, _peer_key(release, peer), port["port"], port["protocol"])
                                     for peer in rule[word] for port in rule["ports"]}
        expected: set[tuple[Any, ...]] = set()
        for row in access.on(plan.access, access.K8S):
            ends = (("Ingress", row.target, row.source), ("Egress", row.source, row.target))
            for direction, own, other in ends:
                if own.kind == access.NODES and own.cluster == cluster.name:
                    [key] = _party_keys(plan, own)
                    assert key in pods, f"{release.example}: no pod is {key}"
                    expected |= {(direction, key, peer, row.port, row.protocol) for peer in _party_keys(plan, other)}
        assert admitted == expected, (release.example, cluster.name, sorted(admitted ^ expected))
        # Each listener a pod exposes is reached by some row, so no container port is left closed.
        for item in plan.listeners:
            assert any(d == "Ingress" and port == item.port for d, _, _, port, _ in admitted), item.name


@pytest.mark.tool("helm")
def test_broker_rack_matches_the_zone_its_statefulset_is_pinned_to(releases: list[Release]) -> None:
    checked = 0
    for release in releases:
        sites = {s.name: s for s in release.cluster.sites}
        for sts in release.of_kind("StatefulSet"):
            pod = sts["spec"]["template"]["spec"]
            terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            [term] = terms["nodeSelectorTerms"]
            [expression] = term["matchExpressions"]
            assert expression["key"] == "topology.kubernetes.io/zone" and expression["operator"] == "In"
            [zone] = expression["values"]
            config = next(v["configMap"]["name"] for v in pod["volumes"] if v["name"] == "config")
            data = release.named("ConfigMap", config)["data"]
            for ordinal in range(sts["spec"]["replicas"]):
                props = parse_properties(data[f"{sts['metadata']['name']}-{ordinal}.properties"])
                if props["process.roles"] == "broker":
                    assert sites[props["broker.rack"]].zone == zone, (release.example, sts["metadata"]["name"])
                    checked += 1
    assert checked == sum(1 for r in releases for n in r.cluster.nodes if n.role == "broker")


@pytest.mark.tool("helm")
def test_each_configmap_holds_exactly_the_plans_properties(releases: list[Release]) -> None:
    for release in releases:
        nodes = {n.name: n for n in release.cluster.nodes}
        seen = set()
        rendered = {}
        for sts in release.of_kind("StatefulSet"):
            pod = sts["spec"]["template"]["spec"]
            config = next(v["configMap"]["name"] for v in pod["volumes"] if v["name"] == "config")
            data = release.named("ConfigMap", config)["data"]
            pod_names = {f"{sts['metadata']['name']}-{i}" for i in range(sts["spec"]["replicas"])}
            assert set(data) == {f"{name}.properties" for name in pod_names}
            for name in pod_names:
                assert parse_properties(data[f"{name}.properties"]) == nodes[name].k8s_properties
                rendered[name] = parse_properties(data[f"{name}.properties"])
                seen.add(name)
            assert pod["containers"][0]["args"] == ["/etc/kafka/nodes/$(POD_NAME).properties"]
        assert seen == set(nodes)
        assert_controllers_share_the_cluster_defaults(release.cluster, rendered)
        for flow in release.cluster.flows_in:
            deployment = release.named("Deployment", helm.mirrormaker_name(release.cluster, flow))
            volumes = deployment["spec"]["template"]["spec"]["volumes"]
            config = next(v["configMap"]["name"] for v in volumes if v["name"] == "config")
            text = release.named("ConfigMap", config)["data"]["mm2.properties"]
            assert parse_properties(text) == flow.k8s_properties
            assert_mirrormaker_topics_fit(release.plan, flow, parse_properties(text))


@pytest.mark.tool("helm")
def test_certificates_carry_every_node_fqdn(releases: list[Release]) -> None:
    for release in releases:
        if release.plan.certificate_source != "cert-manager":
            continue
        names = {n for c in release.of_kind("Certificate") for n in c["spec"].get("dnsNames", [])}
        assert {n.k8s_hostname for n in release.cluster.nodes} <= names
        for cert in release.of_kind("Certificate"):
            assert cert["spec"]["issuerRef"]["name"] == release.plan.certificate_issuer


@pytest.mark.tool("helm")
def test_topics_and_acls_job_applies_the_plan(releases: list[Release]) -> None:
    for release in releases:
        job = release.named("Job", f"{release.cluster.name}-topics-acls")
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
        volumes = job["spec"]["template"]["spec"]["volumes"]
        admin = next(v for v in volumes if v["name"] == "admin-client")
        assert admin["secret"]["secretName"] == f"{release.cluster.name}-kgen-admin-client"
        data = release.named("ConfigMap", f"{release.cluster.name}-admin-scripts")["data"]
        # The pod runs kgen's one reconciler on the cluster's own state (tests/test_topics_acls.py).
        assert data == {topics_acls.SCRIPT: topics_acls.script(),
                        topics_acls.STATE: topics_acls.state(release.plan, release.cluster)}
        container = job["spec"]["template"]["spec"]["containers"][0]
        command = container["command"]
        assert command[:2] == ["/bin/sh", f"{release.values['admin']['scriptsDir']}/{topics_acls.SCRIPT}"]
        option = dict(zip(command[2::2], command[3::2], strict=True))
        assert option["--bootstrap-server"] == release.cluster.k8s_bootstrap
        assert "--delete-acls" not in command, "stale bindings are removed only when asked"
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert option["--state"] == f"{mounts['scripts']}/{topics_acls.STATE}"
        assert option["--command-config"] == f"{mounts['admin-client']}/admin.properties"


# ---------------------------------------------------------------------------------------
# Kubernetes schemas and checkov, each run once over every rendered manifest.


@pytest.mark.tool("kubernetes-validate")
@pytest.mark.tool("helm")
@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_manifests_pass_strict_kubernetes_schemas(manifest_dir: Path, releases: list[Release],
                                                  version: str) -> None:
    files = sorted(str(p) for p in manifest_dir.glob("*.yaml"))
    result = tools.run(["kubernetes-validate", "--strict", "-k", version, "--quiet", *files])
    assert result.ok, result.describe() + result.stdout
    # Only the cert-manager CRD lacks a schema there; it is checked against ours below.
    unchecked = [line for line in result.stdout.splitlines() if "Couldn't find schema" in line]
    assert all("kind Certificate with api version cert-manager.io/v1" in line for line in unchecked)
    assert "ERROR" not in result.stdout


@pytest.mark.tool("helm")
def test_certificates_match_the_cert_manager_schema(releases: list[Release]) -> None:
    import jsonschema

    certificates = [c for r in releases for c in r.of_kind("Certificate")]
    assert certificates
    for cert in certificates:
        jsonschema.validate(cert, CERTIFICATE_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**certificates[0], "spec": {**certificates[0]["spec"], "dnsName": []}},
                            CERTIFICATE_SCHEMA)


@pytest.mark.tool("checkov")
@pytest.mark.tool("helm")
def test_checkov_finds_no_failure_and_every_skip_is_listed(manifest_dir: Path, releases: list[Release]) -> None:
    result = tools.run(["checkov", "-d", str(manifest_dir), "--framework", "kubernetes", "-o", "json",
                        "--skip-download"])
    assert result.returncode in (0, 1), result.describe()
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    summary = report["summary"]
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0
    assert summary["passed"] > 0
    assert summary["resource_count"] >= sum(len(r.docs) for r in releases)
    skips_md = {r.example: (r.chart.parent / "SKIPS.md").read_text(encoding="utf-8") for r in releases}
    for skipped in report["results"]["skipped_checks"]:
        example = Path(skipped["file_path"]).name.split("--")[0]
        assert skipped["check_id"] in skips_md[example], skipped["check_id"]
        assert skipped["check_result"]["suppress_comment"] in skips_md[example]


# ---------------------------------------------------------------------------------------
# Helm and Ansible run the same design from the same plan.


class _AnsibleLoader(yaml.SafeLoader):
    """Reads Ansible vars files: `!unsafe` marks a plain string that Jinja must not touch."""


_AnsibleLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


@pytest.mark.tool("helm")
def test_helm_and_ansible_agree_on_ports_principals_and_properties(releases: list[Release]) -> None:
    from kgen.targets import ansible

    for example in EXAMPLES:
        mine = [r for r in releases if r.example == example.stem]
        plan = mine[0].plan
        rendered = {a.path: a.content for a in ansible.render(plan)}
        for release in mine:
            cluster = release.cluster
            to_k8s = {n.hostname: n.k8s_hostname for n in cluster.nodes}
            configmaps = {k: parse_properties(v) for cm in release.of_kind("ConfigMap")
                          for k, v in cm["data"].items() if k.endswith(".properties")}
            for node in cluster.nodes:
                host_vars = yaml.load(rendered[f"ansible/inventory/host_vars/{node.name}.yml"],
                                      Loader=_AnsibleLoader)
                on_vm = dict(host_vars["kafka_server_properties"])
                for key, value in on_vm.items():
                    for vm_host, k8s_host in to_k8s.items():
                        value = value.replace(vm_host, k8s_host)
                    on_vm[key] = value
                in_pod = configmaps[f"{node.name}.properties"]
                assert in_pod == on_vm, (example.stem, node.name)
                # Listener ports: what the pod exposes is what the VM listens on.
                sts = release.named("StatefulSet", helm.statefulset_name(cluster, node.role, node.site))
                exposed = {p["containerPort"] for p in sts["spec"]["template"]["spec"]["containers"][0]["ports"]}
                assert exposed == {int(item.rsplit(":", 1)[1]) for item in on_vm["listeners"].split(",")}
            group_vars = yaml.load(
                rendered[f"ansible/inventory/group_vars/cluster_{cluster.name.replace('-', '_')}.yml"],
                Loader=_AnsibleLoader)
            assert release.values["scram"]["users"] == group_vars.get("kafka_cluster_scram_users", [])
            in_pod = release.named("ConfigMap", f"{cluster.name}-admin-scripts")["data"][topics_acls.STATE]
            assert in_pod == rendered[f"ansible/topics-acls/{cluster.name}.tsv"], (example.stem, cluster.name)
