"""Chaos in `multi` mode: faults on the routes between named components, and replica kills.

    async with weaver.testing.start("apps.hello", mode="multi", faults=True) as app:
        app.chaos.delay(Counter, 0.5, caller=Greeter)   # Greeter's calls to Counter take 0.5 s more
        app.chaos.fail_before(Counter)                  # every call to Counter fails, none runs
        app.chaos.fail_after(Counter, caller=Greeter)   # Counter runs, its replies to Greeter are lost
        app.chaos.heal()                                # all routes back to normal
        app.kill_replica(Counter, 0)                    # crash: the manager restarts it

The fault kinds are the simulator's (`weaver.testing.sim.faults`): `fail_before`, `fail_after`,
`delay`, and `crash` (`kill_replica`). With faults on, the deployment routes every call between
groups (and the test's own calls, as caller "test") through an `Interposer` per route, so a
fault takes effect at once, without waiting for routing to propagate.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable

from weaver.internal import registry
from weaver.testing.interposer import Interposer, Mode

TEST_CALLER = "test"
"""The caller name of calls the test itself makes through `app.get(...)`."""


class Chaos:
    """Fault rules per (caller, callee) and the interposers that carry them out."""

    def __init__(self, group_components: Callable[[str], list[str]]) -> None:
        self._components_of = group_components
        self._dir = tempfile.mkdtemp(prefix="wchaos")  # short: a Unix socket path has ~100 bytes
        self._routes: dict[tuple[str, str, str], Interposer] = {}
        self._rules: list[tuple[str | None, str, Mode]] = []
        self._starting: set[asyncio.Task[None]] = set()

    # Faults.
    def delay(self, callee: type | str, seconds: float, caller: type | str | None = None) -> None:
        """Hold back each request from `caller` (default: every caller) to `callee` by `seconds`."""
        if seconds < 0:
            raise ValueError(f"chaos.delay: seconds must be >= 0, got {seconds}")
        self._rule(callee, caller, Mode("delay", seconds))

    def fail_before(self, callee: type | str, caller: type | str | None = None) -> None:
        """Cut the route: calls in flight and new calls fail, and the callee never runs them."""
        self._rule(callee, caller, Mode("fail_before"))

    def fail_after(self, callee: type | str, caller: type | str | None = None) -> None:
        """Let calls reach `callee` but lose its replies (the caller sees its connection cut)."""
        self._rule(callee, caller, Mode("fail_after"))

    def heal(self, callee: type | str | None = None, caller: type | str | None = None) -> None:
        """Remove the rules for this route (all rules when neither is given)."""
        if callee is None and caller is None:
            self._rules.clear()
        else:
            want_callee = None if callee is None else _name(callee)
            want_caller = None if caller is None else _name(caller)
            self._rules = [
                r for r in self._rules if not ((want_callee in (None, r[1])) and (want_caller in (None, r[0])))
            ]
        self._apply()

    # The deployer's side.
    def view(self, group: str, routing: dict[str, list[str]]) -> dict[str, list[str]]:
        """What `group`'s replicas are told: every remote route goes through its interposer."""
        own = set(self._components_of(group))
        out: dict[str, list[str]] = {}
        for callee, addresses in routing.items():
            if callee in own:
                out[callee] = addresses  # co-located: a plain await, nothing to interpose
            else:
                out[callee] = [self._route(group, callee, a).address for a in addresses]
        return out

    async def close(self) -> None:
        await asyncio.gather(*self._starting, return_exceptions=True)
        for route in self._routes.values():
            await route.close()
        self._routes.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    def interposers(self, callee: type | str) -> list[Interposer]:
        """The interposers in front of `callee`'s replicas (for tests that count connections)."""
        name = _name(callee)
        return [r for (_, c, _), r in self._routes.items() if c == name]

    # Internals.
    def _rule(self, callee: type | str, caller: type | str | None, mode: Mode) -> None:
        callee_name, caller_name = _name(callee), None if caller is None else _name(caller)
        self._rules = [r for r in self._rules if (r[0], r[1]) != (caller_name, callee_name)]
        self._rules.append((caller_name, callee_name, mode))
        self._apply()

    def _mode(self, group: str, callee: str) -> Mode:
        members = set(self._components_of(group)) | ({TEST_CALLER} if group == TEST_CALLER else set())
        for caller, name, mode in reversed(self._rules):  # the latest matching rule wins
            if name == callee and (caller is None or caller in members):
                return mode
        return Mode()

    def _apply(self) -> None:
        for (group, callee, _), route in self._routes.items():
            route.set_mode(self._mode(group, callee))

    def _route(self, group: str, callee: str, address: str) -> Interposer:
        key = (group, callee, address)
        route = self._routes.get(key)
        if route is None:
            path = os.path.join(self._dir, f"{len(self._routes)}.sock")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            route = self._routes[key] = Interposer(path, address)
            route.set_mode(self._mode(group, callee))
            task = asyncio.get_running_loop().create_task(route.start())  # it listens already
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)
        return route


def _name(component: type | str) -> str:
    if isinstance(component, str):
        return component if component == TEST_CALLER else registry.get(component).name  # a full name
    return registry.find(component).name
