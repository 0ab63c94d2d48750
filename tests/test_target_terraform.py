"""Terraform target: every example renders roots that fmt, init, validate, terraform test
and checkov accept, and every volume and secret uses the cluster's customer-managed key."""

from __future__ import annotations

import dataclasses
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kgen import tools
from kgen.blueprint import validate_file
from kgen.filters import hcl_value
from kgen.plan import Plan, build_plan
from kgen.targets import terraform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# A cluster whose sites span two regions, and a dr pair whose standby has no vpcCidr:
# shapes the examples do not cover, written into tmp_path next to the examples' output.
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
      network: {vpcCidr: 10.1.0.0/16}
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
    assert {"terraform/README.md", "terraform/SKIPS.md"} <= paths
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
    changed = dataclasses.replace(plan, listeners=moved, metrics_port=17071)
    text = "\n".join(a.content for a in terraform.render(changed) if a.path.endswith(".tf"))
    # The bootstrap string is itself a plan fact (unchanged here), so leave it out.
    for cluster in plan.clusters:
        text = text.replace(cluster.bootstrap, "")
    for item in moved:
        assert f"{{ name = {hcl_value(item.name)}, port = {item.port} }}" in text
        assert not re.search(rf"\b{item.port - 10000}\b", text)
    assert "metrics_port = 17071" in text
    assert not re.search(r"\b7071\b", text)


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
    for _plan_, out in rendered.values():
        skips_md = (out / "terraform" / "SKIPS.md").read_text(encoding="utf-8")
        for tf in (out / "terraform").rglob("*.tf"):
            for line in tf.read_text(encoding="utf-8").splitlines():
                if "checkov:skip" in line:
                    match = re.search(r"#checkov:skip=([A-Z0-9_]+):\s*(\S.{20,})$", line)
                    assert match, f"{tf}: skip without a reason: {line.strip()}"
                    assert f"| {match[1]} |" in skips_md
                    assert match[2].strip() in skips_md


def _hcl(path: Path) -> dict[str, Any]:
    import hcl2  # noqa: PLC0415 - python-hcl2 comes with checkov, which the tool marker demands
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
    assert takes_key == {"kafka-nodes", "kafka-secrets", "kafka-logs"}
    for root in _roots(rendered):
        calls = _hcl(root / "main.tf")["module"]
        seen = set()
        for call in calls:
            for name, body in call.items():
                module = Path(_one(body["source"])).name
                if module in takes_key:
                    region = name.removeprefix("nodes_")
                    key = _one(body["kms_key_arn"])
                    assert re.fullmatch(r"\$\{module\.kms_[a-z0-9_]+\.key_arn\}", key), f"{root}: {name}"
                    if module == "kafka-nodes":
                        expected = f"${{module.kms_{region}.key_arn}}"
                        assert key == expected, f"{root}: {name} uses another region's key"
                    seen.add(module)
        assert seen == takes_key, root


# ---- real tools ----------------------------------------------------------------------


@pytest.mark.tool("terraform")
def test_terraform_fmt_is_clean(rendered: dict[str, tuple[Plan, Path]]) -> None:
    out = _out_root(rendered)
    result = tools.run(["terraform", "fmt", "-check", "-recursive", "-diff", str(out)],
                       env=tools.terraform_env(out.parent))
    assert result.ok, result.describe() + result.stdout


def _module_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


def _wrapper(rendered: dict[str, tuple[Plan, Path]], wrapper: Path) -> str:
    """One root that calls every cluster root of every blueprint as a module.

    The roots keep their own provider blocks, so each stays directly usable. Terraform
    accepts a module with its own provider configuration as long as the call uses no
    count, for_each or depends_on, so the wrapper passes no providers at all.
    """
    blocks = ['terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
              '      version = "~> 5.0"\n    }\n  }\n}\n']
    for name, (plan, out) in rendered.items():
        owner = _module_name(f"{name}__{terraform.dns_zone_owner(plan)}")
        for cluster in plan.clusters:
            source = Path("..") / out.relative_to(wrapper.parent) / "terraform" / cluster.name
            module = _module_name(f"{name}__{cluster.name}")
            lines = [f'module "{module}" {{', f'  source = "{source.as_posix()}"']
            for key, value in terraform.example_inputs(plan, cluster).items():
                # Joining the zone of the owning root proves the roots compose.
                rendered_value = f"module.{owner}.dns_zone_id" if key == "dns_zone_id" else hcl_value(value)
                lines.append(f"  {key} = {rendered_value}")
            blocks.append("\n".join([*lines, "}"]) + "\n")
    return "\n".join(blocks)


@pytest.mark.tool("terraform")
def test_all_roots_init_and_validate_in_one_invocation(rendered: dict[str, tuple[Plan, Path]]) -> None:
    out = _out_root(rendered)
    wrapper = out.parent / "wrapper"
    wrapper.mkdir(exist_ok=True)
    (wrapper / "main.tf").write_text(_wrapper(rendered, wrapper), encoding="utf-8")
    env = tools.terraform_env(out.parent)
    init = tools.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"],
                     cwd=wrapper, env=env)
    assert init.ok, init.describe()
    result = tools.run(["terraform", "validate", "-json", "-no-color"], cwd=wrapper, env=env)
    report = json.loads(result.stdout)
    problems = [f"{d['severity']}: {d['summary']} {d.get('detail', '')} {d.get('range', {})}"
                for d in report["diagnostics"]]
    assert report["valid"] and not problems, "\n".join(problems)
    assert len(_roots(rendered)) == (wrapper / "main.tf").read_text(encoding="utf-8").count("module \"")


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


@pytest.mark.tool("checkov")
def test_checkov_evaluates_every_security_row(rendered: dict[str, tuple[Plan, Path]]) -> None:
    _plan_, out = rendered["single-cluster"]
    env = {**tools.terraform_env(out.parent), "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1"}
    result = tools.run(["checkov", "-d", str(out), "--framework", "terraform", "--skip-download",
                        "-o", "json", "--compact", "--check", ",".join(sorted(EXPECTED_CHECKS))], env=env)
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    passed = {c["check_id"] for c in report["results"]["passed_checks"]}
    assert EXPECTED_CHECKS <= passed, f"never evaluated: {sorted(EXPECTED_CHECKS - passed)}"
    assert not report["results"]["failed_checks"]


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
