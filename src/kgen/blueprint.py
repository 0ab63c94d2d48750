"""From a file path to a validated blueprint: load, type-check, apply the semantic rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kgen.errors import BlueprintError, Problem
from kgen.loader import Document, load_document
from kgen.model import Blueprint
from kgen.rules import run_rules


@dataclass(frozen=True)
class Validated:
    """A blueprint that passed every rule, with its warnings and source map."""

    blueprint: Blueprint
    document: Document
    warnings: tuple[Problem, ...]


def _type_problems(document: Document, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        path = tuple(p for p in item["loc"] if not (isinstance(p, str) and _is_union_tag(p)))
        problems.append(document.problem(path, _explain(item)))
    return problems


def _is_union_tag(part: str) -> bool:
    # pydantic names union members in error paths ("str", "list[str]", "function-after[...]").
    return part in {"str", "int", "float", "bool", "list[union[bool,int,float,str]]"} or "[" in part


def _explain(item: dict[str, Any]) -> str:
    kind, message = item["type"], item["msg"]
    given = item.get("input")
    if kind == "extra_forbidden":
        return "unknown field; see docs/blueprint.md or `kgen schema` for the fields allowed here"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch" and isinstance(given, str):
        return f"{given!r} is not valid here: {message.lower()}"
    shown = repr(given) if not isinstance(given, (dict, list)) else type(given).__name__
    return f"{message[0].lower()}{message[1:]} (got {shown})"


def validate_file(path: Path) -> Validated:
    """Load `path` with its bases and return it validated, or raise BlueprintError."""
    document = load_document(path)
    try:
        blueprint = Blueprint.model_validate(document.data)
    except ValidationError as exc:
        raise BlueprintError(_type_problems(document, exc)) from None
    problems = run_rules(blueprint, document)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise BlueprintError(errors)
    return Validated(blueprint, document, tuple(p for p in problems if p.severity != "error"))
