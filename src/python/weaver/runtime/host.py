"""Hosts components in one process: creates them on first use and wires them together.

Creating a component creates the components it refers to first (so `init` hooks run
dependencies first), fills its `Ref` fields (a local stub, a client stub, or a fake),
its `Listener` fields and its config, then awaits its `init`. `shutdown` runs the
`shutdown` hooks in reverse creation order.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from weaver import config as configmod
from weaver import tracing
from weaver.internal import accesslog, envvars
from weaver.internal.registry import Registration
from weaver.listener import Listener, bind
from weaver.log import component_logger
from weaver.runtime import callmetrics
from weaver.runtime.placement import LocalPlacement, Placement

log = logging.getLogger("weaver.runtime")

_creating: ContextVar[frozenset[str]] = ContextVar("weaver_creating", default=frozenset())
"""Components being created by the current chain of creations (to break Ref cycles)."""


class ComponentHost:
    """The components of one process, keyed by full name."""

    def __init__(
        self,
        registrations: Mapping[str, Registration],
        config: Mapping[str, Any] | None = None,
        placement: Placement | None = None,
        fakes: Mapping[str, object] | None = None,
        replica: str | None = None,
        listen: Callable[[str], Listener] | None = None,
    ) -> None:
        self.registrations = registrations
        self.config = config or {}
        self.placement = placement or LocalPlacement()
        self.fakes = dict(fakes or {})
        self.replica = replica or f"{os.getpid()}"
        self._listen = listen or self._bind_from_config
        self._impls: dict[str, object] = {}
        self._ready: dict[str, asyncio.Future[object]] = {}
        self._order: list[str] = []
        self.listeners: dict[str, Listener] = {}
        self.validate()

    def validate(self) -> None:
        """Decode every component's config section now, so a bad config fails at start."""
        opts = configmod.options(self.config)
        callmetrics.configure(opts.metrics)
        tracing.configure(opts.tracing, self.replica, opts.name or "weaver")
        accesslog.configure(opts.access_log if opts.access_log is not None else envvars.PROCLET in os.environ)
        for reg in self.registrations.values():
            if reg.config_type is not None:
                configmod.decode(self.config, reg.name, reg.config_type)

    def registration(self, iface: type) -> Registration:
        for reg in self.registrations.values():
            if reg.iface is iface:
                return reg
        raise KeyError(
            f"no component registered for {iface.__module__}.{iface.__qualname__}; "
            "is it implemented, and is its package's weaver_gen imported?"
        )

    async def get(self, iface: type) -> Any:
        """What a `Ref[iface]` would hold here (creating the component if needed)."""
        return await self.ref(self.registration(iface).name)

    async def ref(self, name: str, caller: str = "") -> object:
        """A fake, a client stub over the placement's Caller, or the local stub.

        `caller` is the component that will hold the Ref ("" outside one): it labels metrics.
        """
        if name in self.fakes:
            return self.fakes[name]
        reg = self.registrations[name]
        transport = self.placement.caller(name)
        methods = [m.name for m in reg.methods]
        if transport is not None:
            return tracing.wrap_stub(reg.client_stub(transport, caller), name, methods, caller, remote=True)
        return tracing.wrap_stub(reg.local_stub(await self.impl(name), caller), name, methods, caller, remote=False)

    async def impl(self, name: str) -> object:
        """The implementation object of `name`, created (and init-ed) on first use."""
        done = self._ready.get(name)
        if done is not None:
            if name in _creating.get():  # a Ref cycle: hand out the object before its init ran
                return self._impls[name]
            return await asyncio.shield(done)
        done = self._ready[name] = asyncio.get_running_loop().create_future()
        token = _creating.set(_creating.get() | {name})
        try:
            obj = await self._create(self.registrations[name])
        except BaseException as e:
            del self._ready[name]
            self._impls.pop(name, None)
            if isinstance(e, asyncio.CancelledError):
                done.cancel()
            elif not done.done():
                done.set_exception(e)
                done.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            _creating.reset(token)
        done.set_result(obj)
        return obj

    async def _create(self, reg: Registration) -> object:
        obj: Any = object.__new__(reg.impl)
        self._impls[reg.name] = obj
        obj._weaver_name = reg.name
        obj._weaver_logger = component_logger(reg.name, self.replica)
        if reg.config_type is not None:
            obj._weaver_config = configmod.decode(self.config, reg.name, reg.config_type)
        for field_name in reg.listeners:
            setattr(obj, field_name, self.listener(field_name))
        for field_name, target in sorted(reg.ref_fields.items()):
            setattr(obj, field_name, await self.ref(target, reg.name))
        obj.__init__()
        init = getattr(obj, "init", None)
        if init is not None:
            await init()
        self._order.append(reg.name)
        log.debug("started %s", reg.name)
        return obj

    def listener(self, name: str) -> Listener:
        """The listener named `name`, bound on first request."""
        if name not in self.listeners:
            self.listeners[name] = self._listen(name)
            log.info("listener %s bound to %s", name, self.listeners[name].address)
        return self.listeners[name]

    def _bind_from_config(self, name: str) -> Listener:
        return bind(name, configmod.listener_address(self.config, name))

    async def start_all(self) -> None:
        """Create every registered component that is hosted here (eager start)."""
        for name in sorted(self.registrations):
            if name not in self.fakes and self.placement.caller(name) is None:
                await self.impl(name)

    async def shutdown(self) -> None:
        """Run `shutdown` hooks in reverse creation order, then close the listeners."""
        for name in reversed(self._order):
            hook = getattr(self._impls[name], "shutdown", None)
            if hook is not None:
                try:
                    await hook()
                except Exception:
                    log.exception("shutdown of %s failed", name)
        self._order.clear()
        for listener in self.listeners.values():
            listener.close()
        self.listeners.clear()
