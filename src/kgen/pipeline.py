"""Blueprint to artifacts: the one path every command takes."""

from __future__ import annotations

from pathlib import Path

from kgen.artifacts import Artifact
from kgen.blueprint import Validated, validate_file
from kgen.errors import UserError
from kgen.plan import Plan, build_plan
from kgen.targets import TARGETS
from kgen.writer import manifest_artifact


def load(path: Path) -> tuple[Validated, Plan]:
    """Validate a blueprint and derive its plan."""
    validated = validate_file(path)
    return validated, build_plan(validated.blueprint)


def render_artifacts(validated: Validated, plan: Plan, only: list[str] | None = None) -> list[Artifact]:
    """Every artifact of the chosen targets, plus the manifest, sorted by path."""
    chosen = only or list(plan.targets)
    unknown = sorted(set(chosen) - set(TARGETS))
    if unknown:
        raise UserError(f"unknown target {', '.join(unknown)}; targets are {', '.join(TARGETS)}")
    artifacts: list[Artifact] = []
    for name in TARGETS:
        if name in chosen:
            artifacts.extend(TARGETS[name](plan))
    artifacts.sort()
    identity: dict[str, dict[str, object]] = {
        c.name: {"clusterId": c.cluster_id, "nodes": {n.name: n.node_id for n in c.nodes}} for c in plan.clusters}
    return [*artifacts, manifest_artifact(artifacts, plan.name, validated.document.digest, plan.kafka_version,
                                          identity)]
