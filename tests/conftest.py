"""Shared fixtures: examples, rendered output, and the real-tool gate."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from kgen import tools

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
IN_CI = bool(os.environ.get("CI"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from the examples")


def _tool_missing(name: str) -> str | None:
    if name == "terraform":
        if tools.executable("terraform") is None:
            return "terraform is not on PATH (install Terraform >= 1.6)"
        if tools.terraform_plugin_dir() is None:
            return f"no offline hashicorp/aws provider mirror (set {tools.PROVIDER_MIRROR_ENV})"
        return None
    if name == "helm":
        return None if importlib.util.find_spec("helm_python") else "helm-python-sdk is not installed"
    if name == "kafka-lab":
        # Real Kafka from Maven Central, each node a network namespace of its own.
        for needed in ("java", "mvn", "ip", "unshare"):
            if tools.executable(needed) is None:
                return f"the Kafka lab needs {needed} on PATH (Java 17 and Maven run real Kafka)"
        return None if os.geteuid() == 0 else "the Kafka lab needs root (it makes network namespaces)"
    return None if tools.executable(name) else f"{name} is not installed"


@pytest.fixture(autouse=True)
def _real_tool_gate(request: pytest.FixtureRequest) -> None:
    """Tests marked tool(name) need that tool: a loud skip locally, a failure in CI."""
    for marker in request.node.iter_markers("tool"):
        reason = _tool_missing(marker.args[0])
        if reason:
            if IN_CI:
                pytest.fail(f"not verified: {reason} (CI requires every real tool)")
            pytest.skip(f"NOT VERIFIED: {reason}")


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Path:
    """Each example blueprint."""
    path: Path = request.param
    return path
