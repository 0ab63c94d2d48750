"""The wheel carries templates, base blueprints and Kafka's key tables, and renders from them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_wheel_ships_package_data_and_renders_like_the_source_tree(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                            "-w", str(tmp_path / "dist")], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("kgen-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    # Installed the way pip installs it, bytecode compilation included.
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                                str(tmp_path / "site"), str(wheel)], capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stderr[-2000:]
    assert any((tmp_path / "site" / "kgen" / "templates").rglob("*.pyc")), "pip compiled the shipped scripts"
    templates = {f"kgen/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
                 for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert templates and templates <= names
    assert {"kgen/blueprints/hardened-production.yaml", "kgen/blueprints/dev.yaml",
            "kgen/data/kafka-configs.json", "kgen/data/kafka-release-checksums.json"} <= names

    example = ROOT / "examples/hub-and-spoke.yaml"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    for name, environment in (("wheel", env), ("source", dict(os.environ))):
        done = subprocess.run([sys.executable, "-m", "kgen.cli", "render", str(example), "-o",
                               str(tmp_path / name)], capture_output=True, text=True, check=False,
                              env=environment, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    probe = subprocess.run([sys.executable, "-c", "import kgen; print(kgen.__file__)"], env=env,
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert probe.stdout.startswith(str(tmp_path / "site")), "the wheel's copy must be the one imported"
    assert _tree(tmp_path / "wheel") == _tree(tmp_path / "source")
