"""Ansible: ansible-lint (production profile, offline) and ansible-playbook --syntax-check."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from kgen import tools
from kgen.checkers import Output
from kgen.findings import CheckResult, Finding, internal_error, verdict

_SYNTAX_AT = re.compile(r"'(?P<file>[^']+)': line (?P<line>\d+)")


def playbooks(folder: Path) -> list[Path]:
    """Top-level files of `folder` that are playbooks (a list of plays or imports)."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            found.append(path)  # let the syntax check say what is wrong
            continue
        if isinstance(data, list) and data and all(
                isinstance(p, dict) and ("hosts" in p or "ansible.builtin.import_playbook" in p
                                         or "import_playbook" in p) for p in data):
            found.append(path)
    return found


@dataclass(frozen=True)
class Issue:
    """One ansible-lint violation, from its Code Climate JSON."""

    path: str
    line: int
    rule: str
    severity: str
    message: str


def codeclimate_issues(stdout: str) -> list[Issue]:
    """Violations from `ansible-lint -f codeclimate` (paths as ansible-lint printed them)."""
    reported = json.loads(stdout or "[]")
    if not isinstance(reported, list):
        raise ValueError("ansible-lint's Code Climate output is a JSON list")  # noqa: TRY004 - like json's own errors
    issues = []
    for item in reported:
        location = item.get("location", {})
        lines = location.get("lines") or location.get("positions") or {}
        begin = lines.get("begin", 0)
        line = begin.get("line", 0) if isinstance(begin, dict) else begin
        severity = "error" if item.get("severity") in ("major", "critical", "blocker") else "warning"
        issues.append(Issue(str(location.get("path", "")), int(line or 0), str(item.get("check_name", "lint")),
                            severity, str(item.get("description", ""))))
    return issues


class AnsibleChecker:
    """ansible-lint --offline --profile production, and a syntax check of every playbook."""

    name = "ansible"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return (output.root / "ansible").is_dir()

    def tool_version(self) -> str | None:
        if tools.executable("ansible-lint") is None or tools.executable("ansible-playbook") is None:
            return None
        return f"ansible-lint {metadata.version('ansible-lint')}, ansible-core {metadata.version('ansible-core')}"

    def install_hint(self) -> str:
        return "pip install 'kgen[check]' (ansible-core and ansible-lint)"

    def _env(self) -> dict[str, str]:
        # ansible-lint writes caches under HOME and ANSIBLE_HOME; keep them out of the user's.
        home = self.workdir / "ansible-home"
        home.mkdir(parents=True, exist_ok=True)
        return {**os.environ, "HOME": str(home), "ANSIBLE_HOME": str(home / ".ansible"),
                "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "NO_COLOR": "1",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        # Linting a copy keeps ansible-lint's caches and any .ansible folder out of the output.
        copy = self.workdir / "ansible"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(output.root / "ansible", copy)
        env = self._env()
        findings = self._lint(output, copy, env) + self._syntax(output, copy, env)
        return verdict(self.name, findings, time.perf_counter() - started)

    def _shown(self, output: Output, copy: Path, path: str) -> str:
        candidate = (copy / path).resolve()
        try:
            return output.display(Path("ansible") / candidate.relative_to(copy.resolve()))
        except ValueError:
            return path

    def _lint(self, output: Output, copy: Path, env: dict[str, str]) -> list[Finding]:
        result = tools.run(["ansible-lint", "--offline", "--profile", "production", "-f", "codeclimate",
                            "--project-dir", str(copy)], cwd=copy, env=env, timeout=900)
        try:
            issues = codeclimate_issues(result.stdout)
        except ValueError:
            return [internal_error(self.name, "ansible-lint", output.display("ansible"),
                                   result.stdout + result.stderr)]
        findings = [Finding(self._shown(output, copy, i.path), i.line, "ansible-lint", i.rule, i.severity,
                            i.message) for i in issues]
        if result.returncode not in (0, 2) and not findings:
            findings.append(internal_error(self.name, "ansible-lint", output.display("ansible"), result.stderr))
        return findings

    def _syntax(self, output: Output, copy: Path, env: dict[str, str]) -> list[Finding]:
        books = playbooks(copy)
        if not books:
            return []
        result = tools.run(["ansible-playbook", "--syntax-check", *(p.name for p in books)], cwd=copy, env=env)
        if result.ok:
            return []
        match = _SYNTAX_AT.search(result.stderr + result.stdout)
        path = self._shown(output, copy, match["file"]) if match else output.display("ansible")
        return [Finding(path, int(match["line"]) if match else 0, "ansible-playbook", "syntax-check", "error",
                        (result.stderr or result.stdout).strip()[-2000:])]
