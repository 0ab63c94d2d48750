"""The field reference in docs/blueprint.md, generated from the model so the two agree."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from kgen.model import Blueprint

BEGIN = "<!-- BEGIN FIELD REFERENCE: generated from src/kgen/model.py by tests/test_docs.py --update-golden -->"
END = "<!-- END FIELD REFERENCE -->"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return "map"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {str: "string", int: "integer", bool: "boolean", float: "number"}.get(annotation, str(annotation))


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "see below"
    return f"`{json.dumps(value)}`"


def _example(examples: list[Any], path: list[str], field: Any) -> str:
    candidates = [_lookup(document, path) for document in examples] + list(field.examples or [])
    for found in candidates:
        if found is not None:
            text = json.dumps(found)
            return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"
    return ""


def _lookup(value: Any, path: list[str]) -> Any:
    for part in path:
        if isinstance(value, list):
            value = next((_lookup(item, [part]) for item in value if _lookup(item, [part]) is not None), None)
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


def _walk(model: type[BaseModel], prefix: list[str], examples: list[Any], rows: list[str]) -> None:
    for name, field in model.model_fields.items():
        alias = field.alias or name
        path = [*prefix, alias]
        shown = ".".join(path)
        rows.append(f"| `{shown}` | {_type_name(field.annotation)} | {_default(field)} | "
                    f"{_example(examples, path, field)} | {field.description or ''} |")
        for child in _models_in(field.annotation):
            _walk(child, path, examples, rows)


def field_reference(example_dir: Path) -> str:
    """A Markdown table of every blueprint field: type, default, an example and meaning."""
    examples = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(example_dir.glob("*.yaml"))]
    examples += [yaml.safe_load(p.read_text(encoding="utf-8"))
                 for p in sorted((example_dir.parent / "blueprints").glob("*.yaml"))]
    rows = ["| field | type | default | example | meaning |", "|---|---|---|---|---|"]
    _walk(Blueprint, [], examples, rows)
    rows.append("| `extends` | string or list of string | `[]` | `[\"hardened-production\"]` | "
                "Base blueprints: names from kgen's blueprints/ or paths relative to this file. |")
    return "\n".join([BEGIN, *rows, END]) + "\n"
