"""The proclet: the part of every app process that hosts components for a deployer.

It serves its components with a `weaver.rpc.Server`, reaches the others through `ReplicaSet`s
(a `RemotePlacement`), and talks to its envelope over a pipe: it registers, learns which
components to host, reports when they are served and where its listeners are bound, answers
health checks, takes routing updates, ships its logs, and stops when told (or when the pipe
closes: a proclet never outlives its envelope).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from typing import Any

from weaver import config as configmod
from weaver import tracing
from weaver.internal import envvars, registry
from weaver.internal.appload import load_app
from weaver.listener import Listener, bind
from weaver.rpc import Identity, Server
from weaver.runtime import messages as m
from weaver.runtime import metricsreport
from weaver.runtime.host import ComponentHost
from weaver.runtime.logsink import PipeLogHandler
from weaver.runtime.pipe import Pipe, PipeError
from weaver.runtime.remote import RemotePlacement

log = logging.getLogger("weaver.proclet")

FIRST_MESSAGE_TIMEOUT = 30.0
LOG_FLUSH_INTERVAL = 0.05


class Proclet:
    """One replica of one colocation group."""

    def __init__(
        self, app_package: str, sock: socket.socket, app: str, version: str, replica: str, standalone: bool = True
    ) -> None:
        self.app_package = app_package
        self.standalone = standalone
        """Owns its process: takes over logging and SIGINT/SIGTERM (False inside tests and benchmarks)."""
        self.host: ComponentHost | None = None
        self.sock = sock
        self.app = app
        self.version = version
        self.replica = replica
        self.identity = Identity(app, version, replica)
        self.server = Server({}, app, version, replica)
        self.logs = PipeLogHandler(app, version, replica, "")
        self.placement: RemotePlacement | None = None
        self.routing: dict[str, list[str]] = {}
        self.shared_listeners: dict[str, str] = {}
        """Listener name -> address this replica shares with the others (SO_REUSEPORT)."""
        self.started = False
        self.stopping = asyncio.Event()
        self.grace = 0.0
        self.pipe: Pipe[m.ToProclet] | None = None

    async def run(self) -> int:
        """Serve until stopped; returns the exit status."""
        if self.standalone:
            self._install_logging()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self._stop, 2.0)
        pipe = self.pipe = await Pipe.open(self.sock, m.ToProclet, f"proclet {self.replica} pipe")
        flusher = asyncio.create_task(self._flush_logs(pipe))
        reporter: asyncio.Task[None] | None = None
        host: ComponentHost | None = None
        main: asyncio.Task[None] | None = None
        code = 0
        try:
            host, main = await self._start(pipe)
            interval = configmod.options(host.config).metrics.report_interval
            reporter = asyncio.create_task(metricsreport.report_every(pipe, self.version, interval))
            reader = asyncio.create_task(self._read(pipe))
            waiters: set[asyncio.Future[Any]] = {reader, asyncio.ensure_future(self.stopping.wait())}
            if main is not None:
                waiters.add(main)
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            if reader.done() and not reader.cancelled() and reader.exception() is not None:
                log.error("proclet %s: %s; stopping", self.replica, reader.exception())
                code = 2
            elif main is not None and main.done() and not self.stopping.is_set():
                code = _main_outcome(main)
            for w in waiters:
                if w is not main:
                    w.cancel()
        except (PipeError, configmod.ConfigError, TimeoutError, ValueError, KeyError) as e:
            log.error("proclet %s failed to start: %s", self.replica, e)
            code = 2
        except Exception:
            log.exception("proclet %s failed", self.replica)
            code = 1
        finally:
            await self._shutdown(self.host, main)
            flusher.cancel()
            if reporter is not None:
                reporter.cancel()
                metricsreport.send(pipe, self.version)  # the last figures, so none are lost at a stop
            self._send_logs(pipe)
            await pipe.flush()
            pipe.close()
        return code

    async def _start(self, pipe: Pipe[m.ToProclet]) -> tuple[ComponentHost, asyncio.Task[None] | None]:
        config = configmod.load()
        load_app(self.app_package)
        regs = registry.for_app(self.app_package)
        address = await self.server.listen(os.environ.get(envvars.RPC_LISTEN) or "tcp://127.0.0.1:0")
        rpc_dir = os.environ.get(envvars.RPC_DIR, "")
        local = await self.server.listen(f"unix://{os.path.join(rpc_dir, 'rpc.sock')}") if rpc_dir else ""
        pipe.send(m.RegisterReplica(self.app, self.version, "", self.replica, os.getpid(), address, local))
        async with asyncio.timeout(FIRST_MESSAGE_TIMEOUT):
            while isinstance(first := await pipe.recv(), m.HealthCheck | m.RoutingInfo):
                self.handle(first)  # not started yet: unhealthy; routing kept for later
        if not isinstance(first, m.ComponentsToHost):
            raise PipeError(f"proclet pipe: expected ComponentsToHost first, got {type(first).__name__}")
        unknown = [c for c in first.components if c not in regs]
        if unknown:
            raise KeyError(f"asked to host unknown component(s) {unknown}; the app has {sorted(regs)}")
        self.logs.group = first.group
        self.shared_listeners = dict(first.listeners)
        self.placement = RemotePlacement(first.components, self.identity, self._need)
        self.placement.update(self.routing)
        host = self.host = ComponentHost(regs, config, self.placement, replica=self.replica, listen=self._listen)
        for name in sorted(first.components):
            reg = regs[name]
            impl = await host.impl(name)
            handlers = tracing.wrap_handlers(reg.handlers(impl), name, {s.key: s.name for s in reg.methods})
            self.server.add_handlers(handlers, {s.key: f"{name}.{s.name}" for s in reg.methods})
        self.started = True
        pipe.send(m.ComponentsStarted(sorted(first.components)))
        log.info("proclet %s hosts %s on %s", self.replica, ", ".join(sorted(first.components)), address)
        main = None
        if registry.MAIN in first.components:
            main_obj = await host.impl(registry.MAIN)
            main = asyncio.create_task(main_obj.main())  # type: ignore[attr-defined]
        return host, main

    async def _read(self, pipe: Pipe[m.ToProclet]) -> None:
        while (msg := await pipe.recv()) is not None:
            self.handle(msg)
        log.info("proclet %s: envelope closed the pipe; stopping", self.replica)

    def handle(self, msg: m.ToProclet) -> None:
        """Act on one message from the envelope."""
        if isinstance(msg, m.RoutingInfo):
            self.routing = msg.replicas
            if self.placement is not None:
                self.placement.update(msg.replicas)
        elif isinstance(msg, m.HealthCheck):
            if self.pipe is not None:
                self.pipe.send(m.HealthReply(msg.id, self.started and not self.stopping.is_set()))
        elif isinstance(msg, m.Stop):
            self._stop(msg.grace)
        else:
            log.warning("proclet %s: unexpected %s after start; ignored", self.replica, type(msg).__name__)

    def _stop(self, grace: float) -> None:
        if not self.stopping.is_set():
            self.grace = max(0.0, grace)
            self.stopping.set()

    async def _shutdown(self, host: ComponentHost | None, main: asyncio.Task[None] | None) -> None:
        """Stop main, let calls in flight finish (within the grace period), then close."""
        self.started = False
        if main is not None and not main.done():
            main.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(main, timeout=max(self.grace, 0.1))
        loop = asyncio.get_running_loop()
        until = loop.time() + self.grace
        while _in_flight(self.server) and loop.time() < until:
            await asyncio.sleep(0.02)
        await self.server.close()
        if host is not None:
            await host.shutdown()
        if self.placement is not None:
            await self.placement.close()

    def _listen(self, name: str) -> Listener:
        shared = self.shared_listeners.get(name)
        listener = bind(name, shared, reuse_port=True) if shared else bind(name, "127.0.0.1:0")
        if self.pipe is not None:
            self.pipe.send(m.ListenerReady(name, listener.address))
        return listener

    def _need(self, component: str) -> None:
        if self.pipe is not None:
            self.pipe.send(m.StartComponent(component))

    def _install_logging(self) -> None:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(self.logs)
        root.setLevel(logging.INFO)

    def _send_logs(self, pipe: Pipe[m.ToProclet]) -> None:
        batch = self.logs.take()
        if batch is not None:
            pipe.send(batch)

    async def _flush_logs(self, pipe: Pipe[m.ToProclet]) -> None:
        """Send queued log entries in batches; sleeps until there is something to send."""
        loop = asyncio.get_running_loop()
        pending = asyncio.Event()

        def wake() -> None:
            loop.call_soon_threadsafe(pending.set)

        self.logs.on_first = wake
        if self.logs.queue:
            pending.set()
        while True:
            await pending.wait()
            pending.clear()
            await asyncio.sleep(LOG_FLUSH_INTERVAL)  # batch what arrives meanwhile
            self._send_logs(pipe)


def _in_flight(server: Server) -> int:
    """Handlers still running on `server` (its connections' task tables)."""
    return sum(len(getattr(conn, "_tasks", ())) for conn in server.connections)


def _main_outcome(main: asyncio.Task[None]) -> int:
    if main.cancelled():
        return 0
    exc = main.exception()
    if exc is not None:
        log.error("main failed: %r", exc, exc_info=exc)
        return 1
    log.info("main returned")
    return 0
