"""From a file path to a validated blueprint: load, type-check, apply the semantic rules."""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kgen.errors import BlueprintError, Problem
from kgen.loader import Document, PathKey, load_document
from kgen.model import DNS_LABEL, Blueprint
from kgen.rules import run_rules


@dataclass(frozen=True)
class Validated:
    """A blueprint that passed every rule, with its warnings and source map."""

    blueprint: Blueprint
    document: Document
    warnings: tuple[Problem, ...]


def _type_problems(document: Document, error: ValidationError) -> list[Problem]:
    problems: dict[PathKey, str] = {}
    for item in error.errors(include_url=False):
        path = tuple(p for p in item["loc"] if not (isinstance(p, str) and _is_union_member(p)))
        if path in problems and len(path) < len(item["loc"]):
            # One value failed every member of a union: say once what the union accepts.
            problems[path] = _union_message(path, item.get("input"))
            continue
        problems.setdefault(path, _explain(path, item))
    return [document.problem(path, message) for path, message in problems.items()]


def _is_union_member(part: str) -> bool:
    # pydantic names union members in error paths ("str", "int", "list[...]", "function-after[...]").
    return part in {"str", "int", "float", "bool"} or "[" in part


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (date, datetime)):
        return f"a date ({value.isoformat()}); quote it to make it a string"
    return repr(value)


def _union_message(path: PathKey, given: Any) -> str:
    if "config" in path or "pluginConfig" in path:
        return f"a config value is a string, number, true/false or a list of them, not {_shown(given)}"
    return f"{_shown(given)} is not valid here; see `kgen schema` for the accepted types"


def _did_you_mean(path: PathKey) -> str:
    """Suggest a field name for a misspelt one, from the model's own field names."""
    model: Any = Blueprint
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return ""
        inner = [a for a in _flatten(field.annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner:
            return ""
        model = inner[0]
    names = [f.alias or n for n, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(path[-1]), names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}fields here: {', '.join(names)}"


def _flatten(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [x for a in args for x in _flatten(a)]


def _explain(path: PathKey, item: dict[str, Any]) -> str:
    kind, message = item["type"], item["msg"]
    given = item.get("input")
    if kind == "extra_forbidden":
        return f"unknown field; {_did_you_mean(path)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_type" and isinstance(given, float) and path[-1] == "version":
        return f"version {given!r} is a number; quote it, e.g. \"4.1.1\""
    if kind == "string_pattern_mismatch" and isinstance(given, str):
        pattern = str(item.get("ctx", {}).get("pattern", ""))
        if pattern == DNS_LABEL:
            return (f"{given!r} is not a DNS label: use lowercase letters, digits and '-', starting and "
                    "ending with a letter or digit")
        return f"{given!r} does not have the expected form ({pattern})"
    if kind == "model_type" or kind == "model_attributes_type":
        return f"expected a mapping of fields here, not {_shown(given)}"
    return f"{message[0].lower()}{message[1:]} (got {_shown(given)})"


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
