"""What a client connection needs of its proxy: a narrow context instead of the `Proxy` itself.

`Proxy` owns one `ProxyContext` and replaces its router whenever the table changes; client
connections read the router, limits, counters and pool from it and register themselves (and
their tunnels) so that closing the proxy closes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from weaver.proxy.limits import Limits
from weaver.proxy.observe import Observer
from weaver.proxy.pool import Pool
from weaver.proxy.router import Router
from weaver.proxy.stats import Stats


class Closable(Protocol):
    """A client connection, as the proxy sees it when it shuts down."""

    def close_now(self) -> None: ...


@dataclass(eq=False)
class ProxyContext:
    """The proxy's shared state that its client connections use."""

    limits: Limits
    stats: Stats
    pool: Pool
    router: Router
    spawn: Callable[[Coroutine[Any, Any, None]], None]
    """Run a background step (a backend connect), keeping a reference until it ends."""
    observer: Observer | None = None
    """Spans and access log entries per request (observe.py); None: neither, at no cost."""
    clients: set[Closable] = field(default_factory=set)
    tunnels: set[asyncio.Transport] = field(default_factory=set)
