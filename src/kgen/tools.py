"""The one way kgen runs an external tool: argument lists, captured output, no shell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROVIDER_MIRROR_ENV = "KGEN_TF_PLUGIN_DIR"
_MIRROR_CANDIDATES = ("/opt/tf-plugins", "/usr/share/terraform/plugins", "~/.terraform.d/plugins")


@dataclass(frozen=True)
class ToolResult:
    """What a finished (or missing) tool run produced."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    missing: str | None = None

    @property
    def ok(self) -> bool:
        """True when the tool ran and exited 0."""
        return self.missing is None and self.returncode == 0

    def describe(self) -> str:
        """The command, exit code and indented stderr, for error messages."""
        if self.missing:
            return f"{self.args[0]}: not found ({self.missing})"
        err = "\n".join("    " + line for line in self.stderr.strip().splitlines()[-40:])
        return f"$ {' '.join(self.args)}\nexit {self.returncode}\n{err}"


def executable(name: str) -> str | None:
    """Find `name` beside the running Python first (a venv's bin), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 600) -> ToolResult:
    """Run a tool; a missing executable is a result, not an exception."""
    path = executable(args[0])
    if path is None:
        return ToolResult(tuple(args), 127, "", "", missing=f"{args[0]} is not on PATH")
    try:
        done = subprocess.run(  # noqa: S603 - argument list, never a shell
            [path, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return ToolResult(tuple(args), 124, str(exc.stdout or ""), f"timed out after {timeout}s")
    return ToolResult(tuple(args), done.returncode, done.stdout, done.stderr)


def terraform_plugin_dir() -> Path | None:
    """The offline provider mirror: the folder that holds registry.terraform.io/."""
    configured = os.environ.get(PROVIDER_MIRROR_ENV)
    candidates = [configured] if configured else list(_MIRROR_CANDIDATES)
    for candidate in candidates:
        path = Path(candidate).expanduser()
        if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return path
    return None


def terraform_env(workdir: Path) -> dict[str, str]:
    """Environment for offline terraform: no checkpoint calls, our own CLI config."""
    config = workdir / "kgen.tfrc"
    plugin_dir = terraform_plugin_dir()
    if plugin_dir is not None:
        config.write_text(
            'provider_installation {\n  filesystem_mirror {\n'
            f'    path    = "{plugin_dir}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n',
            encoding="utf-8",
        )
    else:
        config.write_text("", encoding="utf-8")
    return {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
