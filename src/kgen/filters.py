"""One escaping filter per output language, so no user string reaches a template raw."""

from __future__ import annotations

import json
import re
from typing import Any

_HCL_IDENT = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]*$")
_SAFE_SHELL = re.compile(r"^[A-Za-z0-9@%+=:,./_-]+$")


def hcl_string(value: Any) -> str:
    """A quoted HCL string; escapes quotes, backslashes and template sequences."""
    text = str(value)
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    text = text.replace("\t", "\\t").replace("${", "$${").replace("%{", "%%{")
    return f'"{text}"'


def hcl_ident(value: Any) -> str:
    """An HCL identifier (resource or module name); refuses anything else."""
    text = str(value).replace("-", "_")
    if not _HCL_IDENT.match(text):
        raise ValueError(f"{value!r} cannot be an HCL identifier")
    return text


def hcl_value(value: Any) -> str:
    """Any plain value (str, number, bool, list, map) as an HCL expression."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{hcl_string(k)} = {hcl_value(v)}" for k, v in value.items()) + " }"
    return hcl_string(value)


def yaml_scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly this value (JSON is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def properties_escape(text: str, *, key: bool) -> str:
    """Escape text for a Java .properties file so it reads back unchanged."""
    out = []
    for index, char in enumerate(str(text)):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif (char in "=:" and key) or (char in "#!" and index == 0):
            out.append("\\" + char)
        elif char == " " and (key or index == 0):
            out.append("\\ ")
        elif ord(char) > 126 or ord(char) < 32:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def properties_value(value: Any) -> str:
    """A Java .properties value."""
    return properties_escape(str(value), key=False)


def properties_file(props: dict[str, str], header: str = "") -> str:
    """A whole .properties file, keys in the given order, one `key=value` a line."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"{properties_escape(k, key=True)}={properties_value(v)}" for k, v in props.items()]
    return "\n".join(lines) + "\n"


def shell_word(value: Any) -> str:
    """A single shell word; anything outside a conservative set is single-quoted."""
    text = str(value)
    if _SAFE_SHELL.match(text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


FILTERS = {
    "hcl_string": hcl_string,
    "hcl_ident": hcl_ident,
    "hcl_value": hcl_value,
    "yaml_scalar": yaml_scalar,
    "properties_value": properties_value,
    "shell_word": shell_word,
}
