"""The test app's main: serves a one-route ASGI app on listener `api`."""

from __future__ import annotations

from typing import Any

import weaver

from .model import EVENTS
from .store import Store


class Main(weaver.Implements[weaver.Main]):
    api: weaver.Listener
    store: weaver.Ref[Store]

    async def init(self) -> None:
        EVENTS.append("init Main")

    async def shutdown(self) -> None:
        EVENTS.append("shutdown Main")

    async def main(self) -> None:
        await self.api.serve_asgi(self.asgi)

    async def asgi(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = str(len(await self.store.all())).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
