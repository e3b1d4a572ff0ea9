"""Replica addresses: `tcp://host:port` or `unix:///path/to/socket`.

One string form for both, so routing info from the control plane can name either; Unix sockets
are for peers on the same host.
"""

from __future__ import annotations

from typing import NamedTuple


class Address(NamedTuple):
    """A parsed address: `scheme` is "tcp" (host, port) or "unix" (path in host, port 0)."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.host}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse(address: str) -> Address:
    """Parse an address string; a bare `host:port` means TCP. Raises ValueError."""
    if address.startswith("unix://"):
        path = address[len("unix://") :]
        if not path:
            raise ValueError(f"empty unix socket path in {address!r}")
        return Address("unix", path, 0)
    rest = address.removeprefix("tcp://")
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"bad address {address!r}: want tcp://host:port or unix:///path")
    host = host.strip("[]")
    if not host:
        raise ValueError(f"bad address {address!r}: empty host")
    value = int(port)
    if value > 65535:
        raise ValueError(f"bad address {address!r}: port out of range")
    return Address("tcp", host, value)
