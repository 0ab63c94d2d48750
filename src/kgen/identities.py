"""kgen's own principals: who each node and tool is, and the certificate subject that says so.

The certificate CN is the principal name (the brokers map `CN=<name>,...` to `User:<name>`
through `PRINCIPAL_MAPPING`), so a node's certificate, its super-user entry and its ACLs
all come from the names here.
"""

from __future__ import annotations

BROKER_PRINCIPAL = "kafka-broker"
CONTROLLER_PRINCIPAL = "kafka-controller"
ADMIN_PRINCIPAL = "kgen-admin"
RESERVED_PRINCIPALS = (BROKER_PRINCIPAL, CONTROLLER_PRINCIPAL, ADMIN_PRINCIPAL)
# Every MirrorMaker 2 flow runs as its own principal, `mm2-<flow>`.
FLOW_PRINCIPAL_PREFIX = "mm2-"
# The certificate CN is the principal name: CN=kafka-broker,... becomes User:kafka-broker.
PRINCIPAL_MAPPING = "RULE:^CN=([a-z0-9.-]+)(,.*)?$/$1/,DEFAULT"


def node_principal(role: str) -> str:
    """The principal a controller or broker node's certificate names."""
    return {"broker": BROKER_PRINCIPAL, "controller": CONTROLLER_PRINCIPAL}[role]


def flow_principal(flow_name: str) -> str:
    """The principal one MirrorMaker 2 flow runs as, on both its clusters."""
    return f"{FLOW_PRINCIPAL_PREFIX}{flow_name}"


def subject(principal: str) -> str:
    """The certificate subject that maps to `principal`."""
    return f"CN={principal}"
