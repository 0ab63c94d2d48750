"""Terraform target: every example renders roots that fmt, terraform test and checkov
accept, and that init and validate together through the rendered all-clusters root;
every volume and secret uses the cluster's customer-managed key, a created VPC has no
way out, and each node role reads only its own secrets."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kgen import access, tools
from kgen.blueprint import validate_file
from kgen.filters import hcl_ident, hcl_value
from kgen.plan import CLIENT_LISTENER, Plan, build_plan
from kgen.targets import terraform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# A cluster whose sites span two regions, a dr pair whose primary creates its VPC and
# whose standby has no vpcCidr, a stretch cluster that creates one VPC per region (two
# sites share a zone): shapes the examples do not cover, written into tmp_path next to
# the examples' output.
VARIANTS = {
    "stretch-two-regions": """\
apiVersion: kgen.dev/v1alpha1
kind: KafkaBlueprint
metadata: {name: wide}
extends: [hardened-production]
spec:
  pattern: stretch
  kafka: {version: "4.1.1"}
  clusters:
    - name: wide
      region: eu-central-1
      sites:
        - {name: fra1, zone: eu-central-1a}
        - {name: fra2, zone: eu-central-1b}
        - {name: ams, zone: eu-west-1a, region: eu-west-1}
      controllers: {count: 3}
      brokers: {count: 6, storage: {volumes: 3, type: io2, iops: 4000}}
  security:
    clientAuthentication: mtls
    clients: {cidrs: [10.9.0.0/16]}
""",
    "dr-unknown-peer-cidr": """\
apiVersion: kgen.dev/v1alpha1
kind: KafkaBlueprint
metadata: {name: pair}
extends: [hardened-production]
spec:
  pattern: dr
  kafka: {version: "4.1.1"}
  clusters:
    - name: one
      role: primary
      region: us-east-1
      sites: [{name: a, zone: us-east-1a}, {name: b, zone: us-east-1b}, {name: c, zone: us-east-1c}]
      controllers: {count: 3}
      brokers: {count: 3}
      network: {createVpc: true, vpcCidr: 10.1.0.0/16}
    - name: two
      role: standby
      region: us-west-2
      sites: [{name: a, zone: us-west-2a}, {name: b, zone: us-west-2b}, {name: c, zone: us-west-2c}]
      controllers: {count: 3}
      brokers: {count: 3}
  security:
    clients: {cidrs: [10.1.0.0/16]}
  replication:
    mode: active-passive
    flows: [{source: one, target: two, policy: identity}]
""",
    "created-vpc-two-regions": """\
apiVersion: kgen.dev/v1alpha1
kind: KafkaBlueprint
metadata: {name: own-net}
extends: [hardened-production]
spec:
  pattern: stretch
  kafka: {version: "4.1.1"}
  clusters:
    - name: wide
      region: eu-central-1
      sites:
        - {name: fra1, zone: eu-central-1a}
        - {name: fra2, zone: eu-central-1b}
        - {name: fra3, zone: eu-central-1a, brokers: false}
        - {name: ams, zone: eu-west-1a, region: eu-west-1}
      controllers: {count: 5}
      brokers: {count: 6}
      network: {createVpc: true, vpcCidr: 10.80.0.0/16}
  security:
    clients: {cidrs: [10.80.0.0/16]}
""",
    "open-clients-waived": """\
apiVersion: kgen.dev/v1alpha1
kind: KafkaBlueprint
metadata: {name: lab}
extends: [dev]
spec:
  pattern: single
  kafka: {version: "3.9.1"}
  clusters:
    - name: lab
      region: us-east-2
      sites: [{name: a, zone: us-east-2a}]
      controllers: {count: 3}
      brokers: {count: 1}
  security:
    clients: {cidrs: [0.0.0.0/0]}
    waivers:
      - {name: open-client-cidr, clusters: [lab], reason: public demo cluster for a training lab}
      - {name: self-signed-ca, clusters: [lab], reason: the training lab has no organisation CA}
