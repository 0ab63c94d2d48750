"""Read blueprint YAML safely, remember where every value was written, and apply `extends`.

PyYAML's composer is recursive and expands aliases eagerly, so a hostile file can
exhaust the stack or memory. This module builds the document itself from parser
events, with limits on file size, nesting depth and alias expansion, and records the
file, line and column of every value so that later errors can point at them.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kgen.errors import BlueprintError, Location, Problem
from kgen.resources import resource_dir

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000

_YamlParser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}

PathKey = tuple[str | int, ...]


class YMap(dict[str, Any]):
    """A mapping that remembers where each of its values was written."""

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.locs: dict[str, Location] = {}


class YList(list[Any]):
    """A sequence that remembers where each of its items was written."""

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.locs: list[Location] = []


def format_path(path: PathKey) -> str:
    """Render a YAML path as users read it: spec.clusters[1].config["a.b"]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("-", "").replace("_", "").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{_quote(part)}]"
    return out


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Document:
    """A merged blueprint with the location of every value in it."""

    data: YMap
    positions: dict[PathKey, Location]
    files: tuple[Path, ...]
    digest: str

    def locate(self, path: PathKey) -> Location:
        """The location of `path`, or of its nearest written ancestor."""
        probe = tuple(path)
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.data.loc

    def problem(self, path: PathKey, message: str, severity: str = "error") -> Problem:
        """A problem at `path`, located where its value was written."""
        return Problem(self.locate(path), format_path(path), message, severity)


def _fail(loc: Location, message: str, path: str = "") -> BlueprintError:
    return BlueprintError([Problem(loc, path, message)])


def _read_text(path: Path) -> str:
    name = str(path)
    start = Location(name, 1, 1)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(start, f"file is {size / 1048576:.1f} MiB; a blueprint may be at most "
                        f"{MAX_FILE_BYTES // 1048576} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(start, f"cannot read blueprint: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise _fail(_offset_location(name, raw, raw.index(b"\x00")),
                    "file contains NUL bytes; a blueprint is UTF-8 YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(_offset_location(name, raw, exc.start),
                    "file is not UTF-8 text; a blueprint is UTF-8 YAML") from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _fail(start, "file is empty; a blueprint starts with 'apiVersion: kgen.dev/v1alpha1'")
    return text


def _offset_location(name: str, raw: bytes, offset: int) -> Location:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Location(name, line, column)


@dataclass
class _Frame:
    """An open mapping or sequence while building."""

    container: YMap | YList
    path: PathKey
    started: int
    anchor: str | None
    key: str | None = None
    height: int = 0


class _Builder:
    """Builds YMap/YList trees from parser events with explicit limits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.aliases_used = False
        self.nodes = 0
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.have_root = False

    def fail(self, event: Any, message: str) -> BlueprintError:
        mark = event.start_mark
        return _fail(Location(self.name, mark.line + 1, mark.column + 1), message,
                     format_path(self.here()))

    def here(self) -> PathKey:
        """The YAML path of the value being read."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, YList):
            return (*frame.path, len(frame.container))
        return (*frame.path, frame.key) if frame.key is not None else frame.path

    def loc(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.name, mark.line + 1, mark.column + 1)

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _SAFE_TAGS:
            raise self.fail(event, f"YAML tag {tag!r} is not allowed; write plain values")
        if tag == "tag:yaml.org,2002:str":
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return self.constructor.yaml_constructors[tag](self.constructor, node)
        except (yaml.YAMLError, ValueError) as exc:
            raise self.fail(event, f"invalid {tag.rsplit(':', 1)[-1]} value {event.value!r}") from exc

    def count(self, event: Any, amount: int = 1) -> None:
        self.nodes += amount
        if self.nodes > MAX_NODES:
            why = " through YAML aliases" if self.aliases_used else ""
            raise self.fail(event, f"document expands{why} to more than {MAX_NODES} values; "
                            "split it, or use `extends` to share settings")

    def add(self, event: Any, value: Any, height: int) -> None:
        if len(self.stack) + height > MAX_DEPTH:
            raise self.fail(event, f"nesting is deeper than {MAX_DEPTH} levels")
        if not self.stack:
            self.root, self.have_root = value, True
            return
        frame = self.stack[-1]
        frame.height = max(frame.height, height)
        loc = self.loc(event)
        if isinstance(frame.container, YList):
            frame.container.append(value)
            frame.container.locs.append(loc)
            return
        if frame.key is None:
            if isinstance(value, (YMap, YList)) or value is None:
                raise self.fail(event, "mapping keys must be plain strings")
            key = value if isinstance(value, str) else str(value)
            if key in frame.container:
                frame.key = key
                raise self.fail(event, f"duplicate key {key!r}; each key may appear once")
            frame.key = key
            return
        frame.container[frame.key] = value
        frame.container.locs[frame.key] = loc
        frame.key = None

    def build(self, events: Iterator[Any]) -> Any:
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.fail(event, "a blueprint file holds exactly one YAML document")
            elif isinstance(event, yaml.ScalarEvent):
                self.count(event)
                value = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1, 0)
                self.add(event, value, 0)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                self.count(event)
                if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                    raise self.fail(event, f"YAML tag {event.tag!r} is not allowed")
                loc = self.loc(event)
                container: YMap | YList = (
                    YMap(loc) if isinstance(event, yaml.MappingStartEvent) else YList(loc)
                )
                path = self.here()
                self.add(event, container, 1)
                self.stack.append(_Frame(container, path, self.nodes, event.anchor))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = self.stack.pop()
                if self.stack:
                    parent = self.stack[-1]
                    parent.height = max(parent.height, frame.height + 1)
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.container, self.nodes - frame.started + 1,
                                                  frame.height + 1)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in self.anchors:
                    raise self.fail(event, f"unknown alias *{event.anchor}")
                self.aliases_used = True
                value, size, height = self.anchors[event.anchor]
                self.count(event, size)
                self.add(event, value, height)
        if not self.have_root:
            raise _fail(Location(self.name, 1, 1), "file is empty; a blueprint starts with "
                        "'apiVersion: kgen.dev/v1alpha1'")
        return self.root


