"""Replica addresses: `tcp://host:port` or `unix:///path/to/socket`.

One string form for both, so routing info from the control plane can name either; Unix sockets
are for peers on the same host.
"""

from __future__ import annotations

from typing import NamedTuple

from weaver.internal.address import AddressError, parse_address


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
    """Parse an address string; a bare `host:port` means TCP. Raises AddressError (a ValueError)."""
    if address.startswith("unix://"):
        path = address[len("unix://") :]
        if not path:
            raise ValueError(f"empty unix socket path in {address!r}")
        return Address("unix", path, 0)
    try:
        host, port = parse_address(address.removeprefix("tcp://"), what="replica address", port_zero=True)
    except AddressError as e:
        raise AddressError(address, "replica address", f"{e.problem} (want tcp://host:port or unix:///path)") from None
    return Address("tcp", host, port)
