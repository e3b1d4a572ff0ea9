"""The main component: serves hello's HTTP API on the `hello` listener.

GET /hello?name=Ada   -> {"text": "Hello, Ada!", "count": 1, "hops": [...]}
GET /healthz          -> ok
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import msgspec

import weaver
from apps.hello.greeter import EmptyName, Greeter
from apps.hello.messages import Hop

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class App(weaver.Implements[weaver.Main]):
    """HTTP frontend."""

    hello: weaver.Listener
    greeter: weaver.Ref[Greeter]

    async def main(self) -> None:
        self.logger.info("hello serving on http://%s", self.hello.address)
        await self.hello.serve_asgi(self.asgi)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A raw ASGI app: no framework needed for two routes."""
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/healthz":
            await _respond(send, 200, b"ok", b"text/plain")
        elif path == "/hello":
            query = parse_qs(scope.get("query_string", b"").decode())
            name = query.get("name", [""])[0]
            try:
                greeting = await self.greeter.greet(name)
            except EmptyName as e:
                await _respond(send, 400, str(e).encode(), b"text/plain")
                return
            greeting.hops.insert(0, Hop("Main", weaver.version(), str(os.getpid())))
            await _respond(send, 200, msgspec.json.encode(greeting), b"application/json")
        else:
            await _respond(send, 404, b"not found", b"text/plain")


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
