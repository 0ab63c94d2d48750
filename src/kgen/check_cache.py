"""Check results cached by content: unchanged output with unchanged tools is not checked again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from kgen import __version__
from kgen.findings import CheckResult, Finding


def cache_dir() -> Path:
    """Where results live: $KGEN_CACHE_DIR, else $XDG_CACHE_HOME/kgen, else ~/.cache/kgen."""
    configured = os.environ.get("KGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kgen" / "check"


def tree_digest(root: Path) -> str:
    """sha256 over every file's relative path and bytes under `root`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".terraform" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def key(checker: str, content: str, tool_version: str, display_root: str) -> str:
    """The cache key: checker, output content, tool versions, kgen version and path prefix."""
    raw = json.dumps([checker, content, tool_version, __version__, display_root])
    return hashlib.sha256(raw.encode()).hexdigest()


def load(cache_key: str) -> CheckResult | None:
    """A cached result, or None."""
    path = cache_dir() / f"{cache_key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return CheckResult(
        checker=data["checker"], state=data["state"], reason=data["reason"], install=data["install"],
        seconds=data["seconds"], cached=True, findings=tuple(Finding(**f) for f in data["findings"]),
    )


def store(cache_key: str, result: CheckResult) -> None:
    """Remember a verified result (never a not-verified one)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{cache_key}.{os.getpid()}.tmp"
        temp.write_text(json.dumps(result.to_dict()), encoding="utf-8")
        temp.replace(folder / f"{cache_key}.json")
    except OSError:
        return  # a cache that cannot be written only costs time
