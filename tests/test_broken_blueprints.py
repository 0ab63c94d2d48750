"""Every broken blueprint gives exit 1 and one located, one-line error, fast and without a traceback.

The committed corpus lives in `tests/blueprints/broken/`. Each file's first line says what
the error must be: `# expect: <yaml.path> | <message substring> [| <file the error names>]`.
An empty YAML path means a loader error (bad bytes, bad YAML), which has none. Inputs too big
or too odd to commit (empty, binary, 10 MB, deep nesting, alias bomb) are generated here.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kgen import rules
from kgen.blueprint import validate_file
from kgen.errors import BlueprintError
from kgen.loader import load_document
from kgen.model import Blueprint

BROKEN = Path(__file__).resolve().parent / "blueprints" / "broken"
CORPUS = sorted(BROKEN.glob("*.yaml"))
RULE_NAMES = {rule.__name__ for rule in rules.RULES}
# Rules that only ever warn; every other rule can refuse a blueprint and needs a corpus file.
WARNING_ONLY_RULES = {"topic_name_collision", "waivers_reported", "client_peers_given",
                      "release_checksum_given", "mirrormaker_nodes_without_rest"}
TIME_LIMIT_SECONDS = 2.0
# `file:line:col`, then ` yaml.path: message` or, for loader errors, `: message`.
ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)(?P<rest>[ :].*)$")

# Inputs that crash (exit 3) or misreport today. strict: fixing the bug fails the test,
# so the entry is then removed and the case joins the ordinary corpus.
KNOWN_BUGS: dict[str, str] = {}


@dataclass(frozen=True)
class Expected:
    """What the one error line must say; yaml_path None accepts any path."""

    yaml_path: str | None
    message: str
    file: Path


def _expected(path: Path) -> Expected:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), f"{path.name} must start with '# expect: <path> | <message>'"
    parts = [part.strip() for part in first.removeprefix("# expect:").split(" | ")]
    assert len(parts) in (2, 3), f"{path.name}: malformed expect line {first!r}"
    file = BROKEN / parts[2] if len(parts) == 3 else path
    return Expected(parts[0], parts[1], file)


@dataclass(frozen=True)
class Run:
    """One `kgen validate` run."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _validate(path: Path) -> Run:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kgen.cli", "validate", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    seconds = time.monotonic() - started
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        seconds,
    )


def _assert_one_located_error(path: Path, expected: Expected) -> None:
    run = _validate(path)
    output = run.stdout + run.stderr
    assert "Traceback" not in output
    assert run.returncode == 1, f"exit {run.returncode}, want 1 (user error):\n{output}"
    lines = run.stderr.splitlines()
    assert len(lines) == 1, "want exactly one error line, got:\n" + run.stderr
    assert run.stdout == ""
    match = ERROR_LINE.match(lines[0])
    assert match, f"error does not start with file:line:col: {lines[0]!r}"
    named = Path(match["file"])
    assert named.resolve() == expected.file.resolve(), f"error names {named}, want {expected.file}"
    line, col = int(match["line"]), int(match["col"])
    # Byte lengths bound both byte columns (bad encodings) and character columns (YAML).
    lines_of_file = expected.file.read_bytes().split(b"\n")
    assert 1 <= line <= len(lines_of_file), f"line {line} is outside {named.name}"
    assert (
        1 <= col <= len(lines_of_file[line - 1]) + 1
    ), f"column {col} is outside line {line} of {named.name}"
    rest = match["rest"]
    if expected.yaml_path is None:
        pass
    elif expected.yaml_path:
        assert rest.startswith(f" {expected.yaml_path}: "), f"want YAML path {expected.yaml_path}: {rest!r}"
        if expected.file != path:
            # An error set by a base names the line in the base that wrote the value.
            key = _last_key(expected.yaml_path).encode()
            assert key in lines_of_file[line - 1], f"line {line} of {named.name} does not set {key!r}"
    else:
        assert rest.startswith(": "), f"loader error should carry no YAML path: {rest!r}"
    assert expected.message in rest
    timings = [run.seconds]
    while min(timings) >= TIME_LIMIT_SECONDS and len(timings) < 3:
        # Retry: on a busy machine interpreter start-up alone can take a second; the best of
        # three runs measures kgen, not the neighbours.
        timings.append(_validate(path).seconds)
    assert min(timings) < TIME_LIMIT_SECONDS, f"took {', '.join(f'{t:.2f}' for t in timings)} s"


def _last_key(yaml_path: str) -> str:
    """The last key of `spec.a[0].b` or `spec.config["x.y"]`: b, x.y."""
    if yaml_path.endswith('"]'):
        return yaml_path.rsplit('["', 1)[1].removesuffix('"]')
    return yaml_path.rsplit(".", 1)[-1].split("[", 1)[0]


def _case(path: Path) -> object:
    marks = [pytest.mark.xfail(reason=KNOWN_BUGS[path.stem], strict=True)] if path.stem in KNOWN_BUGS else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(p) for p in CORPUS])
def test_broken_blueprint_gives_one_located_error(path: Path) -> None:
    _assert_one_located_error(path, _expected(path))


