"""docs/blueprint.md's field reference and schema/ stay generated from the model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kgen.fieldref import field_reference
from kgen.model import json_schema

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "blueprint.md"
SCHEMA = ROOT / "schema" / "blueprint.schema.json"


def test_field_reference_matches_model(request: pytest.FixtureRequest) -> None:
    wanted = field_reference(ROOT / "examples")
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition("<!-- BEGIN FIELD REFERENCE")
    _, _, tail = rest.partition("<!-- END FIELD REFERENCE -->\n")
    if request.config.getoption("--update-golden"):
        DOC.write_text(head + wanted + tail, encoding="utf-8")
    assert head + wanted + tail == DOC.read_text(encoding="utf-8"), \
        "docs/blueprint.md is stale: run pytest tests/test_docs.py --update-golden"


def test_every_field_has_default_or_required_and_example() -> None:
    rows = [r for r in field_reference(ROOT / "examples").splitlines() if r.startswith("| `")]
    assert len(rows) > 80
    for row in rows:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip("|"))]
        assert cells[2], f"no default shown: {row}"
        assert cells[3] or cells[2] == "see below", f"no example: {row}"
        assert cells[4], f"no description: {row}"


def test_committed_schema_matches_kgen_schema(request: pytest.FixtureRequest) -> None:
    wanted = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if request.config.getoption("--update-golden"):
        SCHEMA.write_text(wanted, encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == wanted, "schema/ is stale: run --update-golden"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    assert len(blocks) >= 2, "the quick start has two commands"
    install_and_render, install_and_test = blocks[0].strip(), blocks[1].strip()
    assert "kgen render examples/" in install_and_render
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test.endswith(".venv/bin/pytest")
