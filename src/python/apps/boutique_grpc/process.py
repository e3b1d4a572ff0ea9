"""What every baseline process shares: uvloop, graceful stop on signals, orphan exit."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import uvloop

LOG_LEVEL = logging.INFO
"""The same level as `weaver.run` uses, so both variants log the same lines."""


async def stop_signal() -> None:
    """Return when SIGINT or SIGTERM arrives, or when the parent process has gone away."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()
    while not stop.is_set():
        if os.getppid() != parent:
            return
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `main` on uvloop with the baseline's logging level."""
    logging.basicConfig(level=LOG_LEVEL, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvloop.run(main())
