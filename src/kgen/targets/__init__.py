"""Output targets: each is a pure function from the plan to artifacts."""

from __future__ import annotations

from collections.abc import Callable

from kgen.artifacts import Artifact
from kgen.plan import Plan
from kgen.targets import ansible, helm, terraform

Render = Callable[[Plan], list[Artifact]]

TARGETS: dict[str, Render] = {
    "terraform": terraform.render,
    "ansible": ansible.render,
    "helm": helm.render,
}