""",
}
# Rows of SECURITY.md's Terraform table: checkov must evaluate (and pass) each of them,
# so a green run cannot come from checks that never looked at the resources.
EXPECTED_CHECKS = {
    "CKV_AWS_79", "CKV_AWS_88", "CKV_AWS_8", "CKV_AWS_3", "CKV_AWS_189", "CKV_AWS_106", "CKV_AWS_7",
    "CKV_AWS_33", "CKV2_AWS_64", "CKV_AWS_23", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277",
    "CKV2_AWS_41", "CKV_AWS_46", "CKV_AWS_126", "CKV_AWS_135", "CKV_AWS_150", "CKV_AWS_152", "CKV_AWS_66",
    "CKV_AWS_338", "CKV_AWS_158", "CKV_AWS_149",
}
# ... and for a created VPC: flow logs, a closed default security group, private subnets.
EXPECTED_VPC_CHECKS = {"CKV2_AWS_11", "CKV2_AWS_12", "CKV_AWS_130", "CKV_AWS_158", "CKV_AWS_66"}
TOOL_WORKERS = 2


def _plan(path: Path) -> Plan:
    return build_plan(validate_file(path).blueprint)


def _write(plan: Plan, out: Path) -> None:
    for artifact in terraform.render(plan):
        target = out / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.content, encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Plan, Path]]:
    """Every example and variant rendered once: name => (plan, output dir)."""
    base = tmp_path_factory.mktemp("tf")
    sources = {path.stem: path for path in EXAMPLES}
    for name, text in VARIANTS.items():
        path = base / "blueprints" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        sources[name] = path
    result = {}
    for name, path in sorted(sources.items()):
        plan = _plan(path)
        _write(plan, base / "out" / name)
        result[name] = (plan, base / "out" / name)
    return result


def _out_root(rendered: dict[str, tuple[Plan, Path]]) -> Path:
    return next(iter(rendered.values()))[1].parent


def _roots(rendered: dict[str, tuple[Plan, Path]]) -> list[Path]:
    return [out / "terraform" / cluster.name for plan, out in rendered.values() for cluster in plan.clusters]


# ---- pure rendering ----------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_render_is_deterministic_and_laid_out(path: Path) -> None:
    plan = _plan(path)
    first, second = terraform.render(plan), terraform.render(_plan(path))
    assert first == second
    paths = {a.path for a in first}
    assert all(p.startswith("terraform/") for p in paths)
    for cluster in plan.clusters:
        for name in ("versions.tf", "providers.tf", "variables.tf", "main.tf", "outputs.tf",
                     f"tests/{cluster.name}.tftest.hcl"):
            assert f"terraform/{cluster.name}/{name}" in paths
    assert {"terraform/README.md", "terraform/SKIPS.md", "terraform/all-clusters/main.tf"} <= paths
    modules = {p.split("/")[2] for p in paths if p.startswith("terraform/modules/")}
    assert modules >= {"kafka-network", "kafka-nodes", "kafka-secrets", "kafka-kms"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_root_carries_every_node_and_the_version_pins(path: Path) -> None:
    plan = _plan(path)
    files = {a.path: a.content for a in terraform.render(plan)}
    for cluster in plan.clusters:
        main = files[f"terraform/{cluster.name}/main.tf"]
        for node in (*cluster.nodes, *cluster.mirrormakers):
            assert f'"{node.name}" = {{' in main
            assert f'hostname      = "{node.hostname}"' in main
        versions = files[f"terraform/{cluster.name}/versions.tf"]
        assert 'required_version = ">= 1.6"' in versions
        assert 'version = "~> 5.0"' in versions


def test_ports_and_listeners_come_only_from_the_plan() -> None:
    plan = _plan(ROOT / "examples" / "hub-and-spoke.yaml")
    moved = tuple(dataclasses.replace(item, port=item.port + 10000) for item in plan.listeners)
    # Every port of the access matrix moves with it (443 is HTTPS, not a Kafka port).
    rows = tuple(dataclasses.replace(row, port=row.port + 10000) if row.port != 443 else row
                 for row in plan.access)
    changed = dataclasses.replace(plan, listeners=moved, access=rows)
    text = "\n".join(a.content for a in terraform.render(changed) if a.path.endswith(".tf"))
    # The bootstrap string is itself a plan fact (unchanged here), so leave it out.
    for cluster in plan.clusters:
        text = text.replace(cluster.bootstrap, "")
    for item in moved:
        if item.name == CLIENT_LISTENER:
            assert f"{{ name = {hcl_value(item.name)}, port = {item.port} }}" in text
        assert f"port = {item.port}, description = {hcl_value(item.name + ' listener')}"[:-1] in text
    for row in access.on(rows, access.VM):
        assert f"port = {row.port}," in text
    assert not re.search(r"\b(909[0-9]|707[0-9])\b", text)


def test_mirrormaker_rules_open_only_peer_cidrs() -> None:
    plan = _plan(ROOT / "examples" / "hub-and-spoke.yaml")
    files = {a.path: a.content for a in terraform.render(plan)}
    def peer_block(cluster: str) -> str:
        text = files[f"terraform/{cluster}/variables.tf"]
        start = text.index('variable "peer_vpc_cidrs"')
        return text[start:text.index("\n}\n", start)]

    hub = peer_block("hub")
    for spoke in ("store-fr", "store-de", "store-es"):
        assert f'"{spoke}" = "{plan.cluster(spoke).vpc_cidr}"' in hub
    spoke_vars = peer_block("store-fr")
    assert f'hub = "{plan.cluster("hub").vpc_cidr}"' in spoke_vars
    assert plan.cluster("store-de").vpc_cidr not in spoke_vars


def test_hcl_keys_are_escaped() -> None:
    text = terraform.hcl_lines({'a"b${x}': "v", "plain": {"true": 1}}, 2)
    assert '"a\\"b$${x}" = "v"' in text
    assert '"true" = 1' in text


def test_skips_have_reasons_and_are_listed(rendered: dict[str, tuple[Plan, Path]]) -> None:
    for _, out in rendered.values():
        skips_md = (out / "terraform" / "SKIPS.md").read_text(encoding="utf-8")
        for tf in (out / "terraform").rglob("*.tf"):
            for line in tf.read_text(encoding="utf-8").splitlines():
                if "checkov:skip" in line:
                    match = re.search(r"#checkov:skip=([A-Z0-9_]+):\s*(\S.{20,})$", line)
                    assert match, f"{tf}: skip without a reason: {line.strip()}"
                    assert f"| {match[1]} |" in skips_md
                    assert match[2].strip() in skips_md


def _hcl(path: Path) -> dict[str, Any]:
    import hcl2
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = hcl2.load(handle)
    return parsed


def _resources(module_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for tf in sorted(module_dir.glob("*.tf")):
        for block in _hcl(tf).get("resource", []):
            for rtype, named in block.items():
                for body in named.values():
                    found.append((rtype, body))
    return found


def _one(value: Any) -> Any:
    """checkov's python-hcl2 fork wraps every attribute in a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


