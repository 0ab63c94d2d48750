"""Every example renders byte for byte to tests/golden/<example>/ (regenerate with --update-golden)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from kgen.pipeline import load, render_artifacts

GOLDEN = ROOT / "tests" / "golden"


def test_example_matches_golden(example: Path, request: pytest.FixtureRequest) -> None:
    validated, plan = load(example.relative_to(ROOT) if example.is_relative_to(ROOT) else example)
    rendered = {a.path: a.content for a in render_artifacts(validated, plan)}
    golden = GOLDEN / example.stem
    if request.config.getoption("--update-golden"):
        shutil.rmtree(golden, ignore_errors=True)
        for path, content in rendered.items():
            (golden / path).parent.mkdir(parents=True, exist_ok=True)
            (golden / path).write_text(content, encoding="utf-8", newline="\n")
    on_disk = {p.relative_to(golden).as_posix(): p.read_text(encoding="utf-8")
               for p in golden.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(rendered), "files differ from the golden set; review and --update-golden"
    for path, content in rendered.items():
        assert on_disk[path] == content, f"{example.stem}/{path} differs from golden"
