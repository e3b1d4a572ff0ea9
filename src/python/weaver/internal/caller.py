"""The seam between generated client stubs and a transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

Handler = Callable[[bytes], Awaitable[bytes]]
"""Server side of one method: encoded arguments in, encoded result out (or it raises)."""


class Caller(Protocol):
    """Delivers one encoded call to some replica of a component and returns the reply."""

    async def call(self, key: int, payload: bytes, retriable: bool, shard: int | None) -> bytes:
        """Call method `key` with `payload`; raise what the callee raised, or a transport error."""
        ...
