"""What a checker reports: findings, and one result per checker."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASSED = "passed"
FINDINGS = "findings"
NOT_VERIFIED = "not verified"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem a tool found, located in the rendered output."""

    path: str
    line: int
    tool: str
    rule: str
    severity: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports."""
        return asdict(self)


@dataclass(frozen=True)
class CheckResult:
    """One checker's verdict: passed, findings, or not verified (with why and how to fix)."""

    checker: str
    state: str
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    install: str = ""
    seconds: float = 0.0
    cached: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports."""
        return {
            "checker": self.checker, "state": self.state, "reason": self.reason, "install": self.install,
            "seconds": round(self.seconds, 3), "cached": self.cached,
            "findings": [f.to_dict() for f in self.findings],
        }


def verdict(checker: str, findings: list[Finding], seconds: float = 0.0) -> CheckResult:
    """passed when there are no findings, else findings, sorted by file and line."""
    ordered = tuple(sorted(set(findings)))
    return CheckResult(checker, FINDINGS if ordered else PASSED, ordered, seconds=seconds)


def not_verified(checker: str, reason: str, install: str) -> CheckResult:
    """The tool is missing: say why and how to install it."""
    return CheckResult(checker, NOT_VERIFIED, reason=reason, install=install)


def internal_error(checker: str, tool: str, path: str, raw: str) -> Finding:
    """Tool output kgen could not parse: kept whole, never dropped."""
    return Finding(path, 0, tool, "internal-error", "error", f"unparsable output:\n{raw.strip()[-4000:]}")
