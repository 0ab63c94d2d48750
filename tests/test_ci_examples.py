"""The CI examples and pre-commit hooks call kgen the way kgen actually works."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import ROOT


def _help(command: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kgen.cli", command, "--help"], capture_output=True,
                          text=True, check=True, env={"COLUMNS": "200", "PATH": ""})
    return done.stdout


def _kgen_lines(text: str) -> list[str]:
    return [line.strip().lstrip("- ").strip() for line in text.splitlines()
            if line.strip().lstrip("- ").strip().startswith("kgen ")]


def test_github_workflow_checks_drift_and_uploads_sarif() -> None:
    text = (ROOT / "examples/ci/github-actions.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    steps = workflow["jobs"]["kgen"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("kgen render" in r and "--check" in r for r in runs)
    assert any("kgen check" in r and "--format sarif" in r for r in runs)
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "kgen.sarif"
    assert workflow["permissions"]["security-events"] == "write"


def test_gitlab_job_checks_drift_and_reports_junit() -> None:
    job = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text(encoding="utf-8"))["kgen"]
    assert any("kgen render" in line and "--check" in line for line in job["script"])
    assert any("kgen check" in line and "--format junit" in line for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] == "kgen-junit.xml"


def test_every_kgen_option_used_in_ci_examples_exists() -> None:
    texts = [(ROOT / p).read_text(encoding="utf-8") for p in
             ("examples/ci/github-actions.yml", "examples/ci/gitlab-ci.yml", ".pre-commit-hooks.yaml")]
    lines = [line for text in texts for line in _kgen_lines(text)]
    assert lines
    for line in lines:
        words = line.replace('"', "").split()
        command = words[1]
        help_text = _help(command)
        for option in (w for w in words[2:] if w.startswith("--")):
            assert option in help_text, f"{line}: kgen {command} has no {option}"


def test_pre_commit_hooks_name_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"kgen-validate", "kgen-drift"}
    for hook in hooks:
        assert hook["entry"].startswith("kgen ") and hook["language"] == "python"
