"""Rendered files, as values: targets return them and only the writer touches disk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Artifact:
    """One output file: a POSIX path relative to the output directory, and its text."""

    path: str
    content: str
    executable: bool = False
