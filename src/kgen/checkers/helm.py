"""Helm: render every cluster's values with the real Helm engine, and lint strictly."""

from __future__ import annotations

import importlib.util
import re
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from kgen.checkers import Output
from kgen.findings import CheckResult, Finding, internal_error, verdict

KUBE_VERSIONS = ("1.29.0", "1.33.0")
_LOCATION = re.compile(r"(?P<file>[\w./-]+\.(?:yaml|yml|tpl|txt)):(?P<line>\d+)(?::\d+)?")
_lock = threading.Lock()
_rendered: dict[Path, tuple[Path, list[Finding]]] = {}


def available() -> bool:
    """True when helm-python-sdk (the Helm engine) can be imported."""
    return importlib.util.find_spec("helm_python") is not None


def charts(output: Output) -> list[Path]:
    """Every chart kgen rendered: helm/<chart>/Chart.yaml."""
    return sorted(p.parent for p in (output.root / "helm").glob("*/Chart.yaml"))


def _values_files(chart: Path) -> list[Path]:
    return sorted(chart.glob("values-*.yaml"))


def _namespace(values: dict[str, Any]) -> str | None:
    cluster = values.get("cluster")
    found = cluster.get("namespace") if isinstance(cluster, dict) else None
    return found if isinstance(found, str) else None


def _finding(output: Output, chart: Path, message: str, rule: str) -> Finding:
    match = _LOCATION.search(message)
    path: Path | str = chart
    line = 0
    if match:
        relative = Path(match["file"])
        # Helm names templates <chart>/templates/x.yaml; the chart folder is `chart`.
        path = chart.parent / relative if relative.parts[0] == chart.name else chart / relative
        line = int(match["line"])
    return Finding(output.display(path), line, "helm", rule, "error", message.strip())


def render_manifests(output: Output, workdir: Path) -> tuple[Path, list[Finding]]:
    """Render every chart with every values file, once per output (memoised).

    Each release's templates land in `workdir/<release>/<chart>/templates/...`, so a
    finding in a rendered manifest maps back to the template that produced it.
    """
    import helm_python

    with _lock:
        if workdir in _rendered:
            return _rendered[workdir]
        findings: list[Finding] = []
        workdir.mkdir(parents=True, exist_ok=True)
        for chart in charts(output):
            try:
                loaded = helm_python.Chart.load(chart)
            except helm_python.HelmError as exc:
                findings.append(_finding(output, chart, str(exc), "load"))
                continue
            with loaded:
                for values_file in _values_files(chart):
                    values = yaml.safe_load(values_file.read_text(encoding="utf-8")) or {}
                    release = values_file.stem.removeprefix("values-")
                    try:
                        manifests = loaded.render(values, name=release, namespace=_namespace(values),
                                                  is_install=True)
                    except helm_python.HelmError as exc:
                        findings.append(_finding(output, chart, str(exc), "render"))
                        continue
                    for name, text in sorted(manifests.items()):
                        if name.endswith("NOTES.txt") or not text.strip():
                            continue
                        target = workdir / release / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(text, encoding="utf-8")
            extra = chart.parent / "namespaces.yaml"
            if extra.is_file():
                (workdir / "namespaces.yaml").write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")
        _rendered[workdir] = (workdir, findings)
        return workdir, findings


def source_of(output: Output, workdir: Path, rendered: Path) -> tuple[str, str]:
    """(the template a rendered manifest came from, as displayed; the release it was rendered for)."""
    relative = rendered.relative_to(workdir)
    if len(relative.parts) == 1:
        return output.display(Path("helm") / relative), ""
    release, *rest = relative.parts
    return output.display(Path("helm", *rest)), release


class HelmChecker:
    """Renders each cluster's values with the real Helm engine and lints strictly."""

    name = "helm"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return bool(charts(output))

    def tool_version(self) -> str | None:
        return f"helm-python-sdk {metadata.version('helm-python-sdk')}" if available() else None

    def install_hint(self) -> str:
        return "pip install 'kgen[check]' (helm-python-sdk, the Helm engine; no helm binary needed)"

    def check(self, output: Output) -> CheckResult:
        import helm_python

        started = time.perf_counter()
        _, findings = render_manifests(output, self.workdir / "manifests")
        for chart in charts(output):
            for values_file in _values_files(chart):
                values = yaml.safe_load(values_file.read_text(encoding="utf-8")) or {}
                for version in KUBE_VERSIONS:
                    try:
                        report = helm_python.lint(chart, values, strict=True, namespace=_namespace(values),
                                                  kube_version=f"v{version}")
                    except helm_python.HelmError as exc:
                        findings.append(internal_error("helm", "helm", output.display(chart), str(exc)))
                        continue
                    for message in report.get("messages", []):
                        if message.get("severity", 0) >= 2:
                            findings.append(_finding(output, chart, str(message.get("error", "")),
                                                     f"lint-{values_file.stem}-k8s-{version}"))
        unique = sorted(set(findings))
        return verdict(self.name, unique, time.perf_counter() - started)
