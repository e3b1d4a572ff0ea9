"""The `multi` test mode: the app's components spread over subprocesses, as `weaver multi` runs them.

Each component gets its own group (unless the config colocates it) with `replicas` processes
started from source (`sys.path` passed as PYTHONPATH); the test process reaches components
through `ReplicaSet`s kept up to date with the manager's routing info, and listeners at the
address their replicas share on 127.0.0.1. State and logs go to a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from weaver.deployers.multi.manager import Manager
from weaver.internal import registry
from weaver.rpc import Identity
from weaver.runtime import launch
from weaver.runtime.remote import RemotePlacement
from weaver.runtime.status import ReplicaStatus
from weaver.testing.chaos import TEST_CALLER, Chaos
from weaver.testing.eventually import eventually
from weaver.tracing import SpanRecord

T = TypeVar("T")

READY_TIMEOUT = 60.0


class ProxyAddress:
    """A listener of a multi-mode app as a test sees it: the address its replicas share."""

    def __init__(self, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.host, _, port = address.rpartition(":")
        self.port = int(port)


class MultiApp:
    """A multi-deployed app inside a test: stubs, listeners, and replica fault injection."""

    __test__ = False
    mode = "multi"

    def __init__(self, manager: Manager, placement: RemotePlacement, chaos: Chaos | None = None) -> None:
        self.manager = manager
        self.placement = placement
        self._chaos = chaos
        self._idle: asyncio.Task[None] | None = None
        self.killed: set[int] = set()

    def get(self, iface: type[T]) -> T:
        """A client stub over the component's replicas."""
        reg = registry.find(iface)
        caller = self.placement.caller(reg.name)
        assert caller is not None
        return reg.client_stub(caller)  # type: ignore[return-value]

    @property
    def chaos(self) -> Chaos:
        """Faults between named components (see weaver.testing.chaos); needs `faults=True`."""
        if self._chaos is None:
            raise RuntimeError("app.chaos: start the app with weaver.testing.start(..., mode='multi', faults=True)")
        return self._chaos

    def listener(self, name: str) -> ProxyAddress:
        return ProxyAddress(name, self.manager.listeners[name])

    async def start_main(self) -> asyncio.Task[None]:
        """Main already runs in its group's replicas; this only exists for mode-agnostic tests."""
        if self._idle is None:
            self._idle = asyncio.create_task(_forever())
        return self._idle

    def replicas(self, iface: type | str) -> list[ReplicaStatus]:
        """The replicas of the group hosting `iface` (an interface or a full name)."""
        return self.manager.replicas_of(iface if isinstance(iface, str) else registry.find(iface).name)

    def kill_replica(self, iface: type | str, index: int = 0, sig: int = signal.SIGKILL) -> int:
        """Kill replica `index` of `iface`'s group (the manager restarts it); returns its pid."""
        pid = self.replicas(iface)[index].pid
        assert pid, f"replica {index} of {iface} has no process yet"
        self.killed.add(pid)
        os.kill(pid, sig)
        return pid

    async def wait_recovered(self, iface: type | str, timeout: float = 30.0) -> None:
        """Wait until every replica of `iface`'s group is healthy and none is one we killed."""

        def recovered() -> bool:
            return all(r.healthy and r.pid and r.pid not in self.killed for r in self.replicas(iface))

        try:
            await eventually(recovered, timeout=timeout, what=f"{iface} to recover")
        except AssertionError:
            raise TimeoutError(f"{iface} did not recover in {timeout}s: {self.manager.status().groups}") from None

    def spans(self) -> list[SpanRecord]:
        """The spans the replicas reported to the manager so far (`[weaver.tracing]`)."""
        return self.manager.traces.all_spans()

    def impl(self, iface: type) -> Any:
        raise TypeError("multi mode: implementations live in other processes; test through get()")


@contextlib.asynccontextmanager
async def start_multi(
    app_package: str,
    config: Mapping[str, Any],
    fakes: Mapping[type, object] | None = None,
    replicas: int = 2,
    faults: bool = False,
) -> AsyncIterator[MultiApp]:
    """Deploy `app_package` from source over subprocesses; stop everything on exit.

    With `faults`, every call between groups (and from the test) goes through the chaos
    layer's interposers, and `app.chaos` injects faults on them.
    """
    from weaver.deployers.multi.deployment import deploy

    if fakes:
        raise ValueError("multi mode cannot use fakes (components run in other processes)")
    tmp = Path(tempfile.mkdtemp(prefix="weaver_multi_"))
    manager: Manager | None = None
    placement: RemotePlacement | None = None
    chaos = Chaos() if faults else None
    try:
        config_path = tmp / "config.toml"
        config_path.write_text(_toml(config), encoding="utf-8")  # TOML is UTF-8, whatever the locale
        spec = launch.from_source(app_package, str(config_path))
        view = None if chaos is None else chaos.view
        manager = await deploy(spec, replicas, private_listeners=True, directory=tmp / "state", routing_view=view)
        if chaos is not None:
            chaos.groups = {g.name: list(g.components) for g in manager.groups}
        placement = RemotePlacement((), Identity(manager.info.app, manager.info.version, "test"))
        test_placement = placement

        def update(routing: dict[str, list[str]]) -> None:
            test_placement.update(routing if chaos is None else chaos.view(TEST_CALLER, routing))

        manager.routing_watchers.append(update)
        if not await manager.wait_healthy(READY_TIMEOUT):
            raise TimeoutError(f"{app_package} not healthy in {READY_TIMEOUT}s: {manager.status()}")
        update(manager.routing())
        yield MultiApp(manager, placement, chaos)
    finally:
        if manager is not None:
            await manager.stop(grace=2.0)
        if placement is not None:
            await placement.close()
        if chaos is not None:
            await chaos.close()
        shutil.rmtree(tmp, ignore_errors=True)


async def _forever() -> None:
    await asyncio.Event().wait()


def _toml(config: Mapping[str, Any]) -> str:
    """Write a parsed config back as TOML (tables of scalars, lists and nested tables)."""
    lines: list[str] = []

    def table(prefix: str, value: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in value.items() if not isinstance(v, Mapping)}
        if scalars or not prefix or not value:  # an empty table still needs its header
            if prefix:
                lines.append(f"[{prefix}]")
            lines.extend(f"{_key(k)} = {_value(v)}" for k, v in scalars.items())
        for k, v in value.items():
            if isinstance(v, Mapping):
                table(f"{prefix}.{_key(k)}" if prefix else _key(k), v)

    table("", config)
    return "\n".join(lines) + "\n"


def _key(k: str) -> str:
    return k if k.isascii() and k.replace("_", "").replace("-", "").isalnum() else _value(k)


def _value(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, str):  # TOML has no surrogate escapes (json's for non-BMP) and refuses a raw DEL
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    return json.dumps(v)


__all__ = ["MultiApp", "ProxyAddress", "start_multi"]
