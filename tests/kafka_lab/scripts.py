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


# Like kafka-run-class.sh, a 3.x tool without KAFKA_LOG4J_OPTS logs warnings and errors to
# stderr (Log4j 1 has no default configuration; 4.x's Log4j 2 prints errors by default).
TOOLS_LOG4J = "config/tools-log4j.properties"
TOOLS_LOG4J_TEXT = (
    "log4j.rootLogger=WARN, stderr\n"
    "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
    "log4j.appender.stderr.Target=System.err\n"
    "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
    "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
)


def _wrapper(script: str, main_class: str, jars: tuple[Path, ...], log4j1: bool) -> bytes:
    heap = SERVER_HEAP if script in SERVER_SCRIPTS else TOOL_HEAP
    classpath = shlex.quote(":".join(str(jar) for jar in jars))
    logging = "${KAFKA_LOG4J_OPTS}"
    if log4j1 and script not in SERVER_SCRIPTS:
        logging = f'"${{KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$(dirname "$0")/../{TOOLS_LOG4J}}}"'
    return (
        "#!/bin/sh\n"
        f"# kgen Kafka lab: stands in for Apache Kafka's bin/{script} ({main_class}).\n"
        f'exec java ${{KAFKA_HEAP_OPTS:-{heap}}} -XX:+UseG1GC -Djava.awt.headless=true '
        f'{logging} "-Dkafka.logs.dir=${{LOG_DIR:-/tmp}}" ${{KAFKA_OPTS}} '
        f'-cp {classpath} {main_class} "$@"\n'
    ).encode()


def release_archive(version: str, scala: str) -> bytes:
    """A kafka_<scala>-<version>.tgz whose bin/ scripts run the real release's classes."""
    jars = maven.classpath(version)
    buffer = io.BytesIO()
    log4j1 = int(version.split(".")[0]) < 4
    files = {f"bin/{script}": (_wrapper(script, main_class, jars, log4j1), 0o755)
             for script, main_class in sorted(main_classes(version).items())}
    if log4j1:
        files[TOOLS_LOG4J] = (TOOLS_LOG4J_TEXT.encode(), 0o644)
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, (data, mode) in sorted(files.items()):
            info = tarfile.TarInfo(f"kafka_{scala}-{version}/{name}")
            info.size, info.mode, info.mtime = len(data), mode, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
