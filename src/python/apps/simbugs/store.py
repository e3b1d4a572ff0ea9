"""Store: a durable key -> int table (the simulations never crash it)."""

from __future__ import annotations

import weaver


class Store(weaver.Component):
    async def get(self, key: str) -> int: ...

    async def put(self, key: str, value: int) -> None: ...  # idempotent: retriable

    @weaver.not_retriable  # adds: twice would add twice
    async def add(self, key: str, delta: int) -> int: ...


class StoreImpl(weaver.Implements[Store]):
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    async def get(self, key: str) -> int:
        return self.values.get(key, 0)

    async def put(self, key: str, value: int) -> None:
        self.values[key] = value

    async def add(self, key: str, delta: int) -> int:
        self.values[key] = self.values.get(key, 0) + delta
        return self.values[key]
