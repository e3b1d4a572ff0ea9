"""Exporting a listener without a proxy: every replica listens on the same port (SO_REUSEPORT).

The manager reserves the listener's address with a bound, non-listening SO_REUSEPORT socket
(so a port-0 address gets one stable port for the whole deployment and nobody else takes it),
and each replica that hosts the listener binds the same address with SO_REUSEPORT and
listens: the kernel spreads new connections over the listening replicas, a replica that dies
drops out of the group at once, and its restarted successor joins it again. No process sits
between the clients and the replicas. `BalancingProxy` (`weaver.deployers.multi.tcpproxy`) remains
the fallback where SO_REUSEPORT does not exist.
"""

from __future__ import annotations

import socket


def available() -> bool:
    """Whether this platform has SO_REUSEPORT (Linux and the BSDs do)."""
    return hasattr(socket, "SO_REUSEPORT")


def split(name: str, address: str) -> tuple[str, int]:
    """(host, port) of `host:port`; a ValueError names the listener."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"listener {name!r}: address {address!r} is not host:port")
    return host.strip("[]") or "0.0.0.0", int(port)


class SharedPort:
    """Reserves a listener's address for the replicas to share (BalancingProxy's interface)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.address = ""
        self.shared = True
        """Replicas bind `address` themselves (with SO_REUSEPORT)."""
        self._sock: socket.socket | None = None

    async def start(self, address: str) -> str:
        """Reserve `host:port` (port 0 picks a free one); returns the reserved `host:port`."""
        host, port = split(self.name, address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # First a plain bind: it fails if anything at all listens there (SO_REUSEPORT alone
        # would silently share the port with another deployment of the same user).
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as e:
                raise OSError(f"listener {self.name!r}: cannot listen on {address}: {e.strerror or e}") from e
            port = probe.getsockname()[1]
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
        except OSError as e:
            sock.close()
            raise OSError(f"listener {self.name!r}: cannot reserve {host}:{port}: {e.strerror or e}") from e
        self._sock = sock
        bound = sock.getsockname()
        self.address = f"{bound[0]}:{bound[1]}"
        return self.address

    def set_backends(self, backends: list[str]) -> None:
        """Nothing to do: the kernel balances over whichever replicas listen."""

    async def close(self, grace: float = 0.0) -> None:
        """Release the reservation (replicas close their own listening sockets when they stop)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
