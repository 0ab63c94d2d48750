"""`kgen check`: run every real checker over a rendered output, in parallel, with a cache."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from kgen import check_cache
from kgen.checkers import Checker, Output
from kgen.checkers.ansible import AnsibleChecker
from kgen.checkers.checkov import CheckovChecker
from kgen.checkers.helm import HelmChecker
from kgen.checkers.kafka_config import KafkaConfigChecker
from kgen.checkers.kubernetes import KubernetesSchemaChecker
from kgen.checkers.terraform import TerraformChecker
from kgen.checkers.yamllint import YamllintChecker
from kgen.errors import UserError
from kgen.findings import NOT_VERIFIED, CheckResult, Finding, not_verified

ERROR = "error"
Progress = Callable[[str, CheckResult | None], None]


def registry(workdir: Path) -> dict[str, Checker]:
    """Every checker kgen runs, by name (a closed registry)."""
    checkers: list[Checker] = [
        TerraformChecker(workdir), AnsibleChecker(workdir), HelmChecker(workdir), KubernetesSchemaChecker(workdir), CheckovChecker(workdir),
        YamllintChecker(workdir), KafkaConfigChecker(),
    ]
    return {checker.name: checker for checker in checkers}


def _run_one(checker: Checker, output: Output, digest: str, use_cache: bool) -> CheckResult:
    version = checker.tool_version()
    if version is None:
        return not_verified(checker.name, f"{checker.name} is not installed", checker.install_hint())
    key = check_cache.key(checker.name, digest, version, output.shown)
    if use_cache:
        cached = check_cache.load(key)
        if cached is not None:
            return cached
    started = time.perf_counter()
    try:
        result = checker.check(output)
    except Exception as exc:  # a crashing checker is reported, never hidden
        finding = Finding(output.shown, 0, checker.name, "internal-error", "error",
                          f"{type(exc).__name__}: {exc}")
        return CheckResult(checker.name, ERROR, (finding,), seconds=time.perf_counter() - started)
    if result.state != NOT_VERIFIED:
        check_cache.store(key, result)
    return result


def run_checks(outdir: Path, *, shown: str | None = None, use_cache: bool = True,
               only: list[str] | None = None, progress: Progress | None = None) -> list[CheckResult]:
    """Every applicable checker's result for the rendered output in `outdir`."""
    if not (outdir / "kgen-manifest.json").is_file():
        raise UserError(f"{outdir} is not a kgen output (no kgen-manifest.json); run kgen render first")
    output = Output(outdir.resolve(), shown if shown is not None else str(outdir))
    digest = check_cache.tree_digest(output.root)
    with tempfile.TemporaryDirectory(prefix="kgen-check-") as work:
        checkers = registry(Path(work))
        unknown = sorted(set(only or []) - set(checkers))
        if unknown:
            raise UserError(f"unknown checker {', '.join(unknown)}; checkers are {', '.join(checkers)}")
        chosen = [c for name, c in checkers.items() if (not only or name in only) and c.applies(output)]
        results: list[CheckResult] = []
        workers = max(1, min(len(chosen), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_one, c, output, digest, use_cache): c.name for c in chosen}
            for name in futures.values():
                if progress:
                    progress(name, None)
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if progress:
                    progress(result.checker, result)
    return sorted(results, key=lambda r: r.checker)
