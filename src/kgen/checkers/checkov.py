"""checkov: terraform, ansible and secrets on the output, kubernetes on the rendered chart."""

from __future__ import annotations

import json
import os
import time
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
            reports = _documents(result.stdout)
        except ValueError:
            return verdict(self.name, [internal_error(self.name, "checkov", output.shown,
                                                      result.stdout + result.stderr)])
        findings: list[Finding] = []
        for report in reports:
            if not isinstance(report, dict) or "check_type" not in report:
                continue
            kind = report["check_type"]
            for failed in report.get("results", {}).get("failed_checks", []):
                path = Path(failed.get("file_abs_path", ""))
                line = (failed.get("file_line_range") or [0])[0]
                detail = ""
                if manifests is not None and path.is_relative_to(manifests):
                    shown, release = source_of(output, manifests, path)
                    detail = f" (in the manifest rendered for release {release}, line {line})"
                    line = 0
                else:
                    shown = output.display(path)
                resource = failed.get("resource", "")
                findings.append(Finding(shown, line, f"checkov-{kind}", failed["check_id"], "error",
                                        f"{failed.get('check_name', '')} [{resource}]{detail}"))
            errors = report.get("summary", {}).get("parsing_errors", 0)
            if errors and kind != "kubernetes":
                findings.append(internal_error(self.name, "checkov", output.shown,
                                               f"{kind}: {errors} file(s) could not be parsed"))
        if not result.ok and not findings:
            findings.append(internal_error(self.name, "checkov", output.shown, result.stderr or result.stdout))
        return verdict(self.name, findings, time.perf_counter() - started)
