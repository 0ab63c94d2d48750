"""Reading Java .properties text back, with line numbers (the inverse of filters.properties_file)."""

from __future__ import annotations

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}


def _unescape(text: str, *, key: bool) -> tuple[str, str]:
    """Decode `text` up to an unescaped separator (for keys); return (decoded, rest)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            if nxt == "u" and index + 6 <= len(text):
                out.append(chr(int(text[index + 2:index + 6], 16)))
                index += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            index += 2
            continue
        if key and char in "=: \t":
            rest = text[index:].lstrip(" \t")
            if rest[:1] in ("=", ":"):
                rest = rest[1:].lstrip(" \t")
            return "".join(out), rest
        out.append(char)
        index += 1
    return "".join(out), ""


def parse_properties(text: str) -> list[tuple[str, str, int]]:
    """(key, value, 1-based line) for every entry, in file order; continuation lines joined."""
    entries: list[tuple[str, str, int]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        logical = lines[index].lstrip(" \t\f")
        index += 1
        if not logical or logical[0] in "#!":
            continue
        while _continues(logical) and index < len(lines):
            logical = logical[:-1] + lines[index].lstrip(" \t\f")
            index += 1
        key, rest = _unescape(logical, key=True)
        value, _ = _unescape(rest, key=False)
        entries.append((key, value, number))
    return entries


def _continues(line: str) -> bool:
    backslashes = len(line) - len(line.rstrip("\\"))
    return backslashes % 2 == 1
