"""`weaver.testing.start(...)`: an app's components inside a test, in a chosen mode."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

from weaver import config as configmod
from weaver import tracing
from weaver.internal import registry
from weaver.internal.appload import load_app
from weaver.listener import Listener
from weaver.runtime.host import ComponentHost
from weaver.runtime.placement import LocalPlacement
from weaver.testing.inprocess import RpcPlacement

T = TypeVar("T")

MODES = ("local", "rpc")
"""Deployment modes a test can run in (use with `pytest.mark.parametrize`)."""
ALL_MODES = (*MODES, "multi")
"""With `multi` (components in subprocesses, 2 replicas each; slower: use it in a few tests)."""


class TestApp:
    """A started app: get components, reach listeners, run main."""

    __test__ = False  # not a pytest test class

    def __init__(self, host: ComponentHost, mode: str) -> None:
        self.host = host
        self.mode = mode
        self._main: asyncio.Task[None] | None = None

    def get(self, iface: type[T]) -> T:
        """What a `Ref[iface]` holds in this mode: a local stub, a client stub, or the fake."""
        reg = self.host.registration(iface)
        if reg.name in self.host.fakes:
            return self.host.fakes[reg.name]  # type: ignore[return-value]
        caller = self.host.placement.caller(reg.name)
        methods = [m.name for m in reg.methods]
        if caller is not None:
            stub = reg.client_stub(caller)
        else:
            stub = reg.local_stub(self.host._impls[reg.name])
        return tracing.wrap_stub(stub, reg.name, methods, "", caller is not None)  # type: ignore[return-value]

    def spans(self) -> list[tracing.SpanRecord]:
        """The spans finished in this process so far (with `[weaver.tracing] enabled = true`)."""
        c = tracing.collector()
        return list(c.spans) if c is not None else []

    def impl(self, iface: type[T]) -> Any:
        """The implementation object itself (to inspect its state in a test)."""
        return self.host._impls[self.host.registration(iface).name]

    def listener(self, name: str) -> Listener:
        """Listener `name` (bound to 127.0.0.1:0 unless the config says otherwise)."""
        return self.host.listener(name)

    async def start_main(self) -> asyncio.Task[None]:
        """Run `Main.main` in the background (cancelled when the app stops)."""
        if self._main is None:
            main = self.host._impls.get(registry.MAIN) or await self.host.impl(registry.MAIN)
            self._main = asyncio.create_task(main.main())  # type: ignore[attr-defined]
            # Listeners are bound before init, so clients may connect at once (they queue until
            # main accepts). One loop turn runs main to its first await: a main that fails
            # before it starts serving surfaces here.
            await asyncio.sleep(0)
            if self._main.done():
                self._main.result()  # surface a main that failed at once
        return self._main

    async def stop(self) -> None:
        if self._main is not None:
            self._main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
        await self.host.shutdown()


@contextlib.asynccontextmanager
async def start(
    app_package: str,
    mode: str = "local",
    fakes: Mapping[type, object] | None = None,
    config: Mapping[str, Any] | str | None = None,
    faults: bool = False,
) -> AsyncIterator[TestApp]:
    """Start every component of `app_package` (except faked ones) and stop them afterwards.

    `config` is a parsed config (a dict shaped like the TOML) or TOML text; `fakes` maps an
    interface to the object its Refs should hold instead of the real component. `faults`
    (multi mode only) routes calls through `app.chaos` (see weaver.testing.chaos).
    """
    if mode not in ALL_MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(ALL_MODES)}")
    if faults and mode != "multi":
        raise ValueError(f"faults=True needs mode='multi' (got {mode!r}); weaver.testing.sim faults a simulated app")
    load_app(app_package)
    parsed = configmod.parse(config, "<test config>") if isinstance(config, str) else dict(config or {})
    if mode == "multi":  # components in subprocesses: see weaver.testing.multimode
        from weaver.testing.multimode import start_multi

        async with start_multi(app_package, parsed, dict(fakes or {}), faults=faults) as multi_app:
            yield multi_app  # type: ignore[misc]
        return
    placement = RpcPlacement() if mode == "rpc" else LocalPlacement()
    names = {registry.find(iface).name: fake for iface, fake in (fakes or {}).items()}
    host = ComponentHost(registry.for_app(app_package), parsed, placement, names, replica=f"test-{mode}")
    if isinstance(placement, RpcPlacement):
        placement.host = host
    app = TestApp(host, mode)
    try:
        for name in sorted(host.registrations):
            if name not in names and name != registry.MAIN:
                await host.impl(name)
        yield app
    finally:
        await app.stop()
