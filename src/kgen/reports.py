"""Check reports: text, JSON, JUnit XML and SARIF 2.1.0."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from kgen import __version__
from kgen.findings import FINDINGS, NOT_VERIFIED, CheckResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text(results: list[CheckResult], strict: bool) -> str:
    """Findings sorted by file and line, then a summary table with one state per checker."""
    lines = []
    for finding in sorted(f for r in results for f in r.findings):
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        lines.append(f"{where}: {finding.severity}: [{finding.tool} {finding.rule}] {finding.message}")
    if lines:
        lines.append("")
    width = max([len(r.checker) for r in results] + [7])
    lines.append(f"{'checker':<{width}}  state          detail")
    for result in sorted(results, key=lambda r: r.checker):
        if result.state == NOT_VERIFIED:
            detail = f"{result.reason}; install: {result.install}"
        elif result.state == FINDINGS:
            detail = f"{len(result.findings)} finding(s)"
        else:
            detail = "cached" if result.cached else f"{result.seconds:.1f}s"
        lines.append(f"{result.checker:<{width}}  {result.state:<13}  {detail}")
    if strict and any(r.state == NOT_VERIFIED for r in results):
        lines.append("strict: a checker that did not run counts as a failure")
    return "\n".join(lines) + "\n"


def as_json(results: list[CheckResult]) -> str:
    """Every result and finding as JSON."""
    return json.dumps({"kgenVersion": __version__, "results": [r.to_dict() for r in
                                                              sorted(results, key=lambda r: r.checker)]},
                      indent=2, sort_keys=True) + "\n"


def junit(results: list[CheckResult]) -> str:
    """JUnit XML: one testsuite per checker, one testcase per finding (or one passing case)."""
    suites = ET.Element("testsuites", name="kgen check")
    for result in sorted(results, key=lambda r: r.checker):
        suite = ET.SubElement(suites, "testsuite", name=result.checker, time=f"{result.seconds:.3f}")
        failures = skipped = 0
        if result.state == NOT_VERIFIED:
            case = ET.SubElement(suite, "testcase", classname=result.checker, name="not verified")
            ET.SubElement(case, "skipped", message=f"{result.reason}; install: {result.install}")
            skipped = 1
        elif not result.findings:
            ET.SubElement(suite, "testcase", classname=result.checker, name="all files")
        for finding in result.findings:
            where = f"{finding.path}:{finding.line}" if finding.line else finding.path
            case = ET.SubElement(suite, "testcase", classname=f"{result.checker}.{finding.rule}", name=where,
                                 file=finding.path)
            failure = ET.SubElement(case, "failure", message=finding.message.splitlines()[0][:500],
                                    type=finding.rule)
            failure.text = finding.message
            failures += 1
        tests = max(len(result.findings), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning"}.get(severity, "note")


def sarif(results: list[CheckResult]) -> str:
    """SARIF 2.1.0, one run per checker; paths are as given on the command line (repo-relative in CI)."""
    runs = []
    for result in sorted(results, key=lambda r: r.checker):
        rules = sorted({f.rule for f in result.findings})
        run = {
            "tool": {"driver": {
                "name": f"kgen/{result.checker}", "version": __version__,
                "informationUri": "https://github.com/kgen-dev/kgen",
                "rules": [{"id": rule, "shortDescription": {"text": rule}} for rule in rules],
            }},
            "results": [{
                "ruleId": f.rule,
                "ruleIndex": rules.index(f.rule),
                "level": _level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.path},
                    **({"region": {"startLine": f.line}} if f.line else {}),
                }}],
            } for f in result.findings],
        }
        if result.state == NOT_VERIFIED:
            run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": [
                {"level": "error", "message": {"text": f"not verified: {result.reason}"}}]}]
        else:
            run["invocations"] = [{"executionSuccessful": True}]
        runs.append(run)
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}, indent=2) + "\n"
