"""The writer: atomic output, manifest, refusal of foreign files, drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgen.artifacts import Artifact
from kgen.errors import RenderError
from kgen.writer import MANIFEST, drift, manifest_artifact, write


def _artifacts(text: str = "a") -> list[Artifact]:
    files = [Artifact("terraform/main.tf", f"# {text}\n"), Artifact("ansible/site.yml", "---\n")]
    return [*files, manifest_artifact(files, "demo", "0" * 64, "4.1.1", {})]


def test_writes_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, _artifacts(), force=False)
    assert (out / "terraform/main.tf").read_text() == "# a\n"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["blueprint"] == "demo"
    assert set(manifest["files"]) == {"terraform/main.tf", "ansible/site.yml"}
    assert manifest["kgenVersion"]


def test_rewrite_replaces_generated_files_and_drops_old_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, _artifacts("a"), force=False)
    files = [Artifact("terraform/main.tf", "# b\n")]
    write(out, [*files, manifest_artifact(files, "demo", "1" * 64, "4.1.1", {})], force=False)
    assert (out / "terraform/main.tf").read_text() == "# b\n"
    assert not (out / "ansible/site.yml").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no staging directories are left behind"


def test_refuses_foreign_files_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(RenderError, match="did not generate"):
        write(out, _artifacts(), force=False)
    assert (out / "notes.txt").read_text() == "mine"
    write(out, _artifacts(), force=True)
    assert not (out / "notes.txt").exists()


def test_refuses_file_added_beside_generated_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, _artifacts(), force=False)
    (out / "terraform" / "local.tf").write_text("# hand-written\n")
    with pytest.raises(RenderError, match="local.tf"):
        write(out, _artifacts("c"), force=False)
    assert (out / "terraform/main.tf").read_text() == "# a\n"


def test_failure_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, _artifacts("a"), force=False)
    broken = [Artifact("x", "file\n"), Artifact("x/y", "a file cannot be a folder\n")]
    with pytest.raises(RenderError):
        write(out, broken, force=False)
    assert (out / "terraform/main.tf").read_text() == "# a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_drift_lists_changed_missing_and_extra(tmp_path: Path) -> None:
    out = tmp_path / "out"
    artifacts = _artifacts()
    write(out, artifacts, force=False)
    assert drift(out, artifacts).clean
    (out / "terraform/main.tf").write_text("# edited\n")
    (out / "ansible/site.yml").unlink()
    (out / "extra.txt").write_text("x")
    found = drift(out, artifacts)
    assert found.changed == ("terraform/main.tf",)
    assert found.missing == ("ansible/site.yml",)
    assert found.extra == ("extra.txt",)
