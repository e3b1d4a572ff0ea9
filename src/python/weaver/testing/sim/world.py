"""The simulated app: every component hosted in one process, every Ref a `SimCaller`.

Components are created (and `init`-ed) by a `ComponentHost` whose placement puts each one
"remote", so every call between components, and from the workload, goes through the
generated client stubs and handlers. A crash cancels the replica's in-flight handlers and
recreates it: its in-memory state is lost and `init` runs again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any, TypeVar

from weaver.internal import registry
from weaver.internal.caller import Caller, Handler
from weaver.internal.registry import Registration
from weaver.runtime.host import ComponentHost
from weaver.testing.sim.caller import SimCaller, run_handler
from weaver.testing.sim.faults import Injector
from weaver.testing.sim.history import History

T = TypeVar("T")


class _SimPlacement:
    def __init__(self, world: World) -> None:
        self.world = world
        self.callers: dict[str, SimCaller] = {}

    def caller(self, component: str) -> Caller | None:
        if component not in self.callers:
            self.callers[component] = SimCaller(self.world, component)
        return self.callers[component]


class World:
    """One run's components, fault injector, seeded network and history."""

    def __init__(
        self,
        registrations: Mapping[str, Registration],
        config: Mapping[str, Any],
        injector: Injector,
        net_rng: random.Random,
        history: History,
    ) -> None:
        self.registrations = registrations
        self.injector = injector
        self.net_rng = net_rng
        self.history = history
        self.placement = _SimPlacement(self)
        self.host = ComponentHost(registrations, config, self.placement, replica="sim")
        self.handlers: dict[str, dict[int, Handler]] = {}
        self.inflight: dict[str, list[asyncio.Task[tuple[bool, bytes]]]] = {}
        self.restarts: dict[str, int] = {}

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def record(self, text: str) -> None:
        self.history.record(self.now(), text)

    async def start(self) -> None:
        for name in sorted(self.registrations):
            if name != registry.MAIN:
                await self.host.impl(name)

    def get(self, iface: type[T]) -> T:
        """A client stub for `iface`: calls go through the simulated transport."""
        reg = self.host.registration(iface)
        return reg.client_stub(self.placement.caller(reg.name))  # type: ignore[arg-type, return-value]

    def impl(self, iface: type) -> Any:
        """The current implementation object of `iface` (a new one after each restart)."""
        return self.host._impls[self.host.registration(iface).name]

    async def deliver(self, component: str, key: int, payload: bytes, where: str) -> asyncio.Task[tuple[bool, bytes]]:
        """Start the handler of method `key` on the component's replica as a task."""
        handlers = self.handlers.get(component)
        if handlers is None:
            impl = await self.host.impl(component)
            handlers = self.handlers[component] = self.registrations[component].handlers(impl)
        task = asyncio.get_running_loop().create_task(run_handler(handlers[key], payload, where))
        tasks = self.inflight.setdefault(component, [])
        tasks.append(task)
        task.add_done_callback(tasks.remove)
        return task

    async def restart(self, component: str) -> None:
        """Crash the replica of `component` and start a fresh one (state lost, init again)."""
        for task in list(self.inflight.get(component, ())):
            task.cancel()
        host = self.host  # ComponentHost has no "forget": drop its records of the old object
        host._impls.pop(component, None)
        host._ready.pop(component, None)
        if component in host._order:
            host._order.remove(component)
        self.handlers.pop(component, None)
        self.restarts[component] = self.restarts.get(component, 0) + 1
        await host.impl(component)
        self.record(f"restarted {component.rsplit('.', 1)[-1]} (state lost, init ran again)")

    def busy(self) -> bool:
        return any(self.inflight.values())
