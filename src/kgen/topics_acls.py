"""The one topics/ACL reconciler both targets ship, and the desired state it reads.

Ansible runs the script on a cluster's first broker host; the Helm chart runs the same
bytes in its post-install Job, in the apache/kafka image, which has a POSIX sh and awk but
neither Python nor bash. So the script is POSIX sh and awk, and its input is a line format
that awk reads: one record per line, fields separated by tabs, in the plan's order.

    principal  <principal>                        a principal whose bindings kgen manages
    topic      <name> <partitions> <replication factor>
    config     <topic> <key>=<value>
    acl        <principal> <permission> <operation> <resource type> <resource name> <pattern>

The bootstrap servers are not in the file: they differ by target (host names or Service
names), the topics and bindings do not, so both targets ship byte-identical state.
"""

from __future__ import annotations

from kgen.errors import InternalError
from kgen.plan import ClusterPlan, Plan
from kgen.resources import resource_dir

SCRIPT = "kgen-reconcile-topics-acls.sh"
STATE = "topics-acls.tsv"


def script() -> str:
    """The reconciler's text, as both targets ship it."""
    return (resource_dir("templates") / "reconciler" / SCRIPT).read_text(encoding="utf-8")


def managed_principals(plan: Plan, cluster: ClusterPlan) -> list[str]:
    """The principals whose bindings on `cluster` the blueprint owns (stale ones may be removed)."""
    return sorted(p.principal for p in plan.principals if cluster.name in p.clusters)


def _record(*fields: object) -> str:
    text = [str(field) for field in fields]
    for field in text:
        if not field or "\t" in field or "\n" in field:
            # Names and values reach here validated; a tab or newline would split a record.
            raise InternalError(f"the reconciler state cannot hold the field {field!r}")
    return "\t".join(text) + "\n"


def state(plan: Plan, cluster: ClusterPlan) -> str:
    """What the reconciler brings `cluster` to: its topics, their config and its ACL bindings."""
    lines = [f"# Managed by kgen: topics and ACLs of cluster {cluster.name} of blueprint {plan.name}. "
             "Do not edit.\n"]
    lines += [_record("principal", principal) for principal in managed_principals(plan, cluster)]
    for topic in cluster.topics:
        lines.append(_record("topic", topic.name, topic.partitions, topic.replication_factor))
        lines += [_record("config", topic.name, f"{key}={value}") for key, value in sorted(topic.config.items())]
    lines += [_record("acl", acl.principal, acl.permission, acl.operation, acl.resource_type, acl.name, acl.pattern)
              for acl in cluster.acls]
    return "".join(lines)
