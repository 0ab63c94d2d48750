"""Terraform: fmt, one init and validate over every root, and each root's `terraform test`."""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgen import tools
from kgen.checkers import Output
from kgen.findings import CheckResult, Finding, internal_error, verdict

COMPOSITION = "all-clusters"
_ON_LINE = re.compile(r"on (?P<file>\S+) line (?P<line>\d+)")


def roots(folder: Path) -> list[Path]:
    """Every cluster root: a folder directly under terraform/ with .tf files and its own tests."""
    return sorted(p.parent for p in folder.glob("*/versions.tf")
                  if p.parent.name not in ("modules", COMPOSITION))


@dataclass(frozen=True)
class Diagnostic:
    """One terraform diagnostic: where (relative to the module run) and what."""

    filename: str | None
    line: int
    severity: str
    message: str


def validate_diagnostics(stdout: str) -> tuple[bool, list[Diagnostic]]:
    """(valid, diagnostics) from `terraform validate -json`."""
    report: dict[str, Any] = json.loads(stdout)
    diagnostics = []
    for item in report.get("diagnostics", []):
        where = item.get("range") or {}
        message = f"{item.get('summary', '')}: {item.get('detail', '')}".strip(": ")
        diagnostics.append(Diagnostic(where.get("filename"), where.get("start", {}).get("line", 0),
                                      item.get("severity", "error"), message))
    return bool(report.get("valid", False)), diagnostics


def assertion_failures(text: str) -> list[Diagnostic]:
    """Every `Error:` block of `terraform test` output, located by its `on FILE line N`."""
    failures = []
    for block in re.split(r"\n(?=Error: )", text):
        if not block.startswith("Error: "):
            continue
        match = _ON_LINE.search(block)
        failures.append(Diagnostic(match["file"] if match else None, int(match["line"]) if match else 0,
                                   "error", block.strip()[:2000]))
    return failures


class TerraformChecker:
    """terraform fmt, init + validate (all roots at once) and terraform test with the mock provider."""

    name = "terraform"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return (output.root / "terraform").is_dir()

    def tool_version(self) -> str | None:
        binary = tools.executable("terraform")
        if binary is None:
            return None
        stat = Path(binary).stat()
        mirror = tools.terraform_plugin_dir()
        providers = sorted(p.name for p in mirror.rglob("terraform-provider-*")) if mirror else []
        return json.dumps([binary, stat.st_size, stat.st_mtime_ns, providers])

    def install_hint(self) -> str:
        return ("install the Terraform CLI >= 1.9 (https://developer.hashicorp.com/terraform/install); "
                f"offline, point {tools.PROVIDER_MIRROR_ENV} at a provider mirror")

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        copy = self.workdir / "terraform"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(output.root / "terraform", copy, ignore=shutil.ignore_patterns(".terraform*"))
        env = tools.terraform_env(self.workdir)
        findings = self._fmt(output, copy, env)
        composition = copy / COMPOSITION
        targets = [composition] if composition.is_dir() else roots(copy)
        for target in targets:
            findings += self._validate(output, copy, target, env)
        if not any(f.rule.startswith("validate") for f in findings):
            for root in roots(copy):
                findings += self._test(output, copy, root, env)
        return verdict(self.name, findings, time.perf_counter() - started)

    def _shown(self, output: Output, copy: Path, path: Path) -> str:
        try:
            return output.display(Path("terraform") / path.resolve().relative_to(copy.resolve()))
        except ValueError:
            return str(path)

    def _fmt(self, output: Output, copy: Path, env: dict[str, str]) -> list[Finding]:
        result = tools.run(["terraform", "fmt", "-check", "-recursive", "-list=true", "-no-color"],
                           cwd=copy, env=env)
        if result.returncode not in (0, 3) and not result.stdout:
            return [internal_error(self.name, "terraform", output.display("terraform"), result.stderr)]
        return [Finding(self._shown(output, copy, copy / line.strip()), 1, "terraform", "fmt", "error",
                        "not in canonical format; run terraform fmt")
                for line in result.stdout.splitlines() if line.strip()]

    def _init(self, output: Output, copy: Path, folder: Path, env: dict[str, str]) -> list[Finding]:
        init = tools.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], cwd=folder, env=env)
        if init.ok:
            return []
        return [Finding(self._shown(output, copy, folder), 0, "terraform", "init", "error",
                        init.describe())]

    def _validate(self, output: Output, copy: Path, folder: Path, env: dict[str, str]) -> list[Finding]:
        problems = self._init(output, copy, folder, env)
        if problems:
            return problems
        result = tools.run(["terraform", "validate", "-json", "-no-color"], cwd=folder, env=env)
        try:
            valid, diagnostics = validate_diagnostics(result.stdout)
        except ValueError:
            return [internal_error(self.name, "terraform", self._shown(output, copy, folder),
                                   result.stdout + result.stderr)]
        findings = [Finding(self._shown(output, copy, folder / d.filename if d.filename else folder), d.line,
                            "terraform", f"validate-{d.severity}", d.severity, d.message) for d in diagnostics]
        if not valid and not findings:
            findings.append(internal_error(self.name, "terraform", self._shown(output, copy, folder),
                                           result.stdout))
        return findings

    def _test(self, output: Output, copy: Path, root: Path, env: dict[str, str]) -> list[Finding]:
        if not any(root.glob("tests/*.tftest.hcl")):
            return []
        problems = self._init(output, copy, root, env)
        if problems:
            return problems
        result = tools.run(["terraform", "test", "-no-color"], cwd=root, env=env)
        if result.ok:
            return []
        text = result.stdout + result.stderr
        findings = [Finding(self._shown(output, copy, root / f.file if f.file else root), f.line, "terraform",
                            "test", "error", f.message) for f in assertion_failures(text)]
        return findings or [internal_error(self.name, "terraform", self._shown(output, copy, root), text)]