ENCRYPTED = {
    "aws_ebs_volume": "kms_key_id",
    "aws_secretsmanager_secret": "kms_key_id",
    "aws_cloudwatch_log_group": "kms_key_id",
}


@pytest.mark.tool("checkov")  # python-hcl2 ships with checkov
def test_customer_managed_key_on_every_volume_secret_and_log_group(
        rendered: dict[str, tuple[Plan, Path]]) -> None:
    """checkov accepts AWS-managed keys; kgen demands the cluster's own CMK everywhere."""
    modules = next(iter(rendered.values()))[1] / "terraform" / "modules"
    takes_key = set()
    for module in sorted(modules.iterdir()):
        for rtype, body in _resources(module):
            if rtype in ENCRYPTED:
                assert _one(body.get("encrypted", True)) is True
                assert _one(body[ENCRYPTED[rtype]]) == "${var.kms_key_arn}", f"{module.name}: {rtype}"
                takes_key.add(module.name)
            if rtype == "aws_instance":
                (root_device,) = body["root_block_device"]
                assert _one(root_device["encrypted"]) is True
                assert _one(root_device["kms_key_id"]) == "${var.kms_key_arn}"
                takes_key.add(module.name)
            if rtype == "aws_kms_key":
                assert _one(body["enable_key_rotation"]) is True
                assert "policy" in body
    assert takes_key == {"kafka-nodes", "kafka-secrets", "kafka-logs", "kafka-vpc"}
    creating = {out / "terraform" / c.name
                for plan, out in rendered.values() for c in plan.clusters if c.create_vpc}
    assert creating, "no blueprint under test creates a VPC"
    for root in _roots(rendered):
        calls = _hcl(root / "main.tf")["module"]
        seen = set()
        for call in calls:
            for name, body in call.items():
                module = Path(_one(body["source"])).name
                if module in takes_key:
                    region = name.removeprefix("nodes_").removeprefix("vpc_")
                    key = _one(body["kms_key_arn"])
                    assert re.fullmatch(r"\$\{module\.kms_[a-z0-9_]+\.key_arn\}", key), f"{root}: {name}"
                    if module in ("kafka-nodes", "kafka-vpc"):
                        expected = f"${{module.kms_{region}.key_arn}}"
                        assert key == expected, f"{root}: {name} uses another region's key"
                    seen.add(module)
        assert seen == (takes_key if root in creating else takes_key - {"kafka-vpc"}), root


