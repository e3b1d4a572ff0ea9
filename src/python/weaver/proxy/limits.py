"""Limits and timeouts of a proxy: what a client may send and how long a backend may take."""

from __future__ import annotations

import msgspec


class Limits(msgspec.Struct, frozen=True):
    """Bounds on requests (exceeding one is answered 414/431/413) and backend timeouts."""

    max_header_bytes: int = 32 * 1024
    """Request line plus headers; a longer URL gets 414, longer headers 431."""
    max_headers: int = 256
    """Header fields in one request head; more are answered 431."""
    max_body_bytes: int | None = 64 * 1024 * 1024
    """Request body (Content-Length or chunked); None means unlimited."""
    connect_timeout: float = 5.0
    """Seconds to open a backend connection before trying the version's next backend."""
    max_idle_per_backend: int = 64
    """Idle keep-alive connections kept per (version, backend)."""
    idle_timeout: float = 75.0
    """Seconds a client connection may sit without a complete request head before it is closed
    (idle keep-alive connections, and heads sent too slowly)."""
    linger: float = 1.0
    """Seconds to keep reading (and discarding) an unfinished request after an error response,
    so the client reads the response instead of a connection reset."""
