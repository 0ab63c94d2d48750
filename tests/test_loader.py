"""The loader: extends merge rules, locations through merges, and the YAML safety limits."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from kgen import loader
from kgen.blueprint import validate_file
from kgen.errors import BlueprintError, Location
from kgen.loader import format_path, load_document, merge, parse_yaml

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    """Write dedented YAML to folder/name and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def plain(value: Any) -> Any:
    """YMap/YList trees as ordinary dicts and lists, for comparisons."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def merged(tmp_path: Path, base: str, over: str) -> Any:
    """merge() of two YAML snippets, as plain data."""
    return plain(
        merge(parse_yaml(write(tmp_path, "base.yaml", base)), parse_yaml(write(tmp_path, "over.yaml", over)))
    )


def only_problem(error: pytest.ExceptionInfo[BlueprintError]) -> Any:
    """The single problem a BlueprintError carries."""
    assert len(error.value.problems) == 1, str(error.value)
    return error.value.problems[0]


# --- merge rules -------------------------------------------------------------------------


def test_maps_merge_key_by_key(tmp_path: Path) -> None:
    result = merged(tmp_path, "a: {x: 1, y: {deep: 1, keep: 2}}\nb: 1\n", "a: {y: {deep: 9}, z: 3}\nc: 2\n")
    assert result == {"a": {"x": 1, "y": {"deep": 9, "keep": 2}, "z": 3}, "b": 1, "c": 2}
    # Base keys keep their order; new keys follow.
    assert list(result) == ["a", "b", "c"]
    assert list(result["a"]) == ["x", "y", "z"]


def test_named_lists_patch_by_name_and_append(tmp_path: Path) -> None:
    base = """\
        clusters:
          - {name: a, region: eu-west-1, brokers: {count: 3, instanceType: m7i.large}}
          - {name: b, region: us-east-1}
        """
    over = """\
        clusters:
          - {name: b, region: eu-central-1}
          - {name: c, region: ap-south-1}
          - {name: a, brokers: {count: 6}}
        """
    assert merged(tmp_path, base, over)["clusters"] == [
        {"name": "a", "region": "eu-west-1", "brokers": {"count": 6, "instanceType": "m7i.large"}},
        {"name": "b", "region": "eu-central-1"},
        {"name": "c", "region": "ap-south-1"},
    ]


@pytest.mark.parametrize(
    ("base", "over", "want"),
    [
        ("l: [1, 2, 3]\n", "l: [4]\n", [4]),
        ("l: [TLSv1.3]\n", "l: []\n", []),
        ("l: [{x: 1}, {x: 2}]\n", "l: [{x: 3}]\n", [{"x": 3}]),
        ("l: [{name: a, x: 1}]\n", "l: [{x: 3}]\n", [{"x": 3}]),
        ("l: [{name: a, x: 1}]\n", "l: [plain]\n", ["plain"]),
        ("l: [{name: a, x: 1}]\n", "l: []\n", []),
    ],
    ids=["scalars", "emptied", "unnamed-maps", "over-unnamed", "over-scalars", "over-empty"],
)
def test_other_lists_replace(tmp_path: Path, base: str, over: str, want: Any) -> None:
    assert merged(tmp_path, base, over)["l"] == want


@pytest.mark.parametrize(
    ("base", "over", "want"),
    [
        ("v: 1\n", "v: 2\n", 2),
        ("v: {a: 1}\n", "v: text\n", "text"),
        ("v: text\n", "v: {a: 1}\n", {"a": 1}),
        ("v: {a: 1}\n", "v:\n", None),
        ("v: [1]\n", "v: {a: 1}\n", {"a": 1}),
    ],
    ids=["scalar", "map-by-scalar", "scalar-by-map", "map-by-null", "list-by-map"],
)
def test_scalars_and_mismatched_kinds_replace(tmp_path: Path, base: str, over: str, want: Any) -> None:
    assert merged(tmp_path, base, over)["v"] == want


def test_later_bases_win_and_the_blueprint_wins_over_all(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", "spec: {environment: dev, pattern: single, dns: {zone: one.internal}}\n")
    write(tmp_path, "two.yaml", "spec: {environment: production, dns: {zone: two.internal}}\n")
    top = write(tmp_path, "top.yaml", "extends: [one.yaml, two.yaml]\nspec: {dns: {zone: top.internal}}\n")
    data = plain(load_document(top).data)
    assert data == {
        "spec": {"environment": "production", "pattern": "single", "dns": {"zone": "top.internal"}}
    }
    assert "extends" not in data


def test_extends_takes_a_single_name_and_shipped_bases(tmp_path: Path) -> None:
    top = write(tmp_path, "top.yaml", "extends: hardened-production\nmetadata: {name: mine}\n")
    document = load_document(top)
    assert document.files == (top, ROOT / "blueprints" / "hardened-production.yaml")
    assert document.data["metadata"]["name"] == "mine"
    assert document.data["spec"]["security"]["tls"]["certificates"]["issuer"] == "platform-ca"


def test_bases_resolve_relative_to_the_file_that_names_them(tmp_path: Path) -> None:
    write(tmp_path, "teams/shared/root.yaml", "spec: {environment: dev}\n")
    write(tmp_path, "teams/team.yaml", "extends: [shared/root.yaml]\nspec: {pattern: single}\n")
    top = write(tmp_path, "top.yaml", "extends: [teams/team.yaml]\n")
    assert plain(load_document(top).data) == {"spec": {"environment": "dev", "pattern": "single"}}


def test_digest_covers_the_bases(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "spec: {environment: dev}\n")
    top = write(tmp_path, "top.yaml", "extends: [base.yaml]\n")
    before = load_document(top).digest
    base.write_text("spec: {environment: production}\n", encoding="utf-8")
    assert load_document(top).digest != before


def test_duplicate_names_in_a_patching_list_are_refused(tmp_path: Path) -> None:
    base = "topics: [{name: a, partitions: 1}]\n"
    over = "topics: [{name: b, partitions: 1}, {name: b, partitions: 2}]\n"
    with pytest.raises(BlueprintError, match="name 'b' is used twice in this list"):
        merged(tmp_path, base, over)


# --- locations survive merging -----------------------------------------------------------


def test_locations_name_the_file_that_set_each_value(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "base.yaml",
        """\
        spec:
          kafka:
            version: "4.1.1"
          clusters:
            - name: main
              region: eu-west-1
              config:
                num.partitions: 3
        """,
    )
    top = write(
        tmp_path,
        "top.yaml",
        """\
        extends: [base.yaml]
        spec:
          clusters:
            - name: main
              region: us-east-1
        """,
    )
    document = load_document(top)
    base_file, top_file = str(base.resolve()), str(top)
    assert document.locate(("spec", "kafka", "version")) == Location(base_file, 3, 14)
    assert document.locate(("spec", "clusters", 0, "region")) == Location(top_file, 5, 15)
    assert document.locate(("spec", "clusters", 0, "config", "num.partitions")) == Location(base_file, 8, 25)
    # A path nobody wrote is located at its nearest written ancestor.
    assert document.locate(("spec", "clusters", 0, "config", "missing")) == Location(base_file, 8, 9)


def test_error_in_a_base_value_names_the_base_file_and_line(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "bases/team.yaml",
        """\
        spec:
          clusters:
            - name: main
              controllers:
                count: 4
        """,
    )
    top = write(
        tmp_path,
        "top.yaml",
        """\
        extends: [bases/team.yaml]
        apiVersion: kgen.dev/v1alpha1
        kind: KafkaBlueprint
        metadata: {name: located}
        spec:
          pattern: single
          kafka: {version: "4.1.1"}
          clusters:
            - name: main
              region: eu-west-1
              sites: [{name: a, zone: eu-west-1a}]
              brokers: {count: 3}
          security:
            tls: {certificates: {issuer: platform-ca}}
            clients: {cidrs: [10.0.0.0/16]}
        """,
    )
    with pytest.raises(BlueprintError) as caught:
        validate_file(top)
    problem = only_problem(caught)
    assert problem.location == Location(str(base.resolve()), 5, 16)
    assert problem.path == "spec.clusters[0].controllers.count"
    assert str(problem).startswith(f"{base.resolve()}:5:16 spec.clusters[0].controllers.count: 4 controllers")


def test_format_path_quotes_dotted_keys() -> None:
    assert format_path(("spec", "clusters", 1, "brokers", "count")) == "spec.clusters[1].brokers.count"
    assert (
        format_path(("spec", "topics", 0, "config", "min.insync.replicas"))
        == 'spec.topics[0].config["min.insync.replicas"]'
    )
    assert format_path(("a", 'we"ird key')) == 'a["we\\"ird key"]'


# --- extends errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "text"),
    [
        ({"top.yaml": "extends: [top.yaml]\n"}, "extends cycle: top.yaml -> top.yaml"),
        (
            {
                "top.yaml": "extends: [a.yaml]\n",
                "a.yaml": "extends: [b.yaml]\n",
                "b.yaml": "extends: [a.yaml]\n",
            },
            "extends cycle",
        ),
        (
            {"top.yaml": "extends: [no-such-base]\n"},
            "unknown base blueprint 'no-such-base'; shipped bases are: dev, " "hardened-production",
        ),
        ({"top.yaml": "extends: [missing.yaml]\n"}, "base blueprint file 'missing.yaml' not found"),
        ({"top.yaml": "extends: {base: a.yaml}\n"}, "extends is a list of base blueprint names or paths"),
        ({"top.yaml": "extends: [[a.yaml]]\n"}, "extends is a list of base blueprint names or paths"),
        ({"top.yaml": "extends: [a.yaml]\n", "a.yaml": "- just\n- a list\n"}, "a blueprint is a mapping"),
    ],
    ids=[
        "self",
        "two-file-cycle",
        "unknown-name",
        "missing-file",
        "not-a-list",
        "nested-list",
        "base-not-a-map",
    ],
)
def test_extends_errors(tmp_path: Path, files: dict[str, str], text: str) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    with pytest.raises(BlueprintError) as caught:
        load_document(tmp_path / "top.yaml")
    assert text in only_problem(caught).message


# --- YAML safety -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\nb: 2\na: 3\n", (3, 1)),
        ("spec:\n  kafka:\n    version: '4.1.1'\n    version: '4.0.0'\n", (4, 5)),
        ("a: {x: 1, x: 2}\n", (1, 11)),
        ("1: one\n'1': also one\n", (2, 1)),
    ],
    ids=["top", "nested", "flow", "int-and-string"],
)
def test_duplicate_keys_are_refused_at_the_second_one(
    tmp_path: Path, text: str, where: tuple[int, int]
) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "dup.yaml", text))
    problem = only_problem(caught)
    assert "duplicate key" in problem.message
    assert (problem.location.line, problem.location.column) == where


def test_aliases_within_budget_load_and_count_their_expansion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "a: &a [1, 2, 3, 4]\nb: *a\nc: *a\n"
    data = parse_yaml(write(tmp_path, "alias.yaml", text))
    assert plain(data) == {"a": [1, 2, 3, 4], "b": [1, 2, 3, 4], "c": [1, 2, 3, 4]}
    # 1 root + 3 keys + (1 list + 4 items) for the anchor and again for each alias: 19 values.
    monkeypatch.setattr(loader, "MAX_NODES", 19)
    parse_yaml(write(tmp_path, "alias.yaml", text))
    monkeypatch.setattr(loader, "MAX_NODES", 18)
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "alias.yaml", text))
    assert only_problem(caught).location.line == 3


def test_alias_bomb_is_refused_where_it_explodes(tmp_path: Path) -> None:
    lines = ['l0: &l0 "lol"'] + [
        f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]" for k in range(1, 10)
    ]
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    problem = only_problem(caught)
    assert "document expands through YAML aliases to more than 1000000 values" in problem.message
    # 10**6 strings are reached inside l6, long before l9 would need 10**9.
    assert problem.location.line == 7


def test_depth_limit(tmp_path: Path) -> None:
    limit = loader.MAX_DEPTH
    parse_yaml(write(tmp_path, "ok.yaml", "[" * limit + "]" * limit + "\n"))
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "deep.yaml", "[" * (limit + 1) + "]" * (limit + 1) + "\n"))
    problem = only_problem(caught)
    assert problem.message == f"nesting is deeper than {limit} levels"
    assert (problem.location.line, problem.location.column) == (1, limit + 1)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system [echo hacked]\n",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a: !!omap [{x: 1}]\n",
        "a: !custom value\n",
        "<<: {a: 1}\n",
    ],
    ids=["python-apply", "python-name", "binary", "set", "omap", "local", "merge-key"],
)
def test_tags_outside_plain_yaml_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "tag.yaml", text))
    problem = only_problem(caught)
    assert "YAML tag" in problem.message
    assert "is not allowed" in problem.message
    assert problem.location.line == 1


def test_plain_tags_and_scalars_load(tmp_path: Path) -> None:
    text = "s: !!str 5\ni: 7\nf: 1.5\nb: true\nn: null\nq: '4.1'\n"
    assert plain(parse_yaml(write(tmp_path, "plain.yaml", text))) == {
        "s": "5",
        "i": 7,
        "f": 1.5,
        "b": True,
        "n": None,
        "q": "4.1",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n---\nb: 2\n", "exactly one YAML document"),
        ("? [a, b]\n: value\n", "mapping keys must be plain strings"),
        ("a: *nowhere\n", "unknown alias *nowhere"),
        ("a: [1, 2\n", "malformed YAML"),
        ("a: 1\n b: 2\n", "malformed YAML"),
    ],
    ids=["two-documents", "complex-key", "unknown-alias", "unclosed", "bad-indent"],
)
def test_yaml_structure_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(write(tmp_path, "bad.yaml", text))
    assert message in only_problem(caught).message


@pytest.mark.parametrize(
    ("raw", "message", "where"),
    [
        (b"a: 1\nb: 2\nc: x\x00y\n", "NUL bytes", (3, 5)),
        (b"a: 1\nb: caf\xe9\n", "not UTF-8", (2, 7)),
        (b"", "file is empty", (1, 1)),
        (b"# only\n   # comments\n\n", "file is empty", (1, 1)),
    ],
    ids=["nul", "latin-1", "empty", "comments"],
)
def test_bytes_that_are_not_a_blueprint(
    tmp_path: Path, raw: bytes, message: str, where: tuple[int, int]
) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(raw)
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(path)
    problem = only_problem(caught)
    assert message in problem.message
    assert (problem.location.line, problem.location.column) == where


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(loader.MAX_FILE_BYTES + 1)  # sparse: no 4 MiB actually written
    with pytest.raises(BlueprintError) as caught:
        parse_yaml(path)
    assert "a blueprint may be at most 4 MiB" in only_problem(caught).message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert plain(parse_yaml(path)) == {"a": 1}