# ---- real tools ----------------------------------------------------------------------


@pytest.mark.tool("terraform")
def test_terraform_fmt_is_clean(rendered: dict[str, tuple[Plan, Path]]) -> None:
    out = _out_root(rendered)
    result = tools.run(["terraform", "fmt", "-check", "-recursive", "-diff", str(out)],
                       env=tools.terraform_env(out.parent))
    assert result.ok, result.describe() + result.stdout


def _validate_all_clusters(terraform_dir: Path, env: dict[str, str]) -> str | None:
    """One init and one validate over the rendered composition root of one blueprint."""
    root = terraform_dir / "all-clusters"
    init = tools.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=root, env=env)
    if not init.ok:
        return init.describe()
    result = tools.run(["terraform", "validate", "-json", "-no-color"], cwd=root, env=env)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.describe()
    problems = [f"{d['severity']}: {d['summary']} {d.get('detail', '')} {d.get('range', {})}"
                for d in report["diagnostics"]]
    if report["valid"] and not problems:
        return None
    return f"{root}:\n" + "\n".join(problems)


@pytest.mark.tool("terraform")
def test_all_roots_of_each_blueprint_validate_in_one_invocation(
        rendered: dict[str, tuple[Plan, Path]]) -> None:
    """kgen check's way: a copy of terraform/, then init and validate in all-clusters/."""
    env = tools.terraform_env(_out_root(rendered).parent)
    with ThreadPoolExecutor(TOOL_WORKERS) as pool:
        failures = [f for f in pool.map(lambda out: _validate_all_clusters(out / "terraform", env),
                                        [out for _plan_, out in rendered.values()]) if f]
    assert not failures, "\n\n".join(failures)
    for plan, out in rendered.values():
        text = (out / "terraform" / "all-clusters" / "main.tf").read_text(encoding="utf-8")
        # validate loaded every root: each one's own modules were installed under .terraform.
        manifest = json.loads((out / "terraform" / "all-clusters" / ".terraform" / "modules" / "modules.json")
                              .read_text(encoding="utf-8"))
        loaded = {m["Key"] for m in manifest["Modules"] if m["Key"] and "." not in m["Key"]}
        assert loaded == {hcl_ident(c.name) for c in plan.clusters}
        assert text.count('module "') == len(plan.clusters)


def _terraform_test(root: Path, env: dict[str, str]) -> str | None:
    init = tools.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=root, env=env)
    if not init.ok:
        return init.describe()
    result = tools.run(["terraform", "test", "-no-color"], cwd=root, env=env)
    if result.ok and re.search(r"Success! [1-9]\d* passed, 0 failed", result.stdout):
        return None
    return f"{root}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


@pytest.mark.tool("terraform")
def test_generated_terraform_tests_pass_with_the_mock_provider(
        rendered: dict[str, tuple[Plan, Path]]) -> None:
    out = _out_root(rendered)
    env = tools.terraform_env(out.parent)
    roots = _roots(rendered)
    with ThreadPoolExecutor(TOOL_WORKERS) as pool:
        failures = [f for f in pool.map(lambda root: _terraform_test(root, env), roots) if f]
    assert not failures, "\n\n".join(failures)


@pytest.mark.tool("checkov")
def test_checkov_reports_no_failed_checks(rendered: dict[str, tuple[Plan, Path]]) -> None:
    out = _out_root(rendered)
    env = {**tools.terraform_env(out.parent), "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1"}
    result = tools.run(["checkov", "-d", str(out), "--framework", "terraform", "--skip-download",
                        "-o", "json", "--quiet", "--compact"], env=env)
    assert result.returncode in (0, 1), result.describe()
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [f"{c['check_id']} {c['resource']} {c['file_path']}"
              for report in reports for c in report["results"].get("failed_checks", [])]
    assert not failed, "\n".join(failed)
    assert all(report["summary"]["parsing_errors"] == 0 for report in reports)
    # --quiet drops passed checks, so prove coverage with a second, narrow run below.