def parse_yaml(path: Path) -> Any:
    """Parse one YAML file into YMap/YList values with locations."""
    text = _read_text(path)
    builder = _Builder(str(path))
    # The tree is acyclic and short-lived garbage is rare here; pausing the cycle
    # collector keeps parsing linear in the file size.
    paused = gc.isenabled()
    gc.disable()
    try:
        return builder.build(yaml.parse(text, Loader=_YamlParser))
    except yaml.reader.ReaderError as exc:
        raw = text.encode("utf-8")
        loc = _offset_location(str(path), raw, len(text[: exc.position].encode("utf-8")))
        raise _fail(loc, f"control characters are not allowed in YAML text (found U+{exc.character:04X})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path), 1, 1)
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise _fail(loc, f"malformed YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise _fail(Location(str(path), 1, 1), f"malformed YAML: {exc}") from None
    finally:
        if paused:
            gc.enable()


def merge(base: Any, over: Any) -> Any:
    """Merge `over` onto `base` by the documented `extends` rules.

    Maps merge key by key. A list whose items all have a `name` patches the base
    items of the same name and appends new ones; any other list replaces the base.
    Scalars replace. Locations travel with the values, so errors point at the file
    that set a value.
    """
    if isinstance(base, YMap) and isinstance(over, YMap):
        merged = YMap(over.loc)
        for key in list(base) + [k for k in over if k not in base]:
            if key in over and key in base:
                merged[key] = merge(base[key], over[key])
                merged.locs[key] = over.locs[key]
            elif key in over:
                merged[key], merged.locs[key] = over[key], over.locs[key]
            else:
                merged[key], merged.locs[key] = base[key], base.locs[key]
        return merged
    if isinstance(base, YList) and isinstance(over, YList) and _named(base) and _named(over):
        merged_list = YList(over.loc)
        patches: dict[str, tuple[Any, Location]] = {}
        for item, loc in zip(over, over.locs, strict=True):
            if item["name"] in patches:
                raise _fail(loc, f"name {item['name']!r} is used twice in this list; names are unique")
            patches[item["name"]] = (item, loc)
        for item, loc in zip(base, base.locs, strict=True):
            if item["name"] in patches:
                patch, patch_loc = patches.pop(item["name"])
                merged_list.append(merge(item, patch))
                merged_list.locs.append(patch_loc)
            else:
                merged_list.append(item)
                merged_list.locs.append(loc)
        for patch, patch_loc in patches.values():
            merged_list.append(patch)
            merged_list.locs.append(patch_loc)
        return merged_list
    return over


def _named(items: YList) -> bool:
    return bool(items) and all(isinstance(i, YMap) and isinstance(i.get("name"), str) for i in items)


def _positions(value: Any, path: PathKey, out: dict[PathKey, Location]) -> None:
    if isinstance(value, YMap):
        for key, item in value.items():
            out[(*path, key)] = value.locs[key]
            _positions(item, (*path, key), out)
    elif isinstance(value, YList):
        for index, item in enumerate(value):
            out[(*path, index)] = value.locs[index]
            _positions(item, (*path, index), out)


def _resolve_base(name: str, loc: Location, relative_to: Path) -> Path:
    if len(name) > 255 or not name.isprintable() or not name:
        raise _fail(loc, "a base blueprint is a name like hardened-production or a relative path "
                    "of at most 255 printable characters", "extends")
    if "/" in name or name.endswith((".yaml", ".yml")):
        try:
            candidate = (relative_to.parent / name).resolve()
            found = candidate.is_file()
        except (OSError, ValueError):
            found = False
        if found:
            return _shown(candidate)
        raise _fail(loc, f"base blueprint file {name!r} not found next to {relative_to.name}",
                    "extends")
    shipped = resource_dir("blueprints")
    candidate = shipped / f"{name}.yaml"
    if re.fullmatch(r"[a-z0-9][-a-z0-9]*", name) and candidate.is_file():
        return candidate
    names = sorted(p.stem for p in shipped.glob("*.yaml"))
    raise _fail(loc, f"unknown base blueprint {name!r}; shipped bases are: {', '.join(names)}, "
                "or give a relative path ending in .yaml", "extends")


def _shown(path: Path) -> Path:
    """A base file as users should read it: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load_with_bases(path: Path, chain: tuple[Path, ...]) -> tuple[YMap, list[Path]]:
    root = parse_yaml(path)
    if not isinstance(root, YMap):
        raise _fail(Location(str(path), 1, 1),
                    "a blueprint is a mapping with apiVersion, kind, metadata and spec")
    extends = root.get("extends", [])
    ext_loc = root.locs.get("extends", root.loc)
    if isinstance(extends, str):
        extends = YList(ext_loc)
        extends.append(root["extends"])
        extends.locs.append(ext_loc)
    if not isinstance(extends, list) or not all(isinstance(e, str) for e in extends):
        raise _fail(ext_loc, "extends is a list of base blueprint names or paths", "extends")
    merged: YMap | None = None
    files = [path]
    for name, loc in zip(extends, getattr(extends, "locs", [ext_loc] * len(extends)), strict=True):
        base_path = _resolve_base(name, loc, path)
        seen = [p.resolve() for p in (*chain, path)]
        if base_path.resolve() in seen:
            names = " -> ".join(p.name for p in (*chain, path, base_path))
            raise _fail(loc, f"extends cycle: {names}; a base cannot extend itself", "extends")
        base, base_files = _load_with_bases(base_path, (*chain, path))
        files.extend(base_files)
        merged = base if merged is None else merge(merged, base)
    own = YMap(root.loc)
    for key, value in root.items():
        if key != "extends":
            own[key], own.locs[key] = value, root.locs[key]
    result = own if merged is None else merge(merged, own)
    return result, files


def load_document(path: Path) -> Document:
    """Load a blueprint, apply its bases, and index every value's location."""
    data, files = _load_with_bases(path, ())
    positions: dict[PathKey, Location] = {}
    _positions(data, (), positions)
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.name).encode())
        digest.update(file.read_bytes())
    return Document(data, positions, tuple(files), digest.hexdigest())
