"""An in-process `Caller` for the `rpc` test mode: real codec, no network.

Calls the generated server handlers with the encoded bytes, turns exceptions into error
replies and back exactly as the transport does, honours the caller's deadline, and runs
each retriable call twice (a retriable method must be safe to execute more than once).
"""

from __future__ import annotations

import time

from weaver import tracing
from weaver.errors import DeadlineExceeded, decode_error, encode_error
from weaver.internal import callctx
from weaver.internal.caller import Caller, Handler
from weaver.runtime.host import ComponentHost


class InProcessCaller:
    """Delivers calls for one component to its handlers in this process."""

    def __init__(self, host: ComponentHost, component: str) -> None:
        self.host = host
        self.component = component
        self.reg = host.registrations[component]
        self.method_names = {m.key: m.name for m in self.reg.methods}
        self._handlers: dict[int, Handler] | None = None
        self.calls = 0
        """Handler executions so far (retriable calls count twice)."""

    async def _handler(self, key: int) -> Handler:
        if self._handlers is None:
            handlers = self.reg.handlers(await self.host.impl(self.component))
            self._handlers = tracing.wrap_handlers(handlers, self.component, self.method_names)
        return self._handlers[key]

    async def call(self, key: int, payload: bytes, retriable: bool, shard: int | None) -> bytes:
        deadline = callctx.deadline.get()
        if deadline is not None and time.monotonic() >= deadline:
            raise DeadlineExceeded(f"deadline passed before calling {self._where(key)}")
        handler = await self._handler(key)
        reply = b""
        for _ in range(2 if retriable else 1):
            self.calls += 1
            try:
                reply = bytes(await handler(bytes(payload)))
            except Exception as e:  # noqa: BLE001 - every error crosses the "wire"
                raise decode_error(encode_error(e, self._where(key))) from None
        return reply

    def _where(self, key: int) -> str:
        return f"{self.component}.{self.method_names.get(key, key)}@inprocess"


class RpcPlacement:
    """Places every component "remotely", behind an `InProcessCaller`."""

    def __init__(self) -> None:
        self.host: ComponentHost | None = None
        self.callers: dict[str, InProcessCaller] = {}

    def caller(self, component: str) -> Caller | None:
        assert self.host is not None, "RpcPlacement.host must be set before use"
        if component not in self.callers:
            self.callers[component] = InProcessCaller(self.host, component)
        return self.callers[component]
