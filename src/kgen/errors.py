"""The error hierarchy and the exit codes kgen's CLI returns."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_FINDINGS = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, order=True)
class Location:
    """Where a value was written: file, 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class KgenError(Exception):
    """Base of every error kgen raises on purpose."""


class InternalError(KgenError):
    """A bug in kgen itself; exit code 3."""


class UserError(KgenError):
    """Something the user can fix; exit code 1."""


@dataclass(frozen=True)
class Problem:
    """One blueprint problem: where, which YAML path, and what would be valid."""

    location: Location
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.location}{where}: {prefix}{self.message}"


class BlueprintError(UserError):
    """One or more problems in a blueprint; each names file:line:col and YAML path."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.location, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(UserError):
    """The output directory cannot be written as asked."""


class ToolError(UserError):
    """An external tool failed in a way the user must fix."""