def _checkov_results(out: Path, checks: set[str]) -> dict[str, list[dict[str, Any]]]:
    env = {**tools.terraform_env(out.parent), "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1"}
    result = tools.run(["checkov", "-d", str(out), "--framework", "terraform", "--skip-download",
                        "-o", "json", "--compact", "--check", ",".join(sorted(checks))], env=env)
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    results: dict[str, list[dict[str, Any]]] = report["results"]
    return results


@pytest.mark.tool("checkov")
def test_checkov_evaluates_every_security_row(rendered: dict[str, tuple[Plan, Path]]) -> None:
    results = _checkov_results(rendered["single-cluster"][1], EXPECTED_CHECKS)
    passed = {c["check_id"] for c in results["passed_checks"]}
    assert passed >= EXPECTED_CHECKS, f"never evaluated: {sorted(EXPECTED_CHECKS - passed)}"
    assert not results["failed_checks"]


@pytest.mark.tool("checkov")
def test_checkov_evaluates_the_created_vpc(rendered: dict[str, tuple[Plan, Path]]) -> None:
    results = _checkov_results(rendered["created-vpc-two-regions"][1] / "terraform" / "modules" / "kafka-vpc",
                               EXPECTED_VPC_CHECKS)
    passed = {c["check_id"] for c in results["passed_checks"]}
    assert passed >= EXPECTED_VPC_CHECKS, f"never evaluated: {sorted(EXPECTED_VPC_CHECKS - passed)}"
    assert not results["failed_checks"]


def test_long_names_are_shortened_stably() -> None:
    name = "a-very-long-blueprint-name-for-payments-eu-west-1-cluster"
    short = terraform.short_name(name, terraform.NLB_NAME_MAX)
    assert len(short) <= terraform.NLB_NAME_MAX
    assert short == terraform.short_name(name, terraform.NLB_NAME_MAX)
    assert short != terraform.short_name(name + "x", terraform.NLB_NAME_MAX)
    assert terraform.short_name("orders-euw1", 24) == "orders-euw1"


@pytest.mark.parametrize(("example", "owner"), [
    ("hub-and-spoke", "hub"), ("dr-active-passive", "primary"), ("single-cluster", "orders-euw1"),
])
def test_one_root_owns_the_private_zone_and_the_others_join_it(example: str, owner: str) -> None:
    plan = _plan(ROOT / "examples" / f"{example}.yaml")
    assert terraform.dns_zone_owner(plan) == owner
    files = {a.path: a.content for a in terraform.render(plan)}
    for cluster in plan.clusters:
        variables = files[f"terraform/{cluster.name}/variables.tf"]
        block = variables[variables.index('variable "dns_zone_id"'):]
        block = block[:block.index("\n}\n")]
        assert ("default     = null" in block) == (cluster.name == owner)


# ---- created VPC and the composition root ---------------------------------------------


def _variant_plan(tmp_path: Path, name: str) -> Plan:
    path = tmp_path / f"{name}.yaml"
    path.write_text(VARIANTS[name], encoding="utf-8")
    return _plan(path)


def test_created_vpc_replaces_the_network_inputs_and_carves_one_subnet_per_site(tmp_path: Path) -> None:
    plan = _variant_plan(tmp_path, "created-vpc-two-regions")
    (cluster,) = plan.clusters
    files = {a.path: a.content for a in terraform.render(plan)}
    variables, main = files["terraform/wide/variables.tf"], files["terraform/wide/main.tf"]
    for name in ("vpc_ids", "subnet_ids", "vpc_cidrs"):
        assert f'variable "{name}"' not in variables
    assert "var.vpc_ids" not in main and "var.subnet_ids" not in main
    assert 'vpc_cidr = "10.80.0.0/16"' in main
    for region in ("eu_central_1", "eu_west_1"):
        assert f'module "vpc_{region}" {{' in main
        assert f"module.vpc_{region}.subnet_ids" in main
    vpc = terraform.created_vpc(cluster)
    assert vpc is not None
    assert vpc.region_cidrs == {"eu-central-1": "10.80.0.0/17", "eu-west-1": "10.80.128.0/17"}
    subnets = [ipaddress.ip_network(vpc.subnet_cidrs[site.name]) for site in cluster.sites]
    assert len(subnets) == len(cluster.sites)
    for site, subnet in zip(cluster.sites, subnets, strict=True):
        assert subnet.subnet_of(ipaddress.ip_network(vpc.region_cidrs[site.region]))  # type: ignore[arg-type]
    assert not any(a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1:])
    # The generated terraform test pins the same CIDRs, so cidrsubnet and this agree.
    test = files["terraform/wide/tests/wide.tftest.hcl"]
    for cidr in vpc.subnet_cidrs.values():
        assert f'== "{cidr}"' in test


