"""Kubernetes schemas: kubernetes-validate --strict on the rendered manifests, per version.

cert-manager's Certificate is a custom resource, so kubernetes-validate has no schema
for it; those documents are checked here against a closed subset of cert-manager.io/v1
CertificateSpec covering every field the chart writes, so they are never skipped.
"""

from __future__ import annotations

import re
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from kgen import tools
from kgen.checkers import Output
from kgen.checkers.helm import KUBE_VERSIONS, available, charts, render_manifests, source_of
from kgen.findings import CheckResult, Finding, internal_error, verdict

_CERT_MANAGER = "kind Certificate with api version cert-manager.io/v1"
_RESULT = re.compile(r"^(?P<level>INFO|WARN|ERROR)\s+(?P<file>\S+?):?\s+(?P<message>.*)$")
_USAGES = [
    "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
    "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth",
    "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel",
    "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
]
CERTIFICATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "cert-manager.io/v1"},
        "kind": {"const": "Certificate"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": {
            "type": "object",
            "required": ["secretName", "issuerRef"],
            "additionalProperties": False,
            "properties": {
                "secretName": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
                "commonName": {"type": "string", "maxLength": 64},
                "dnsNames": {"type": "array", "items": {"type": "string"}},
                "usages": {"type": "array", "items": {"enum": _USAGES}},
                "privateKey": {"type": "object", "additionalProperties": False, "properties": {
                    "rotationPolicy": {"enum": ["Never", "Always"]}}},
                "issuerRef": {"type": "object", "required": ["name"], "additionalProperties": False,
                              "properties": {"name": {"type": "string"}, "kind": {"type": "string"},
                                             "group": {"type": "string"}}},
                "keystores": {"type": "object", "additionalProperties": False, "properties": {
                    "pkcs12": {"type": "object", "required": ["create", "passwordSecretRef"],
                               "additionalProperties": False, "properties": {
                                   "create": {"type": "boolean"},
                                   "passwordSecretRef": {
                                       "type": "object", "required": ["name"], "additionalProperties": False,
                                       "properties": {"name": {"type": "string"}, "key": {"type": "string"}}},
                               }}}},
            },
        },
    },
}


def validation_lines(stdout: str) -> list[tuple[str, str, str]]:
    """(level, file, message) for each line kubernetes-validate printed; ValueError on any other line."""
    parsed = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        match = _RESULT.match(line.strip())
        if match is None:
            raise ValueError(f"unexpected kubernetes-validate output: {line}")
        parsed.append((match["level"], match["file"], match["message"]))
    return parsed


def certificate_problems(document: dict[str, Any]) -> list[str]:
    """Why a cert-manager Certificate does not fit the schema kgen writes, if it does not."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(CERTIFICATE_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
            for e in validator.iter_errors(document)]


class KubernetesSchemaChecker:
    """Validates every rendered manifest against Kubernetes' schemas, strictly."""

    name = "kubernetes-schema"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def applies(self, output: Output) -> bool:
        return bool(charts(output))

    def tool_version(self) -> str | None:
        if tools.executable("kubernetes-validate") is None or not available():
            return None
        return f"kubernetes-validate {metadata.version('kubernetes-validate')}"

    def install_hint(self) -> str:
        return "pip install 'kgen[check]' (kubernetes-validate and helm-python-sdk)"

    def check(self, output: Output) -> CheckResult:
        started = time.perf_counter()
        manifests, _ = render_manifests(output, self.workdir / "manifests")
        files = sorted(p for p in manifests.rglob("*.yaml"))
        findings: list[Finding] = []
        for version in KUBE_VERSIONS:
            result = tools.run(["kubernetes-validate", "--strict", "--quiet", "-k", version,
                                *map(str, files)])
            try:
                lines = validation_lines(result.stdout)
            except ValueError as exc:
                findings.append(internal_error(self.name, "kubernetes-validate", output.shown, str(exc)))
                lines = []
            for level, file, message in lines:
                if level == "INFO" or _CERT_MANAGER in message:
                    continue
                shown, release = source_of(output, manifests, Path(file))
                detail = f" (rendered for release {release})" if release else ""
                findings.append(Finding(shown, 0, "kubernetes-validate", f"k8s-{version}",
                                        "error" if level == "ERROR" else "warning", message + detail))
            if not result.ok and not findings:
                findings.append(internal_error(self.name, "kubernetes-validate", output.shown,
                                               result.stderr or result.stdout))
        for path in files:
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if isinstance(document, dict) and document.get("kind") == "Certificate":
                    shown, release = source_of(output, manifests, path)
                    for problem in certificate_problems(document):
                        findings.append(Finding(shown, 0, "kubernetes-validate", "cert-manager-certificate",
                                                "error", f"{problem} (rendered for release {release})"))
        return verdict(self.name, findings, time.perf_counter() - started)
