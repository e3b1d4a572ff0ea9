"""The status a deployment publishes, typed: what the manager writes and every reader decodes.

A multiprocess deployment's manager writes it to `multi/<app>/<version>/status.json` atomically
and removes it at a clean stop (docs/contracts.md). Readers (`weaver multi status`, the rollout
controller, other deployers' tools) decode it with `decode`, which names the file and the field
of a malformed document instead of guessing defaults.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from weaver.errors import WeaverError
from weaver.internal.files import atomic_write


class StatusError(WeaverError, ValueError):
    """A status document that cannot be read; the message names the file and the field."""


class ReplicaStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One replica (proclet process) of a group."""

    replica: str
    """`<group>.<slot>`."""
    pid: int
    """0 while the slot has no process (starting or restarting)."""
    address: str
    """Its rpc `host:port`, empty until it is up."""
    healthy: bool
    restarts: int
    listeners: dict[str, str] = {}
    """Listener name -> the replica's own `host:port` (the deployment's address is `listeners`)."""


class GroupStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A colocation group: components that share processes, and its replicas."""

    name: str
    components: list[str]
    replicas: list[ReplicaStatus]


class DeploymentStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One version of one app, as its manager last published it."""

    app: str
    version: str
    manager_pid: int
    started: float
    """Unix time the manager started."""
    healthy: bool
    """True once every group has all its replicas healthy."""
    listeners: dict[str, str]
    """Listener name -> the deployment's public `host:port`."""
    groups: list[GroupStatus]
    command: list[str] = []
    """argv of a replica."""
    config: str | None = None
    """Path of the config file the replicas read."""
    metrics: str = ""
    """`host:port` of the manager's Prometheus endpoint (`GET /metrics`); "" if none."""

    def summary(self) -> str:
        """'3/4 replicas healthy, 1 restarts'."""
        replicas = [r for g in self.groups for r in g.replicas]
        healthy = sum(1 for r in replicas if r.healthy)
        restarts = sum(r.restarts for r in replicas)
        return f"{healthy}/{len(replicas)} replicas healthy" + (f", {restarts} restarts" if restarts else "")


_decoder = msgspec.json.Decoder(DeploymentStatus)


def encode(status: DeploymentStatus) -> bytes:
    """The JSON document, indented for people who open it."""
    return msgspec.json.format(msgspec.json.encode(status), indent=2) + b"\n"


def decode(data: bytes, where: str) -> DeploymentStatus:
    """Decode a status document; StatusError naming `where` and the bad field."""
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as e:
        raise StatusError(f"{where}: {e}") from None
    except msgspec.DecodeError as e:
        raise StatusError(f"{where}: not a JSON status document ({e})") from None


def write(path: Path, status: DeploymentStatus) -> None:
    """Publish `status` at `path` (readers see the old or the new document, never a mix)."""
    atomic_write(path, encode(status))


def read(path: Path) -> DeploymentStatus | None:
    """The status at `path`, None if there is none; StatusError if it is unreadable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StatusError(f"{path}: {e.strerror or e}") from None
    return decode(data, str(path))