def test_created_vpc_has_no_way_to_the_internet() -> None:
    text = "\n".join(a.content for a in terraform.render(_plan(ROOT / "examples" / "single-cluster.yaml"))
                     if a.path.startswith("terraform/modules/kafka-vpc/"))
    assert 'resource "aws_vpc" "this"' in text
    for forbidden in ("aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway",
                      "aws_eip", '"aws_route"'):
        assert forbidden not in text
    assert "map_public_ip_on_launch = false" in text
    assert re.search(r'resource "aws_default_security_group" "this" \{\n  vpc_id  = aws_vpc.this.id\n'
                     r"  ingress = \[\]\n  egress  = \[\]\n\}", text)
    assert 'traffic_type             = "ALL"' in text


def test_existing_vpc_roots_keep_the_network_inputs() -> None:
    plan = _plan(ROOT / "examples" / "hub-and-spoke.yaml")
    files = {a.path: a.content for a in terraform.render(plan)}
    for cluster in plan.clusters:
        assert not cluster.create_vpc
        assert 'variable "vpc_ids"' in files[f"terraform/{cluster.name}/variables.tf"]
        assert 'module "vpc_' not in files[f"terraform/{cluster.name}/main.tf"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_composition_root_calls_every_root_and_joins_the_owner_zone(path: Path) -> None:
    plan = _plan(path)
    text = next(a.content for a in terraform.render(plan) if a.path == "terraform/all-clusters/main.tf")
    owner = terraform.dns_zone_owner(plan)
    calls = dict(re.findall(r'^module "([a-z0-9_]+)" \{\n  source = "([^"]+)"$', text, re.MULTILINE))
    assert calls == {hcl_ident(c.name): f"../{c.name}" for c in plan.clusters}
    joins = re.findall(r"dns_zone_id = module\.([a-z0-9_]+)\.dns_zone_id", text)
    assert joins == [hcl_ident(owner)] * (len(plan.clusters) - 1)
    regions = [terraform.regions_of(c) for c in plan.clusters]
    repeats = sum(1 for i, r in enumerate(regions) if set(r) & {x for prev in regions[:i] for x in prev})
    assert text.count("manage_ebs_encryption_by_default = false") == repeats
    readme = next(a.content for a in terraform.render(plan) if a.path == "terraform/README.md")
    assert "cd terraform/all-clusters\nterraform init -backend=false\nterraform validate\n" in readme


@pytest.mark.parametrize("example", ["hub-and-spoke", "stretch-2.5-dc"])
def test_each_node_role_reads_only_the_secrets_it_needs(example: str) -> None:
    plan = _plan(ROOT / "examples" / f"{example}.yaml")
    tls = ["tls/keystore-password", "tls/truststore-password"]
    for cluster in plan.clusters:
        grants = terraform.role_secrets(plan, cluster)
        assert set(grants) == {"controller", "broker"} | ({"mirrormaker"} if cluster.mirrormakers else set())
        assert all(set(names) <= set(terraform.secrets_of(plan, cluster)) for names in grants.values())
        assert grants["controller"] == tls
        scram = plan.client_authentication == "scram-sha-512"
        assert grants["broker"] == tls + (["scram/kgen-admin"] if scram else [])
        if cluster.mirrormakers:
            assert grants["mirrormaker"] == tls + sorted(f"scram/{f.principal}" for f in cluster.flows_in)
        files = {a.path: a.content for a in terraform.render(plan)}
        main = files[f"terraform/{cluster.name}/main.tf"]
        identity = main[main.index('module "identity" {'):]
        identity = identity[:identity.index("\n}\n")]
        for role, names in grants.items():
            block = identity[identity.index(f"    {role} = {{"):]
            block = block[:block.index("\n    }\n")]
            assert sorted(re.findall(r'module\.secrets\.arns\["([^"]+)"\]', block)) == sorted(names)
