"""Store: keyed items, with methods covering each call feature."""

from __future__ import annotations

import asyncio
import datetime

import msgspec

import weaver

from . import audit  # noqa: F401 (used in the `audit: weaver.Ref[audit.Audit]` annotation)
from .model import EVENTS, Item, Items, NotFound, Stamp


class Missing(weaver.AppError):
    """An app error: keeps its type across the wire."""


class Store(weaver.Component):
    @weaver.not_retriable  # it records to Audit: twice would record twice
    async def put(self, key: str, item: Item, *, note: str = "") -> Stamp: ...

    async def get(self, key: str) -> Item | None: ...

    async def all(self) -> Items: ...

    @weaver.routed(by="key")
    async def require(self, key: str) -> Item: ...

    @weaver.not_retriable
    async def bump(self) -> int: ...

    async def bump_retriable(self) -> int: ...

    async def fail(self, kind: str) -> None: ...

    async def sleep(self, seconds: float) -> None: ...


class StoreConfig(msgspec.Struct):
    capacity: int = 10
    name: str = "store"


class StoreImpl(weaver.Implements[Store], weaver.WithConfig[StoreConfig]):
    audit: weaver.Ref[audit.Audit]

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.bumps = 0

    async def init(self) -> None:
        EVENTS.append("init Store")

    async def shutdown(self) -> None:
        EVENTS.append("shutdown Store")

    async def put(self, key: str, item: Item, *, note: str = "") -> Stamp:
        if len(self.items) >= self.config.capacity:
            raise Missing(f"full at {self.config.capacity}")
        self.items[key] = item
        await self.audit.record(f"put {key}")
        return Stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC), note or None)

    async def get(self, key: str) -> Item | None:
        return self.items.get(key)

    async def all(self) -> Items:
        return list(self.items.values())

    async def require(self, key: str) -> Item:
        match self.items.get(key):
            case None:
                raise Missing(key)
            case Item() as item:
                return item

    async def bump(self) -> int:
        self.bumps += 1
        return self.bumps

    async def bump_retriable(self) -> int:
        self.bumps += 1
        return self.bumps

    async def fail(self, kind: str) -> None:
        match kind:
            case "app":
                raise Missing("asked to fail")
            case "plain":
                raise NotFound("plain failure")
            case _:
                raise ValueError(kind)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
