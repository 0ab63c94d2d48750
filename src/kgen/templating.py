"""The one Jinja environment every target renders with."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from kgen.filters import FILTERS
from kgen.resources import resource_dir


@cache
def environment() -> jinja2.Environment:
    """Strict Jinja: undefined names fail, whitespace is predictable, nothing autoescapes.

    Escaping is explicit through the per-language filters in `filters.py`.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - outputs are HCL/YAML/properties, escaped by filters.py
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, **context: Any) -> str:
    """Render `templates/<template>` with `context`."""
    return environment().get_template(template).render(**context)


def static_files(folder: str) -> list[tuple[str, str]]:
    """Every file under `templates/<folder>` that is copied verbatim: (relative path, text)."""
    root = resource_dir("templates") / folder
    return sorted(
        (path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
        for path in root.rglob("*")
        # pip compiles the Python files it installs, and tests import them from the checkout:
        # bytecode caches next to a template are never part of the output.
        if path.is_file() and path.suffix not in (".j2", ".pyc") and "__pycache__" not in path.parts
    )
