"""Nodes as hosts: a network namespace each, on a bridge inside the lab's own namespace.

Each host gets an address from 198.18.0.0/24, an /etc/hosts (via /etc/netns/<ns>/hosts,
which `ip netns exec` mounts) that resolves every rendered host name to its lab address,
its own host name (a UTS namespace), and a mount namespace in which the node's rendered
files sit at the very paths its configuration names (/etc/kafka, /var/lib/kafka,
/opt/kafka, ...). Traffic stays inside the lab's namespaces. Every process is stopped by
its own id and every namespace removed, also when a test fails.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "198.18.0"
# Paths a node's files live under, bound from the node's rendered root to the same path.
BOUND = ("etc/kafka", "var/lib/kafka", "var/log/kafka", "opt/kafka", "opt/jmx-exporter")
_counter = itertools.count(1)


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=30)


@dataclass
class Host:
    """One lab host: a namespace, an address, and the rendered root of its files."""

    name: str
    namespace: str
    address: str
    root: Path | None
    hostname: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _wrap(self, argv: list[str]) -> list[str]:
        binds = []
        if self.root is not None:
            for path in BOUND:
                source = self.root / path
                if source.is_dir():
                    binds.append(f"mount --bind {shlex.quote(str(source))} /{path}")
        # Its own host name too, as a real host has (Kafka resolves a wildcard listener to it).
        script = " && ".join([*binds, f"hostname {shlex.quote(self.hostname)}", 'exec "$@"'])
        return ["ip", "netns", "exec", self.namespace, "unshare", "--mount", "--uts", "--propagation", "private",
                "sh", "-c", script, "lab-host", *argv]

    def run(self, argv: list[str], env: dict[str, str] | None = None, timeout: float = 120,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command on this host and wait for it (bounded)."""
        return subprocess.run(self._wrap(argv), capture_output=True, text=True, env=_env(env), timeout=timeout,
                              input=stdin, check=False)

    def start(self, argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start a long-running process on this host, its output in `log`."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            process = subprocess.Popen(self._wrap(argv), stdout=out, stderr=subprocess.STDOUT, env=_env(env),
                                       start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], grace: float = 30) -> None:
        """Stop one process (and its children) by its own id: TERM, then KILL."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        """Stop every process this host started."""
        for process in list(self.processes):
            self.stop(process)


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8"}
    return {**base, **(extra or {})}


class Network:
    """The lab's namespaces: one bridge namespace and a host namespace per node."""

    def __init__(self, names: list[str], aliases: dict[str, str], roots: dict[str, Path]) -> None:
        tag = f"kl{os.getpid() % 10000}{next(_counter)}"
        self.bridge = f"{tag}-br"
        self.hosts: dict[str, Host] = {}
        self._made_dirs: list[Path] = []
        self._netns_dirs: list[Path] = []
        if len(names) > 200:
            raise ValueError("the lab's /24 holds at most 200 hosts")
        try:
            _ip("netns", "add", self.bridge)
            _ip("-n", self.bridge, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.bridge, "link", "set", "br0", "up")
            for index, name in enumerate(names):
                namespace, address = f"{tag}-{index}", f"{SUBNET}.{10 + index}"
                _ip("netns", "add", namespace)
                _ip("link", "add", f"{tag}h{index}", "type", "veth", "peer", "name", "eth0", "netns", namespace)
                _ip("link", "set", f"{tag}h{index}", "netns", self.bridge)
                _ip("-n", self.bridge, "link", "set", f"{tag}h{index}", "master", "br0", "up")
                _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
                _ip("-n", namespace, "link", "set", "eth0", "up")
                _ip("-n", namespace, "link", "set", "lo", "up")
                self.hosts[name] = Host(name, namespace, address, roots.get(name), aliases.get(name, name))
            lines = ["127.0.0.1 localhost"]
            for name, host in self.hosts.items():
                lines.append(f"{host.address} {aliases.get(name, name)} {name}")
            for host in self.hosts.values():
                folder = Path("/etc/netns") / host.namespace
                folder.mkdir(parents=True, exist_ok=True)
                self._netns_dirs.append(folder)
                (folder / "hosts").write_text("\n".join(lines) + "\n", encoding="utf-8")
            for path in BOUND:
                mount_point = Path("/") / path
                if not mount_point.exists():
                    mount_point.mkdir(parents=True)
                    self._made_dirs.append(mount_point)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop every process, remove every namespace and the files the lab made."""
        running = [(host, process) for host in self.hosts.values() for process in host.processes]
        for _, process in running:  # all at once: a broker waiting on a stopped controller needs no turn
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for host, process in running:
            host.stop(process, grace=max(0.1, deadline - time.monotonic()))
        for host in self.hosts.values():
            _ip("netns", "del", host.namespace, check=False)
        _ip("netns", "del", self.bridge, check=False)
        for folder in self._netns_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        for mount_point in reversed(self._made_dirs):
            with contextlib.suppress(OSError):
                mount_point.rmdir()


def wait_for(check, what: str, timeout: float = 120, interval: float = 1.0):  # type: ignore[no-untyped-def]
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
