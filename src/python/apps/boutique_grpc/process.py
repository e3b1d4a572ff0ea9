"""What every baseline process shares: uvloop, graceful stop on signals, orphan exit, and the
frontend served on weaver's HTTP server over whatever clients the baseline has."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Coroutine
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


def command(description: str | None, serve: Callable[[str, dict[str, int]], Coroutine[Any, Any, None]],
            names: tuple[str, ...] = ()) -> None:  # fmt: skip
    """The command line of a baseline process: `[NAME] --ports JSON`, then `serve(name, ports)`
    on uvloop (NAME, one of `names`, only when `names` are given; "" otherwise)."""
    parser = argparse.ArgumentParser(description=description)
    if names:
        parser.add_argument("name", choices=names)
    parser.add_argument("--ports", required=True, help="JSON map of process name to port")
    args = parser.parse_args()
    ports = {k: int(v) for k, v in json.loads(args.ports).items()}
    run(lambda: serve(getattr(args, "name", ""), ports))


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `main` on uvloop with the baseline's logging level."""
    logging.basicConfig(level=LOG_LEVEL, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvloop.run(main())


async def serve_frontend(services: Any, host: str, port: int, close: Callable[[], Awaitable[None]]) -> None:
    """Serve the shared frontend (over `services`) on weaver's HTTP server until a stop signal;
    then `close` the clients."""
    from apps.boutique.frontend.app import HTTP_SERVER, make_app
    from weaver import httpserver

    assert HTTP_SERVER == "weaver", "the baselines serve HTTP as the weaver variants do"
    sock = socket.create_server((host, port), backlog=1024)
    sock.setblocking(False)
    task = asyncio.create_task(httpserver.serve(make_app(services), sock))
    try:
        stop = asyncio.create_task(stop_signal())
        await asyncio.wait([task, stop], return_when=asyncio.FIRST_COMPLETED)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await close()
        sock.close()
