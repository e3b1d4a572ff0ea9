"""Echo: the cheapest possible component method."""

from __future__ import annotations

import weaver


class Echo(weaver.Component):
    async def echo(self, x: int) -> int: ...


class EchoImpl(weaver.Implements[Echo]):
    async def echo(self, x: int) -> int:
        return x
