"""`async with weaver.deadline(seconds):` bounds everything inside, local and remote.

It sets the absolute deadline in `weaver.internal.callctx.deadline` (which the transport
sends with each call) and arms an asyncio timeout, so a co-located call is bounded too.
Nested deadlines only ever shorten the current one.
"""

from __future__ import annotations

import asyncio
from contextvars import Token
from types import TracebackType

from weaver.errors import DeadlineExceeded
from weaver.internal import callctx


class deadline:  # noqa: N801 - used like a function: `async with weaver.deadline(1.5):`
    """Async context manager raising `DeadlineExceeded` when `seconds` pass."""

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"deadline must be >= 0 seconds, got {seconds}")
        self.seconds = seconds
        self._token: Token[float | None] | None = None
        self._timeout: asyncio.Timeout | None = None

    async def __aenter__(self) -> deadline:
        now = callctx.clock.get()()
        at = now + self.seconds
        outer = callctx.deadline.get()
        if outer is not None:
            at = min(at, outer)
        self._token = callctx.deadline.set(at)
        loop = asyncio.get_running_loop()
        self._timeout = asyncio.timeout_at(loop.time() + (at - now))
        await self._timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._timeout is not None and self._token is not None
        try:
            await self._timeout.__aexit__(exc_type, exc, tb)
        except TimeoutError as e:
            if isinstance(e, DeadlineExceeded):
                raise
            raise DeadlineExceeded(f"deadline of {self.seconds}s exceeded") from e
        finally:
            callctx.deadline.reset(self._token)
        return None
