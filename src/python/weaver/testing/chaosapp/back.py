"""Back: the callee. Every run is written to the ledger; `remember` keeps in-memory state."""

from __future__ import annotations

import os

import msgspec

import weaver


class Run(msgspec.Struct, frozen=True):
    """Which replica process ran a call, and how many items it remembers."""

    pid: int
    items: int


class Back(weaver.Component):
    async def work(self, tag: str) -> Run: ...

    @weaver.not_retriable  # tests count its runs: at most one per call
    async def work_once(self, tag: str) -> Run: ...

    async def remember(self, item: str) -> Run: ...

    async def whoami(self) -> Run: ...


class BackConfig(msgspec.Struct):
    ledger: str = ""
    """A file each run appends `<pid> <what>` to ("" : none)."""


class BackImpl(weaver.Implements[Back], weaver.WithConfig[BackConfig]):
    def __init__(self) -> None:
        self.items: set[str] = set()

    async def init(self) -> None:
        self._log("init")

    async def work(self, tag: str) -> Run:
        self._log(f"work {tag}")
        return self._run()

    async def work_once(self, tag: str) -> Run:
        self._log(f"work_once {tag}")
        return self._run()

    async def remember(self, item: str) -> Run:
        self.items.add(item)
        return self._run()

    async def whoami(self) -> Run:
        return self._run()

    def _run(self) -> Run:
        return Run(os.getpid(), len(self.items))

    def _log(self, what: str) -> None:
        if self.config.ledger:
            with open(self.config.ledger, "a", encoding="utf-8") as f:  # one short append: atomic
                f.write(f"{os.getpid()} {what}\n")
