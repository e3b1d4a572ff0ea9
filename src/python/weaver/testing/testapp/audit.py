"""Audit: records events; holds a Ref back to Store (a cycle in the component graph)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import weaver

from .model import EVENTS

if TYPE_CHECKING:
    from .store import Store


class Audit(weaver.Component):
    @weaver.not_retriable
    async def record(self, event: str) -> None: ...

    async def log(self) -> list[str]: ...


class AuditImpl(weaver.Implements[Audit]):
    store: weaver.Ref[Store]

    def __init__(self) -> None:
        self.events: list[str] = []

    async def init(self) -> None:
        EVENTS.append("init Audit")

    async def shutdown(self) -> None:
        EVENTS.append("shutdown Audit")

    async def record(self, event: str) -> None:
        self.events.append(event)

    async def log(self) -> list[str]:
        return list(self.events)
