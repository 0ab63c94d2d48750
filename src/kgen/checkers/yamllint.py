"""yamllint over every YAML file kgen rendered (Helm's Go templates excepted: they are not YAML)."""

from __future__ import annotations

import re
import time
from importlib import metadata
from pathlib import Path

from kgen import tools
from kgen.checkers import Output
from kgen.findings import CheckResult, Finding, internal_error, verdict

# kgen's output style. Generated values carry long single-token strings (bootstrap
# lists, quorum voters) that cannot wrap, so line length is not checked; PyYAML writes
# block sequences unindented and Jinja-written files indent them, so both are accepted
# as long as a file is consistent.
CONFIG = """\
extends: default
rules:
  line-length: disable
  indentation: {spaces: consistent, indent-sequences: whatever}
  document-start: disable
  truthy: {check-keys: false}
  comments: {min-spaces-from-content: 1}
  comments-indentation: disable
"""
_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \[(?P<level>\w+)\] (?P<message>.*?)(?: \((?P<rule>[\w-]+)\))?$")


def parsable_lines(stdout: str) -> list[tuple[str, int, str, str, str]]:
    """(file, line, level, rule, message) from `yamllint -f parsable`; ValueError on any other line."""
    parsed = []
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"unexpected yamllint output: {line}")
        parsed.append((match["file"], int(match["line"]), match["level"], match["rule"] or "syntax",
                       match["message"]))
    return parsed


def yaml_files(output: Output) -> list[Path]:
    """Every rendered YAML file except Helm chart templates."""
    return sorted(p for p in output.root.rglob("*.y*ml")
                  if p.suffix in (".yml", ".yaml") and "templates" not in p.relative_to(output.root).parts[:3])


class YamllintChecker:
    """yamllint with kgen's output style."""

    name = "yamllint"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return bool(yaml_files(output))

    def tool_version(self) -> str | None:
        return f"yamllint {metadata.version('yamllint')}" if tools.executable("yamllint") else None

    def install_hint(self) -> str:
        return "pip install 'kgen[check]' (yamllint)"

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "yamllint.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        result = tools.run(["yamllint", "-f", "parsable", "-c", str(config),
                            *map(str, yaml_files(output))])
        try:
            problems = parsable_lines(result.stdout)
        except ValueError as exc:
            return verdict(self.name, [internal_error(self.name, "yamllint", output.shown, str(exc))])
        findings = [Finding(output.display(file), line, "yamllint", rule, level, message)
                    for file, line, level, rule, message in problems]
        if result.returncode not in (0, 1) and not findings:
            findings.append(internal_error(self.name, "yamllint", output.shown, result.stderr))
        return verdict(self.name, findings, time.perf_counter() - started)
