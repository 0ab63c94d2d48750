"""The parsers of tool output, against outputs recorded from the real tools (tests/fixtures/tool_output).

Each fixture was produced by running the pinned tool on deliberately broken kgen output:
a privileged container (checkov), a `state: latest` task (ansible-lint), an unknown
attribute (terraform validate), a negated assertion (terraform test), an unknown Pod field
next to cert-manager Certificates (kubernetes-validate), and a badly spaced file (yamllint).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from kgen.checkers.ansible import codeclimate_issues
from kgen.checkers.checkov import failed_checks
from kgen.checkers.kubernetes import validation_lines
from kgen.checkers.terraform import assertion_failures, validate_diagnostics
from kgen.checkers.yamllint import parsable_lines

FIXTURES = ROOT / "tests" / "fixtures" / "tool_output"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_checkov_reports_back_to_back_documents_and_their_failures() -> None:
    failures, unparsed = failed_checks(_read("checkov.json"))
    assert unparsed == {}
    assert {f.framework for f in failures} == {"kubernetes"}
    privileged = [f for f in failures if f.check_id == "CKV_K8S_16"]
    assert privileged
    assert all(Path(f.path).name == "statefulsets.yaml" and f.line > 0 for f in privileged)
    assert all(f.resource.startswith("StatefulSet.") for f in privileged)


def test_checkov_unparsable_output_is_an_error() -> None:
    with pytest.raises(ValueError, match="Expecting value"):
        failed_checks("checkov crashed\n")


def test_ansible_lint_codeclimate_issues() -> None:
    issues = codeclimate_issues(_read("ansible-lint-codeclimate.json"))
    latest = next(i for i in issues if i.rule == "package-latest")
    assert latest.path.endswith("roles/common/tasks/main.yml")
    assert latest.line == 57
    assert latest.severity == "error"
    assert codeclimate_issues("") == []
    with pytest.raises(ValueError, match="JSON list"):
        codeclimate_issues('{"not": "a list"}')


def test_terraform_validate_diagnostics() -> None:
    valid, diagnostics = validate_diagnostics(_read("terraform-validate.json"))
    assert valid is False
    [diagnostic] = diagnostics
    assert diagnostic.filename == "../modules/kafka-nodes/main.tf"
    assert diagnostic.line == 13
    assert diagnostic.severity == "error"
    assert 'An argument named "no_such_attribute" is not expected here' in diagnostic.message


def test_terraform_test_failures() -> None:
    [failure] = assertion_failures(_read("terraform-test-failed.txt"))
    assert failure.filename is not None
    assert failure.filename.startswith("tests/") and failure.filename.endswith(".tftest.hcl")
    assert failure.line == 67
    assert failure.message.startswith("Error: Test assertion failed")
    assert "site a must hold 1 controller node(s)" in failure.message


def test_kubernetes_validate_lines() -> None:
    lines = validation_lines(_read("kubernetes-validate.txt"))
    errors = [line for line in lines if line[0] == "ERROR"]
    assert [(level, file) for level, file, _ in errors] == [("ERROR", "k8s/pod.yaml")]
    assert "'notAField' was unexpected" in errors[0][2]
    warnings = [line for line in lines if line[0] == "WARN"]
    assert warnings
    assert all("cert-manager.io/v1" in message for _, _, message in warnings)
    with pytest.raises(ValueError, match="unexpected kubernetes-validate output"):
        validation_lines("Traceback (most recent call last):\n")


def test_yamllint_parsable_lines() -> None:
    lines = parsable_lines(_read("yamllint-parsable.txt"))
    assert ("bad.yaml", 2, "error", "colons", "too many spaces after colon") in lines
    assert ("bad.yaml", 3, "warning", "truthy", "truthy value should be one of [false, true]") in lines
    with pytest.raises(ValueError, match="unexpected yamllint output"):
        parsable_lines("yamllint: error: no such file\n")
