"""checkov: terraform, ansible and secrets on the output, kubernetes on the rendered chart."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from kgen import tools
from kgen.checkers import Output
from kgen.checkers.helm import available as helm_available
from kgen.checkers.helm import charts, render_manifests, source_of
from kgen.findings import CheckResult, Finding, internal_error, verdict

FRAMEWORKS = ("terraform", "ansible", "kubernetes", "secrets")


def _documents(text: str) -> list[Any]:
    """checkov prints one JSON document per scanned directory, back to back."""
    decoder = json.JSONDecoder()
    documents, index = [], 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        document, index = decoder.raw_decode(text, index)
        documents.extend(document if isinstance(document, list) else [document])
    return documents


@dataclass(frozen=True)
class Failure:
    """One failed checkov check, as checkov's JSON reports it."""

    framework: str
    check_id: str
    name: str
    path: str
    line: int
    resource: str


def failed_checks(stdout: str) -> tuple[list[Failure], dict[str, int]]:
    """Failed checks and per-framework parsing-error counts from `checkov -o json` output."""
    failures: list[Failure] = []
    unparsed: dict[str, int] = {}
    for report in _documents(stdout):
        if not isinstance(report, dict) or "check_type" not in report:
            continue
        framework = report["check_type"]
        for failed in report.get("results", {}).get("failed_checks", []):
            failures.append(Failure(framework, failed["check_id"], failed.get("check_name", ""),
                                    failed.get("file_abs_path", ""), (failed.get("file_line_range") or [0])[0],
                                    failed.get("resource", "")))
        errors = report.get("summary", {}).get("parsing_errors", 0)
        if errors:
            unparsed[framework] = unparsed.get(framework, 0) + errors
    return failures, unparsed


class CheckovChecker:
    """One checkov run over the output (terraform, ansible, secrets) and the rendered manifests."""

    name = "checkov"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return any((output.root / part).is_dir() for part in ("terraform", "ansible", "helm"))

    def tool_version(self) -> str | None:
        if tools.executable("checkov") is None:
            return None
        return f"checkov {metadata.version('checkov')}"

    def install_hint(self) -> str:
        return "pip install 'kgen[check]' (checkov)"

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        dirs = [output.root]
        manifests = None
        if charts(output) and helm_available():
            manifests, _ = render_manifests(output, self.workdir / "manifests")
            dirs.append(manifests)
        args = ["checkov", "--quiet", "--compact", "--skip-download", "-o", "json", "--framework", *FRAMEWORKS]
        for folder in dirs:
            args += ["-d", str(folder)]
        env = {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1", "BC_SKIP_MAPPING": "TRUE"}
        result = tools.run(args, env=env)
        try:
            failures, unparsed = failed_checks(result.stdout)
        except ValueError:
            return verdict(self.name, [internal_error(self.name, "checkov", output.shown,
                                                      result.stdout + result.stderr)])
        findings: list[Finding] = []
        for failure in failures:
            path, line, detail = Path(failure.path), failure.line, ""
            if manifests is not None and path.is_relative_to(manifests):
                shown, release = source_of(output, manifests, path)
                detail = f" (in the manifest rendered for release {release}, line {line})"
                line = 0
            else:
                shown = output.display(path)
            findings.append(Finding(shown, line, f"checkov-{failure.framework}", failure.check_id, "error",
                                    f"{failure.name} [{failure.resource}]{detail}"))
        for framework, count in unparsed.items():
            findings.append(internal_error(self.name, "checkov", output.shown,
                                           f"{framework}: {count} file(s) could not be parsed"))
        if not result.ok and not findings:
            findings.append(internal_error(self.name, "checkov", output.shown, result.stderr or result.stdout))
        return verdict(self.name, findings, time.perf_counter() - started)
