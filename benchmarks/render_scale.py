"""Time and peak memory of `kgen render` on a generated large blueprint, at 1x, 2x and 4x.

1x is 20 clusters (a hub and 19 spokes), 5,000 topics and 500 principals. Each size
runs in a fresh process (`kgen render --dry-run` would skip the writer, so this renders
to a temporary directory) and reports wall time and peak RSS.

    python benchmarks/render_scale.py [--sizes 1 2 4]

Not a test: timings depend on the machine. The targets are < 3 s and < 300 MB at 1x,
growing close to linearly.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CLUSTERS, TOPICS, PRINCIPALS = 20, 5000, 500


def blueprint(scale: int) -> dict[str, object]:
    """A hub-and-spoke blueprint `scale` times the 1x size (clusters, topics, principals)."""
    regions = ["eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "us-east-1", "us-west-2"]
    clusters = []
    for index in range(CLUSTERS * scale):
        region = regions[index % len(regions)]
        clusters.append({
            "name": "hub" if index == 0 else f"spoke-{index:03d}",
            "role": "hub" if index == 0 else "spoke",
            "region": region,
            "sites": [{"name": s, "zone": f"{region}{s}"} for s in ("a", "b", "c")],
            "controllers": {"count": 3},
            "brokers": {"count": 3},
        })
    topics = [{"name": f"domain-{i % 50}.events.t{i:06d}", "partitions": 6,
               "clusters": [clusters[i % len(clusters)]["name"]]} for i in range(TOPICS * scale)]
    principals = [{"name": f"svc-{i:05d}", "clusters": [clusters[i % len(clusters)]["name"]], "acls": [
        {"resource": "topic", "name": f"domain-{i % 50}.", "pattern": "prefixed", "operations": ["Read", "Describe"]},
        {"resource": "group", "name": f"svc-{i:05d}-", "pattern": "prefixed", "operations": ["Read"]},
    ]} for i in range(PRINCIPALS * scale)]
    return {
        "apiVersion": "kgen.dev/v1alpha1", "kind": "KafkaBlueprint",
        "metadata": {"name": f"scale-{scale}x"},
        "spec": {
            "pattern": "hub-and-spoke", "kafka": {"version": "4.1.1"},
            "clusters": clusters,
            "security": {"tls": {"certificates": {"source": "cert-manager", "issuer": "platform-ca"}},
                         "clients": {"cidrs": ["10.0.0.0/8"]}},
            "principals": principals, "topics": topics,
            "replication": {"flows": [{"source": "spoke-*", "target": "hub", "topics": ["domain-1\\..*"],
                                       "groups": []}]},
        },
    }


def measure(scale: int, workdir: Path) -> dict[str, float]:
    """Render one size in a child process; return seconds and peak RSS in MB."""
    source = workdir / f"scale-{scale}x.yaml"
    source.write_text(yaml.safe_dump(blueprint(scale), sort_keys=False), encoding="utf-8")
    probe = (
        "import resource, sys, time\n"
        "from kgen.cli import main\n"
        "start = time.perf_counter()\n"
        f"code = main(['render', {str(source)!r}, '-o', {str(workdir / f'out-{scale}')!r}])\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(f'RESULT {code} {elapsed:.3f} {peak:.1f}', file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    line = next((x for x in done.stderr.splitlines() if x.startswith("RESULT")), None)
    if line is None or line.split()[1] != "0":
        raise SystemExit(f"render failed at {scale}x:\n{done.stderr[-2000:]}")
    _, _, elapsed, peak = line.split()
    files = sum(1 for p in (workdir / f"out-{scale}").rglob("*") if p.is_file())
    return {"scale": scale, "blueprint_mb": round(source.stat().st_size / 1e6, 2), "render_s": float(elapsed),
            "process_s": round(wall, 3), "peak_rss_mb": float(peak), "files": files}


def main() -> None:
    """Run the sizes and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.sizes:
            print(json.dumps(measure(scale, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
