"""Locate the data kgen ships: templates, base blueprints and Kafka's key tables."""

from __future__ import annotations

from pathlib import Path

from kgen.errors import InternalError

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the shipped folder `name` (templates, blueprints or data).

    A wheel carries `templates/` and `blueprints/` inside the package; an editable
    install from a checkout finds them at the repository root instead.
    """
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise InternalError(f"kgen is installed without its {name}/ folder (looked in {_PACKAGE})")
