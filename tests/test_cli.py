"""The CLI as users and CI scripts call it: exit codes, schema, explain, render, drift."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from conftest import EXAMPLES, ROOT


def kgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kgen.cli", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_validate_accepts_every_example() -> None:
    done = kgen("validate", *map(str, EXAMPLES))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": valid") == len(EXAMPLES) == 6


def test_schema_is_2020_12_and_accepts_examples_and_rejects_misspelling() -> None:
    done = kgen("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in EXAMPLES:
        document = yaml.safe_load(example.read_text())
        assert not list(validator.iter_errors(document)), example
        first_line = example.read_text().splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../schema/blueprint.schema.json"
    document = yaml.safe_load(EXAMPLES[0].read_text())
    document["spec"]["clusters"][0]["brokerz"] = document["spec"]["clusters"][0].pop("brokers")
    messages = [e.message for e in validator.iter_errors(document)]
    assert any("brokerz" in m for m in messages)


def test_explain_text_names_quorum_and_losses() -> None:
    done = kgen("explain", str(ROOT / "examples/stretch-2.5-dc.yaml"))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "site tiebreaker (eu-central-1c, tie-breaker, controller only): 1 controller(s), 0 broker(s)" in text
    assert "survives the loss of any one site" in text
    assert "siteLoss: consistency (the default)" in text
    assert "min.insync.replicas=2" in text
    assert "CLIENT     port 9092" in text


def test_explain_json_has_every_node_property() -> None:
    done = kgen("explain", "--format", "json", str(ROOT / "examples/single-cluster.yaml"))
    plan = json.loads(done.stdout)
    nodes = plan["clusters"][0]["nodes"]
    assert len(nodes) == 9
    assert all(n["properties"]["node.id"] == str(n["node_id"]) for n in nodes)


def test_usage_errors_exit_1_without_traceback(tmp_path: Path) -> None:
    for args in (["frobnicate"], ["validate"], ["explain", "--format", "xml", str(EXAMPLES[0])],
                 ["validate", str(tmp_path / "missing.yaml")]):
        done = kgen(*args)
        assert done.returncode == 1, args
        assert "Traceback" not in done.stderr + done.stdout


def test_render_twice_gives_identical_trees(tmp_path: Path, example: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        done = kgen("render", str(example), "-o", str(out))
        assert done.returncode == 0, done.stderr
    assert _tree(first) == _tree(second)
    assert {p.split("/")[0] for p in _tree(first)} == {"terraform", "ansible", "helm", "kgen-manifest.json"}


def test_render_output_does_not_depend_on_working_directory(tmp_path: Path) -> None:
    example = ROOT / "examples/dr-active-passive.yaml"
    kgen("render", str(example), "-o", str(tmp_path / "a"))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    kgen("render", str(example), "-o", str(tmp_path / "b"), cwd=elsewhere)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_render_check_detects_drift(tmp_path: Path) -> None:
    example, out = str(ROOT / "examples/single-cluster.yaml"), tmp_path / "out"
    assert kgen("render", example, "-o", str(out)).returncode == 0
    assert kgen("render", example, "-o", str(out), "--check").returncode == 0
    victim = next(p for p in sorted(out.rglob("*.tf")))
    victim.write_text(victim.read_text() + "# drift\n")
    done = kgen("render", example, "-o", str(out), "--check")
    assert done.returncode == 2
    assert f"stale: {victim}" in done.stdout


def test_render_refuses_foreign_files_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    done = kgen("render", str(EXAMPLES[0]), "-o", str(out))
    assert done.returncode == 1 and "--force" in done.stderr
    dry = kgen("render", str(EXAMPLES[0]), "-o", str(tmp_path / "dry"), "--dry-run")
    assert dry.returncode == 0 and "kgen-manifest.json" in dry.stdout
    assert not (tmp_path / "dry").exists()


def test_render_single_target(tmp_path: Path) -> None:
    done = kgen("render", str(EXAMPLES[0]), "-o", str(tmp_path / "o"), "--target", "helm")
    assert done.returncode == 0, done.stderr
    assert {p.split("/")[0] for p in _tree(tmp_path / "o")} == {"helm", "kgen-manifest.json"}
    assert kgen("render", str(EXAMPLES[0]), "-o", str(tmp_path / "p"), "--target", "puppet").returncode == 1


def test_manifest_records_blueprint_hash(tmp_path: Path) -> None:
    kgen("render", str(EXAMPLES[0]), "-o", str(tmp_path / "o"))
    manifest = json.loads((tmp_path / "o/kgen-manifest.json").read_text())
    assert len(manifest["blueprintSha256"]) == 64
    assert all(len(h) == 64 for h in manifest["files"].values())


def test_render_refuses_to_renumber_a_rendered_deployment(tmp_path: Path) -> None:
    """Growing keeps every id and renders; reordering sites would renumber nodes and is refused."""
    data = yaml.safe_load((ROOT / "examples/single-cluster.yaml").read_text(encoding="utf-8"))
    path, out = tmp_path / "bp.yaml", tmp_path / "out"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert kgen("render", str(path), "-o", str(out)).returncode == 0
    recorded = json.loads((out / "kgen-manifest.json").read_text())["identity"]["orders-euw1"]
    assert recorded["nodes"]["orders-euw1-broker-b-0"] == 1001 and recorded["clusterId"]
    data["spec"]["clusters"][0]["brokers"]["count"] += 3
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    grown = kgen("render", str(path), "-o", str(out))
    assert grown.returncode == 0, grown.stderr
    data["spec"]["clusters"][0]["sites"].reverse()
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    before = _tree(out)
    refused = kgen("render", str(path), "-o", str(out))
    assert refused.returncode == 1
    assert "changed: node orders-euw1-broker-a-0: node.id 1 -> 2001" in refused.stderr, refused.stderr
    assert "--allow-renumber" in refused.stderr
    assert _tree(out) == before
    assert kgen("render", str(path), "-o", str(out), "--allow-renumber").returncode == 0
