"""Placeholder while the ansible target is written in this session; replaced before commit."""

from __future__ import annotations

from kgen.artifacts import Artifact
from kgen.plan import Plan


def render(plan: Plan) -> list[Artifact]:
    """Not written yet."""
    raise NotImplementedError
