"""Stand-ins for a Kafka release's bin/*.sh: the same names, Kafka's own entry points.

A release archive holds shell scripts that end in `kafka-run-class.sh <class>`. The lab
builds an archive of the same layout whose scripts run that class directly with
`java -cp <the release's jars from Maven>`, so the roles install it, the systemd unit
starts it and the reconciler and playbooks call it exactly as on a real host. Where a
class moved between lines, the first candidate present in the release's jars is used.
"""

from __future__ import annotations

import io
import shlex
import tarfile
from pathlib import Path

from kafka_lab import maven

# script -> candidate main classes, newest line first (checked in each release's jars).
SCRIPTS: dict[str, tuple[str, ...]] = {
    "kafka-server-start.sh": ("kafka.Kafka",),
    "kafka-storage.sh": ("kafka.tools.StorageTool",),
    "kafka-topics.sh": ("org.apache.kafka.tools.TopicCommand",),
    "kafka-acls.sh": ("org.apache.kafka.tools.AclCommand", "kafka.admin.AclCommand"),
    "kafka-configs.sh": ("org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand"),
    "kafka-metadata-quorum.sh": ("org.apache.kafka.tools.MetadataQuorumCommand",),
    "kafka-features.sh": ("org.apache.kafka.tools.FeatureCommand", "kafka.admin.FeatureCommand"),
    "kafka-console-producer.sh": ("org.apache.kafka.tools.ConsoleProducer", "kafka.tools.ConsoleProducer"),
    "kafka-console-consumer.sh": ("org.apache.kafka.tools.consumer.ConsoleConsumer",
                                  "kafka.tools.ConsoleConsumer"),
    "kafka-consumer-groups.sh": ("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                                 "kafka.admin.ConsumerGroupCommand"),
    "connect-mirror-maker.sh": ("org.apache.kafka.connect.mirror.MirrorMaker",),
}
# kafka-run-class.sh's heap when KAFKA_HEAP_OPTS is unset; kafka-server-start.sh asks for 1 GiB.
TOOL_HEAP = "-Xmx256M"
SERVER_HEAP = "-Xmx1G -Xms1G"
SERVER_SCRIPTS = ("kafka-server-start.sh", "connect-mirror-maker.sh")


def main_classes(version: str) -> dict[str, str]:
    """Each script's main class in Kafka `version`."""
    present = maven.classes(maven.classpath(version))
    chosen = {}
    for script, candidates in SCRIPTS.items():
        found = [name for name in candidates if name in present]
        if not found:
            raise maven.LabUnavailable(f"Kafka {version}: none of {candidates} in its jars ({script})")
        chosen[script] = found[0]
    return chosen


def _wrapper(script: str, main_class: str, jars: tuple[Path, ...]) -> bytes:
    heap = SERVER_HEAP if script in SERVER_SCRIPTS else TOOL_HEAP
    classpath = shlex.quote(":".join(str(jar) for jar in jars))
    return (
        "#!/bin/sh\n"
        f"# kgen Kafka lab: stands in for Apache Kafka's bin/{script} ({main_class}).\n"
        f'exec java ${{KAFKA_HEAP_OPTS:-{heap}}} -XX:+UseG1GC -Djava.awt.headless=true '
        '${KAFKA_LOG4J_OPTS} "-Dkafka.logs.dir=${LOG_DIR:-/tmp}" ${KAFKA_OPTS} '
        f'-cp {classpath} {main_class} "$@"\n'
    ).encode()


def release_archive(version: str, scala: str) -> bytes:
    """A kafka_<scala>-<version>.tgz whose bin/ scripts run the real release's classes."""
    jars = maven.classpath(version)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for script, main_class in sorted(main_classes(version).items()):
            data = _wrapper(script, main_class, jars)
            info = tarfile.TarInfo(f"kafka_{scala}-{version}/bin/{script}")
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
