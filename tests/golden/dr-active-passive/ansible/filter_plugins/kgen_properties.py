"""Filters the kgen roles need: Java .properties files and kafka-storage SCRAM arguments.

Copied verbatim by kgen; the escaping matches kgen's own `properties_escape`, so a
value reads back in Kafka exactly as the plan holds it.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

_SCRAM_SAFE = re.compile(r"^[^\s,\[\]\"]+$")


def _escape(text, key):
    out = []
    for index, char in enumerate(str(text)):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif (char in "=:" and key) or (char in "#!" and index == 0):
            out.append("\\" + char)
        elif char == " " and (key or index == 0):
            out.append("\\ ")
        elif ord(char) > 126 or ord(char) < 32:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    return "".join(out)


def kgen_properties(props, header=""):
    """A whole .properties file, keys sorted, one escaped `key=value` a line."""
    if not isinstance(props, dict):
        raise AnsibleFilterError("kgen_properties expects a mapping, got %s" % type(props).__name__)
    lines = ["# " + line for line in str(header).splitlines()]
    lines += ["%s=%s" % (_escape(k, True), _escape(v, False)) for k, v in sorted(props.items())]
    return "\n".join(lines) + "\n"


def kgen_scram_args(users, passwords, iterations):
    """`--add-scram` arguments that seed SCRAM-SHA-512 credentials at format time."""
    args = []
    for user in users:
        if user not in passwords:
            raise AnsibleFilterError("no SCRAM password reference for principal %s" % user)
        secret = str(passwords[user])
        if not _SCRAM_SAFE.match(secret):
            # kafka-storage splits the credential on commas and brackets.
            raise AnsibleFilterError("the SCRAM password of %s must not hold spaces, commas, brackets or quotes" % user)
        args += ["--add-scram", "SCRAM-SHA-512=[name=%s,iterations=%d,password=%s]" % (user, int(iterations), secret)]
    return args


class FilterModule:
    """kgen's filters."""

    def filters(self):
        return {"kgen_properties": kgen_properties, "kgen_scram_args": kgen_scram_args}
