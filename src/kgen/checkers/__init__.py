"""The real checkers `kgen check` runs over a rendered output directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kgen.findings import CheckResult


@dataclass(frozen=True)
class Output:
    """A rendered output directory, and how to show its paths to the user."""

    root: Path
    shown: str

    def display(self, path: Path | str) -> str:
        """`path` (absolute, or relative to root) as the user should read it."""
        relative = Path(path)
        if relative.is_absolute():
            try:
                relative = relative.relative_to(self.root)
            except ValueError:
                return str(path)
        return (Path(self.shown) / relative).as_posix()


class Checker(Protocol):
    """One real tool (or kgen's own rules) applied to a rendered output."""

    name: str

    def applies(self, output: Output) -> bool:
        """True when the output holds something this checker checks."""

    def tool_version(self) -> str | None:
        """A cheap fingerprint of the tool (for the cache), or None when it is missing."""

    def install_hint(self) -> str:
        """How to install the tool."""

    def check(self, output: Output) -> CheckResult:
        """Run the tool and return its findings."""