# --- generated inputs ------------------------------------------------------------------

_VALID_HEAD = "apiVersion: kgen.dev/v1alpha1\nkind: KafkaBlueprint\nmetadata: {name: big}\n"


def _garbage() -> bytes:
    rng = random.Random(20261127)  # noqa: S311 - fixed, reproducible test bytes
    data = bytearray(rng.randrange(256) for _ in range(4096))
    data[100] = 0  # a NUL somewhere in the middle, whatever the seed gives
    return bytes(data)


def _ten_megabytes() -> bytes:
    line = b"# " + b"x" * 97 + b"\n"
    return _VALID_HEAD.encode() + line * (10_000_000 // len(line) + 1)


def _alias_bomb() -> bytes:
    # Billion laughs: ten levels of ten aliases each expand to 10**9 strings.
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{k}: &lol{k} [" + ", ".join([f"*lol{k - 1}"] * 10) + "]" for k in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


def _deep_alias_nesting() -> bytes:
    # Each anchor is 50 levels deep and holds the previous one: no single run of brackets
    # passes the depth limit, but the expanded document is 1,250 levels deep.
    lines = ["a0: &a0 " + "[" * 50 + "x" + "]" * 50]
    lines += [f"a{k}: &a{k} " + "[" * 50 + f"*a{k - 1}" + "]" * 50 for k in range(1, 25)]
    return ("\n".join(lines) + "\n").encode()


def _extends(name: str) -> bytes:
    return (f'extends: ["{name}"]\n' + _VALID_HEAD).encode()


# name -> (content, expected YAML path ("" for none, None for any), message substring)
GENERATED: dict[str, tuple[Callable[[], bytes], str | None, str]] = {
    "empty_file": (lambda: b"", "", "file is empty"),
    "comments_only": (lambda: b"# a blueprint\n\n   # still nothing\n", "", "file is empty"),
    "binary_garbage": (_garbage, "", "NUL bytes"),
    "invalid_utf8": (
        lambda: b"apiVersion: kgen.dev/v1alpha1\nkind: \xc3\x28KafkaBlueprint\n",
        "",
        "not UTF-8",
    ),
    "utf16_file": (lambda: _VALID_HEAD.encode("utf-16"), "", "NUL bytes"),
    "ten_megabytes": (_ten_megabytes, "", "a blueprint may be at most 4 MiB"),
    "deep_nesting_sequences": (lambda: b"[" * 10_000, None, "nesting is deeper than 64 levels"),
    "deep_nesting_mappings": (lambda: b"a: " + b"{a: " * 10_000, None, "nesting is deeper than 64 levels"),
    "alias_bomb": (_alias_bomb, None, "document expands through YAML aliases to more than 1000000 values"),
    "control_character": (
        lambda: b"apiVersion: kgen.dev/v1alpha1\nkind: Kafka\x07Blueprint\n",
        "",
        "control characters are not allowed",
    ),
    "deep_alias_nesting": (_deep_alias_nesting, None, "nesting is deeper than 64 levels"),
    "extends_name_too_long": (lambda: _extends("x" * 5000 + ".yaml"), "extends", ""),
    "extends_name_with_nul": (lambda: _extends("base\\0.yaml"), "extends", ""),
}


def _generated_case(name: str) -> object:
    marks = [pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True)] if name in KNOWN_BUGS else []
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", [_generated_case(n) for n in GENERATED])
def test_generated_input_gives_one_located_error(name: str, tmp_path: Path) -> None:
    make, yaml_path, message = GENERATED[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(make())
    _assert_one_located_error(path, Expected(yaml_path, message, path))


def test_generated_garbage_is_deterministic() -> None:
    assert _garbage() == _garbage()
    assert b"\x00" in _garbage()


# --- the corpus itself -----------------------------------------------------------------


def test_every_error_rule_has_a_corpus_file() -> None:
    assert WARNING_ONLY_RULES <= RULE_NAMES, "a warning-only rule was renamed or removed"
    missing = sorted(n for n in RULE_NAMES - WARNING_ONLY_RULES if not (BROKEN / f"{n}.yaml").is_file())
    assert not missing, f"rules without a broken blueprint in {BROKEN}: {missing}"


def test_corpus_has_at_least_40_cases() -> None:
    working = [p for p in CORPUS if p.stem not in KNOWN_BUGS]
    assert len(working) >= 40
    assert len(working) + len(set(GENERATED) - set(KNOWN_BUGS)) >= 50


@pytest.mark.parametrize("name", sorted(RULE_NAMES - WARNING_ONLY_RULES))
def test_rule_file_trips_only_its_rule(name: str) -> None:
    """The corpus file named after a rule fails on that rule alone, not on a neighbour."""
    with pytest.raises(BlueprintError) as caught:
        validate_file(BROKEN / f"{name}.yaml")
    assert len(caught.value.problems) == 1
    rule = next(r for r in rules.RULES if r.__name__ == name)
    document = load_document(BROKEN / f"{name}.yaml")
    own = [p for p in rule(Blueprint.model_validate(document.data), document) if p.severity == "error"]
    assert own == caught.value.problems
