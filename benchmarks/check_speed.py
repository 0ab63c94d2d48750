"""Time `kgen check` on the hub-and-spoke example: cold, warm, and against the tools one by one.

    python benchmarks/check_speed.py

- cold: `kgen check` with an empty result cache (every checker runs, in parallel);
- warm: the same again, unchanged output (every result comes from the cache);
- one by one: each checker alone (`--checker NAME --no-cache`), one after another, which
  is what running each tool by hand costs; its largest item is the slowest single tool.

Not a test: timings depend on the machine. The targets: warm under 1 s, cold at most
1.5 times the slowest single tool.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hub-and-spoke.yaml"


def kgen(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run kgen; return its wall time and result."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kgen.cli", *args], capture_output=True, text=True,
                          check=False, env=env)
    return time.perf_counter() - started, done


def main() -> None:
    """Print one JSON object with every timing and the two ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        env = {**os.environ, "KGEN_CACHE_DIR": str(Path(tmp) / "cache")}
        kgen("render", str(EXAMPLE), "-o", str(out), env=env)
        cold, done = kgen("check", str(out), "--format", "json", env=env)
        checkers = [r["checker"] for r in json.loads(done.stdout)["results"]]
        warm, _ = kgen("check", str(out), env=env)
        single = {}
        for name in checkers:
            single[name], _ = kgen("check", str(out), "--checker", name, "--no-cache", env=env)
    slowest = max(single.values())
    print(json.dumps({
        "cold_s": round(cold, 2), "warm_s": round(warm, 2),
        "one_by_one_s": {k: round(v, 2) for k, v in sorted(single.items())},
        "one_by_one_total_s": round(sum(single.values()), 2),
        "slowest_single_s": round(slowest, 2),
        "cold_over_slowest": round(cold / slowest, 2),
        "cold_over_one_by_one": round(cold / sum(single.values()), 2),
        "cpus": os.cpu_count(),
    }, indent=2))


if __name__ == "__main__":
    main()
