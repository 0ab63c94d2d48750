"""kgen's own code passes ruff with the project's rule set (pyproject.toml)."""

from __future__ import annotations

import pytest
from conftest import ROOT

from kgen import tools


@pytest.mark.tool("ruff")
def test_ruff_is_clean() -> None:
    result = tools.run(["ruff", "check", "--no-cache", "src", "tests", "templates"], cwd=ROOT)
    assert result.ok, result.stdout + result.stderr
