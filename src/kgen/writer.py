"""The only module that writes kgen's output to disk: atomically, with a manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kgen import __version__
from kgen.artifacts import Artifact
from kgen.errors import InternalError, RenderError

MANIFEST = "kgen-manifest.json"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_artifact(artifacts: list[Artifact], blueprint: str, blueprint_sha256: str,
                      kafka_version: str, identity: dict[str, dict[str, object]]) -> Artifact:
    """The manifest: kgen version, blueprint hash, Kafka version, every file with its sha256,
    and each cluster's identity (cluster id and node ids), which a later render must keep."""
    body = {
        "kgenVersion": __version__,
        "blueprint": blueprint,
        "blueprintSha256": blueprint_sha256,
        "kafkaVersion": kafka_version,
        "identity": identity,
        "files": {a.path: _sha256(a.content) for a in sorted(artifacts)},
    }
    return Artifact(MANIFEST, json.dumps(body, indent=2, sort_keys=True) + "\n")


def identity_changes(outdir: Path, identity: dict[str, dict[str, object]]) -> list[str]:
    """How `identity` would change what the manifest in `outdir` recorded: cluster ids and
    node ids that differ. Kafka refuses to start a formatted node under another id."""
    manifest = outdir / MANIFEST
    try:
        before = json.loads(manifest.read_text(encoding="utf-8")).get("identity") or {}
    except (OSError, ValueError, AttributeError):
        return []
    changes = []
    for cluster, old in sorted(before.items()):
        new = identity.get(cluster)
        if new is None:
            continue
        if old.get("clusterId") != new["clusterId"]:
            changes.append(f"cluster {cluster}: cluster id {old.get('clusterId')} -> {new['clusterId']}")
        new_nodes: dict[str, object] = new["nodes"]  # type: ignore[assignment]
        for node, node_id in sorted((old.get("nodes") or {}).items()):
            if node in new_nodes and new_nodes[node] != node_id:
                changes.append(f"node {node}: node.id {node_id} -> {new_nodes[node]}")
    return changes


def _check_paths(artifacts: list[Artifact]) -> None:
    seen: set[str] = set()
    for artifact in artifacts:
        path = PurePosixPath(artifact.path)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise InternalError(f"a target produced an unsafe path: {artifact.path!r}")
        if artifact.path in seen:
            raise InternalError(f"two artifacts share the path {artifact.path!r}")
        seen.add(artifact.path)


def _existing_files(outdir: Path) -> set[str]:
    return {p.relative_to(outdir).as_posix() for p in outdir.rglob("*") if p.is_file() or p.is_symlink()}


def _generated_before(outdir: Path) -> set[str] | None:
    manifest = outdir / MANIFEST
    if not manifest.is_file():
        return None
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        return None
    return {*files, MANIFEST}


@dataclass(frozen=True)
class Drift:
    """How an output directory differs from what the blueprint renders."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """True when the directory matches exactly."""
        return not (self.changed or self.missing or self.extra)


def drift(outdir: Path, artifacts: list[Artifact]) -> Drift:
    """Compare `outdir` with `artifacts` (which include the manifest)."""
    wanted = {a.path: a.content for a in artifacts}
    present = _existing_files(outdir) if outdir.is_dir() else set()
    changed = []
    for path in sorted(wanted.keys() & present):
        try:
            same = (outdir / path).read_text(encoding="utf-8") == wanted[path]
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            changed.append(path)
    return Drift(tuple(changed), tuple(sorted(wanted.keys() - present)),
                 tuple(sorted(present - wanted.keys())))


def write(outdir: Path, artifacts: list[Artifact], *, force: bool) -> None:
    """Replace `outdir` with exactly `artifacts`, atomically.

    The new tree is written beside the old one and swapped in with renames, so a
    failure leaves the previous output as it was. Files kgen did not generate are
    never overwritten or deleted without `force`.
    """
    _check_paths(artifacts)
    outdir = outdir.resolve()
    if outdir.exists() and not outdir.is_dir():
        raise RenderError(f"{outdir} exists and is not a directory")
    if outdir.is_dir() and not force:
        present = _existing_files(outdir)
        ours = _generated_before(outdir)
        foreign = sorted(present - ours) if ours is not None else sorted(present)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise RenderError(f"{outdir} holds files kgen did not generate ({shown}); "
                              "choose an empty directory or pass --force to replace them")
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.kgen-new-", dir=outdir.parent))
    old: Path | None = None
    try:
        for artifact in artifacts:
            target = staging / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(artifact.content, encoding="utf-8", newline="\n")
            target.chmod(0o755 if artifact.executable else 0o644)
        staging.chmod(0o755)
        if outdir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.kgen-old-", dir=outdir.parent))
            outdir.rename(old / "tree")
        staging.rename(outdir)
    except OSError as exc:
        if old is not None and (old / "tree").exists() and not outdir.exists():
            (old / "tree").rename(outdir)
        shutil.rmtree(staging, ignore_errors=True)
        raise RenderError(f"cannot write {outdir}: {exc.strerror or exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
