"""Byte splicing between a client and a backend after a protocol upgrade (WebSocket).

Once the backend answers 101, HTTP is over on both connections: each transport gets a
`TunnelEnd` protocol that writes what it reads to the other, with flow control both ways.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class TunnelEnd(asyncio.Protocol):
    """One side of a splice: bytes read here are written to `peer`."""

    def __init__(self, peer: asyncio.Transport, on_close: Callable[[], None]) -> None:
        self.peer = peer
        self.on_close = on_close

    def data_received(self, data: bytes) -> None:
        self.peer.write(data)

    def eof_received(self) -> bool:
        self.peer.close()  # no half-open tunnels: WebSocket has its own close handshake
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.peer.close()
        self.on_close()

    def pause_writing(self) -> None:
        self.peer.pause_reading()

    def resume_writing(self) -> None:
        self.peer.resume_reading()


def splice(
    client: asyncio.Transport,
    backend: asyncio.Transport,
    to_backend: bytes,
    to_client: bytes,
    on_close: Callable[[], None],
) -> None:
    """Join two transports; `to_*` are bytes already read that belong to the tunnel.
    `on_close` runs once, when the tunnel is gone."""
    closed = False

    def close_once() -> None:
        nonlocal closed
        if not closed:
            closed = True
            on_close()

    client.set_protocol(TunnelEnd(backend, close_once))
    backend.set_protocol(TunnelEnd(client, close_once))
    if to_backend:
        backend.write(to_backend)
    if to_client:
        client.write(to_client)
    client.resume_reading()
    backend.resume_reading()
