"""Apache Kafka's own jars, resolved by Maven from the lab's pinned pom (nothing fetched by hand)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
RELEASES = json.loads((HERE / "releases.json").read_text(encoding="utf-8"))
# Maven's own local repository holds the jars; the lab only keeps the resolved lists.
CACHE = Path.home() / ".m2" / "kgen-kafka-lab"
MAVEN_TIMEOUT = 900


class LabUnavailable(Exception):
    """Java, Maven or the jars cannot be had on this machine."""


def _mvn(*args: str) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LabUnavailable("Maven (mvn) is not on PATH")
    result = subprocess.run([mvn, "-B", "-q", "-f", str(POM), *args], capture_output=True, text=True,
                            timeout=MAVEN_TIMEOUT, check=False)
    if result.returncode != 0:
        raise LabUnavailable(f"mvn {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join((POM.read_text(encoding="utf-8"), *parts)).encode()).hexdigest()[:16]


@cache
def classpath(version: str) -> tuple[Path, ...]:
    """The jars of Kafka `version`: the server, the tools, MirrorMaker 2 and their dependencies."""
    if version not in RELEASES["releases"]:
        raise LabUnavailable(f"Kafka {version} is not in tests/kafka_lab/releases.json")
    log4j = RELEASES["releases"][version]["log4j"]
    listing = CACHE / f"classpath-{version}-{_key(version, str(log4j))}.txt"
    if not listing.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        extra = [f"-Dlog4j.version={log4j}"] if log4j else []
        partial = listing.with_suffix(".partial")
        _mvn(f"-Dkafka.version={version}", *extra, "dependency:build-classpath", f"-Dmdep.outputFile={partial}")
        partial.rename(listing)
    jars = tuple(Path(item) for item in listing.read_text(encoding="utf-8").strip().split(":"))
    missing = [jar for jar in jars if not jar.exists()]
    if missing:
        listing.unlink()
        return classpath.__wrapped__(version)  # Maven's cache was pruned: resolve again
    return jars


@cache
def jmx_exporter_agent() -> Path:
    """The Prometheus JMX exporter agent jar, as Maven Central serves it."""
    coordinates = RELEASES["jmx_exporter"]
    folder = CACHE / f"agent-{_key(coordinates)}"
    name = "{1}-{2}.jar".format(*coordinates.split(":"))
    if not (folder / name).exists():
        _mvn("dependency:copy", f"-Dartifact={coordinates}", f"-DoutputDirectory={folder}")
    return folder / name


def classes(jars: tuple[Path, ...]) -> frozenset[str]:
    """Every class name in the Kafka jars of a classpath (dependencies left out)."""
    names: set[str] = set()
    for jar in jars:
        if "/org/apache/kafka/" not in str(jar):
            continue
        with zipfile.ZipFile(jar) as archive:
            names.update(entry[:-6].replace("/", ".") for entry in archive.namelist()
                         if entry.endswith(".class") and "$" not in entry)
    return frozenset(names)
