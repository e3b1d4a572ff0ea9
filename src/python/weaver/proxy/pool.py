"""Idle keep-alive connections to backends, per (version, backend address).

Keying by version as well as address means a connection opened for one version never carries
another version's request, even if a later table reuses the address.
"""

from __future__ import annotations

import asyncio

from weaver.proxy.backend import BackendConnection, Key


class Pool:
    """Opens, lends out and keeps backend connections."""

    def __init__(self, connect_timeout: float = 5.0, max_idle: int = 64) -> None:
        self.connect_timeout = connect_timeout
        self.max_idle = max_idle
        self._idle: dict[Key, list[BackendConnection]] = {}
        self._open: set[BackendConnection] = set()
        self._live: set[Key] | None = None

    def take_idle(self, key: Key) -> BackendConnection | None:
        """An idle connection for `key`, or None."""
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
        return None

    async def connect(self, key: Key) -> BackendConnection:
        """A new connection for `key`; raises OSError or TimeoutError."""
        loop = asyncio.get_running_loop()
        host, port = key[1]
        async with asyncio.timeout(self.connect_timeout):
            _, conn = await loop.create_connection(lambda: BackendConnection(self, key), host, port)
        self._open.add(conn)
        return conn

    def release(self, conn: BackendConnection) -> None:
        """`conn` finished an exchange cleanly: keep it for the next one."""
        if conn.transport is not None:
            conn.transport.resume_reading()  # a slow client may have paused it
        idle = self._idle.setdefault(conn.key, [])
        if len(idle) >= self.max_idle or (self._live is not None and conn.key not in self._live):
            conn.close()
        else:
            idle.append(conn)

    def forget(self, conn: BackendConnection) -> None:
        """`conn` is closed."""
        self._open.discard(conn)
        idle = self._idle.get(conn.key)
        if idle and conn in idle:
            idle.remove(conn)

    def retain(self, keys: set[Key]) -> None:
        """Close idle connections to backends no longer in the table (busy ones finish first)."""
        self._live = keys
        for key in [k for k in self._idle if k not in keys]:
            for conn in self._idle.pop(key):
                conn.close()

    def close(self) -> None:
        """Close every connection, busy or not."""
        for conn in list(self._open):
            conn.close()
        self._idle.clear()

    def __len__(self) -> int:
        return len(self._open)
