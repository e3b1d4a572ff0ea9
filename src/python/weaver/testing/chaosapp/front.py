"""Front: the caller. It calls Back and returns the outcome as text ("ok <pid>" or the error's type)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import weaver

from .back import Back, Run


class Front(weaver.Component):
    async def work(self, tag: str, deadline: float = 0.0) -> str: ...

    @weaver.not_retriable
    async def work_once(self, tag: str, deadline: float = 0.0) -> str: ...


class FrontImpl(weaver.Implements[Front]):
    back: weaver.Ref[Back]

    async def work(self, tag: str, deadline: float = 0.0) -> str:
        return await self._outcome(self.back.work, tag, deadline)

    async def work_once(self, tag: str, deadline: float = 0.0) -> str:
        return await self._outcome(self.back.work_once, tag, deadline)

    async def _outcome(self, method: Callable[[str], Awaitable[Run]], tag: str, deadline: float) -> str:
        """`deadline` > 0 bounds the call to Back (seconds)."""
        try:
            if deadline > 0:
                async with weaver.deadline(deadline):
                    run = await method(tag)
            else:
                run = await method(tag)
        except weaver.WeaverError as e:
            return type(e).__name__
        return f"ok {run.pid}"
