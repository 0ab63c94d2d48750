"""CLI help texts are pinned: a change to what users read is a reviewed change (--update-golden)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"
COMMANDS = ["", "validate", "render", "check", "explain", "schema"]


@pytest.mark.parametrize("command", COMMANDS, ids=[c or "kgen" for c in COMMANDS])
def test_help_text_is_pinned(command: str, request: pytest.FixtureRequest) -> None:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    args = [sys.executable, "-m", "kgen.cli", *([command] if command else []), "--help"]
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    snapshot = SNAPSHOTS / f"help-{command or 'kgen'}.txt"
    if request.config.getoption("--update-golden"):
        snapshot.write_text(done.stdout, encoding="utf-8")
    assert done.stdout == Path(snapshot).read_text(encoding="utf-8"), f"{snapshot.name} changed"
