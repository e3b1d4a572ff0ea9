"""Closing a connection that stays idle, with one lazily re-armed timer per connection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class IdleTimer:
    """Calls `expire` once the connection has been idle for `timeout` seconds.

    Requests only note when the connection went idle (`idle`) or busy (`busy`); the single
    timer checks when it fires and re-arms for the remaining time, so a busy connection costs
    no timer churn per request. It starts idle.
    """

    __slots__ = ("_loop", "_timeout", "_expire", "_since", "_handle")

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float, expire: Callable[[], None]) -> None:
        self._loop = loop
        self._timeout = timeout
        self._expire = expire
        self._since: float | None = loop.time()
        self._handle: asyncio.TimerHandle | None = loop.call_later(timeout, self._check)

    def idle(self) -> None:
        """The connection has nothing to do from now."""
        self._since = self._loop.time()

    def busy(self) -> None:
        """The connection is serving a request."""
        self._since = None

    def cancel(self) -> None:
        """Stop watching (the connection closed, or is no longer subject to the timeout)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        self._handle = None
        delay = self._timeout
        if self._since is not None:
            idle = self._loop.time() - self._since
            if idle >= delay * 0.999:
                self._expire()
                return
            delay -= idle
        self._handle = self._loop.call_later(delay, self._check)
