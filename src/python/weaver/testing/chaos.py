"""Chaos in `multi` mode: faults on the routes between named components, for tests on real processes.

    async with weaver.testing.start("apps.hello", mode="multi", faults=True) as app:
        app.chaos.delay(Counter, 0.5, caller=Greeter)    # Greeter's calls to Counter: 0.5 s later
        app.chaos.fail_before(Counter)                   # calls to Counter fail, none runs
        app.chaos.fail_after(Counter, times=1)           # one call runs, its reply is lost
        app.chaos.heal()                                 # every route back to normal
        app.kill_replica(Counter, 0)                     # a crash: the manager restarts it

The fault kinds are the simulator's (`weaver.testing.sim.faults`): `fail_before`, `fail_after`,
`delay`, and `crash` (`MultiApp.kill_replica`). With faults on, every group's replicas (and the
test itself, as caller `"test"`) are told the address of an `Interposer` per (caller group,
callee component, replica) instead of the replica's own: a rule takes effect at once, on the
routes it names only, without waiting for routing to propagate.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Coroutine, Mapping, Sequence
from typing import overload

from weaver.internal import registry
from weaver.testing.interposer import Interposer, Rule

TEST_CALLER = "test"
"""The caller name of the calls the test itself makes through `app.get(...)`."""


class Chaos:
    """Fault rules per (caller, callee) and the interposers that carry them out.

    `groups` maps each group's name to the components it hosts (set by the deployment once
    it is planned); a rule's caller is a component, and matches the groups hosting it.
    """

    def __init__(self) -> None:
        self.groups: Mapping[str, Sequence[str]] = {}
        self._dir = tempfile.mkdtemp(prefix="wchaos")  # short: a Unix socket path has ~100 bytes
        self._routes: dict[tuple[str, str, str], Interposer] = {}
        self._rules: list[tuple[str | None, str, Rule]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._n = 0

    # Faults. Each returns its rule; `rule.hits` counts the calls it faulted.
    # `method` (a name) limits a rule to one method of `callee`; `times` to that many calls.
    def delay(
        self,
        callee: type | str,
        seconds: float,
        caller: type | str | None = None,
        replies: bool = False,
        times: int | None = None,
        method: str | None = None,
    ) -> Rule:
        """Hold back requests from `caller` (default: every caller) to `callee` by `seconds`;
        with `replies`, the callee runs at once and its replies are held back instead."""
        return self._add(callee, caller, Rule("delay", seconds, replies, times, _key(callee, method)))

    def fail_before(
        self, callee: type | str, caller: type | str | None = None, times: int | None = None, method: str | None = None
    ) -> Rule:
        """Fail calls (the next `times`, default all) before `callee` runs: it never sees them."""
        return self._add(callee, caller, Rule("fail_before", times=times, method=_key(callee, method)))

    def fail_after(
        self, callee: type | str, caller: type | str | None = None, times: int | None = None, method: str | None = None
    ) -> Rule:
        """Let calls run on `callee`, then lose their replies: the caller gets a CommunicationError."""
        return self._add(callee, caller, Rule("fail_after", times=times, method=_key(callee, method)))

    def heal(self, callee: type | str | None = None, caller: type | str | None = None) -> None:
        """Remove the rules on these routes (every rule when neither is given); held calls go on."""
        want_callee = None if callee is None else _name(callee)
        want_caller = None if caller is None else _name(caller)
        self._rules = [
            r for r in self._rules if not (want_callee in (None, r[1]) and want_caller in (None, r[0]))
        ]
        self._apply()

    def interposers(self, callee: type | str, caller_group: str | None = None) -> list[Interposer]:
        """The interposers in front of `callee`'s replicas (from `caller_group`, or any)."""
        name = _name(callee)
        return [r for (g, c, _), r in self._routes.items() if c == name and caller_group in (None, g)]

    def forwarded(self, callee: type | str, method: str, caller: type | str | None = None) -> int:
        """How many calls of `callee.method` (from `caller`'s groups, or anyone) reached a replica.

        Counted where requests are forwarded, so calls failed before do not count, calls whose
        reply was lost do, and a retried call counts once per attempt that got through.
        """
        key = _key(callee, method)
        return sum(r.calls[key] for r in self._from(callee, caller))

    def held(self, callee: type | str, caller: type | str | None = None) -> int:
        """Requests and replies on these routes held back by a delay right now."""
        return sum(r.held for r in self._from(callee, caller))

    def _from(self, callee: type | str, caller: type | str | None) -> list[Interposer]:
        if caller is None:
            return self.interposers(callee)
        name = _name(caller)
        groups = {TEST_CALLER} if name == TEST_CALLER else {g for g, m in self.groups.items() if name in m}
        return [r for g in groups for r in self.interposers(callee, g)]

    # The deployer's side (the manager's `routing_view`).
    def view(self, group: str, routing: dict[str, list[str]]) -> dict[str, list[str]]:
        """What `group`'s replicas are told: every replica's address replaced by its interposer's.

        Co-located components are interposed too: their replicas never dial them, except a
        routed component's calls to its own other replicas, which are remote calls like any.
        """
        out = {c: [self._route(group, c, a).address for a in addresses] for c, addresses in routing.items()}
        for (g, callee, address), route in list(self._routes.items()):
            if g == group and address not in routing.get(callee, [address]):  # that replica is gone
                del self._routes[(g, callee, address)]
                self._spawn(route.close())
        return out

    async def close(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for route in self._routes.values():
            await route.close()
        self._routes.clear()
        shutil.rmtree(self._dir, ignore_errors=True)

    # Internals.
    def _add(self, callee: type | str, caller: type | str | None, rule: Rule) -> Rule:
        callee_name, caller_name = _name(callee), None if caller is None else _name(caller)
        self._rules = [r for r in self._rules if (r[0], r[1]) != (caller_name, callee_name)]
        self._rules.append((caller_name, callee_name, rule))
        self._apply()
        return rule

    def _rule_for(self, group: str, callee: str) -> Rule | None:
        if not self._rules:
            return None
        members = {TEST_CALLER} if group == TEST_CALLER else set(self.groups.get(group, ()))
        for caller, name, rule in reversed(self._rules):  # the latest matching rule wins
            if name == callee and (caller is None or caller in members):
                return rule
        return None

    def _apply(self) -> None:
        for (group, callee, _), route in self._routes.items():
            route.set_rule(self._rule_for(group, callee))

    def _route(self, group: str, callee: str, address: str) -> Interposer:
        key = (group, callee, address)
        route = self._routes.get(key)
        if route is None:
            self._n += 1
            path = os.path.join(self._dir, f"{self._n}.sock")
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            route = self._routes[key] = Interposer(path, address, f"{group}->{callee}@{address}")
            route.set_rule(self._rule_for(group, callee))
            self._spawn(route.start())  # it listens already: early callers wait in its backlog
        return route

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


@overload
def _key(component: type | str, method: str) -> int: ...
@overload
def _key(component: type | str, method: None) -> None: ...
def _key(component: type | str, method: str | None) -> int | None:
    """The key of `component`'s method `method`; a ValueError names the methods it has."""
    if method is None:
        return None
    reg = registry.get(_name(component))
    for m in reg.methods:
        if m.name == method:
            return m.key
    raise ValueError(f"chaos: {reg.name} has no method {method!r} (it has {', '.join(m.name for m in reg.methods)})")


def _name(component: type | str) -> str:
    """A component's full name, from its interface or its full name; "test" is the test itself."""
    if isinstance(component, str):
        if component == TEST_CALLER:
            return component
        return registry.get(component).name
    return registry.find(component).name
