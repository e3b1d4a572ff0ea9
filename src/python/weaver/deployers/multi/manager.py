"""The manager of a multiprocess deployment: replicas, restarts, routing, listeners, status.

It starts `replicas` envelopes per group, restarts a replica that exits or fails its health
checks (with backoff; a crash never stops the deployment), pushes routing info (the started,
healthy replicas of each component) to every proclet when it changes, exports each listener
and publishes status.json. It is never on the call path: proclets call each other directly,
and a listener's replicas share its port (SO_REUSEPORT, see `weaver.deployers.multi.sharedport`);
only where that is unavailable does a balancing proxy here forward the listener's connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from weaver import config as configmod
from weaver.dashboard.routes import routes as dashboard_routes
from weaver.deployers.multi import deployments
from weaver.deployers.multi.dashboard import ManagerSource
from weaver.deployers.multi.logstore import LogWriter
from weaver.deployers.multi.sharedport import SharedPort, available
from weaver.deployers.multi.tcpproxy import BalancingProxy
from weaver.deployers.multi.tracestore import TraceStore
from weaver.metrics.snapshot import MetricSnapshot
from weaver.runtime import ingest, status
from weaver.runtime.describe import AppInfo
from weaver.runtime.envelope import Envelope
from weaver.runtime.groups import Group, MultiOptions
from weaver.runtime.launch import LaunchSpec
from weaver.runtime.messages import LogEntry
from weaver.runtime.metricsserver import MetricsServer
from weaver.runtime.metricstore import MetricStore
from weaver.runtime.status import DeploymentStatus, GroupStatus, ReplicaStatus
from weaver.tracing import SpanRecord

log = logging.getLogger("weaver.multi")

STARTUP_TIMEOUT = 60.0
"""A replica must report its components started within this long (cold imports are slow)."""
STABLE_AFTER = 10.0
"""A replica that ran this long before exiting restarts without accumulated backoff."""
MAX_BACKOFF = 10.0


class Slot:
    """Replica number `index` of a group: the current envelope and how often it restarted."""

    def __init__(self, group: Group, index: int) -> None:
        self.group = group
        self.index = index
        self.envelope: Envelope | None = None
        self.restarts = 0
        self.task: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        e = self.envelope
        return e is not None and e.started and e.healthy


class Manager:
    """Runs one (app, version) over local processes."""

    def __init__(
        self,
        spec: LaunchSpec,
        info: AppInfo,
        groups: list[Group],
        options: MultiOptions,
        config: Mapping[str, Any],
        listeners: Mapping[str, str] | None = None,
        private_listeners: bool = False,
        directory: Path | None = None,
    ) -> None:
        self.spec = spec
        self.info = info
        self.groups = groups
        self.options = options
        self.config = config
        self.dir = directory or deployments.deployment_dir(info.app, info.version)
        self._slots = [Slot(g, i) for g in groups for i in range(g.replicas)]
        export = SharedPort if available() else BalancingProxy
        self.proxies: dict[str, SharedPort | BalancingProxy] = {
            name: export(name) for g in groups for name in g.listeners
        }
        self._addresses = {
            name: "127.0.0.1:0"
            if private_listeners
            else (listeners or {}).get(name) or options.listeners.get(name) or configmod.listener_address(config, name)
            for name in self.proxies
        }
        self.stopping = False
        self.started = time.time()
        self.logs = LogWriter(self.dir / "logs.jsonl")
        self.metrics = MetricStore()
        self.traces = TraceStore(configmod.options(config).tracing.keep_traces)
        self.dashboard = ManagerSource(self)
        self.metrics_server = MetricsServer(
            self.metrics.merged,
            {b"/traces": self._traces_json, **dashboard_routes(self.dashboard)},
            {ingest.PATH: self.ingest},
        )
        self._changed = asyncio.Event()
        self._routing: dict[str, list[str]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._healthy = asyncio.Event()
        self.routing_watchers: list[Callable[[dict[str, list[str]]], None]] = []
        self.routing_view: Callable[[str, dict[str, list[str]]], dict[str, list[str]]] | None = None
        """(group, routing) -> what that group's replicas are told (weaver.testing's chaos sets it)."""
        """Called with the new routing info whenever it changes (e.g. a test's ReplicaSets)."""

    async def start(self) -> None:
        """Reserve the listeners' addresses (or bind their proxies) and start every replica (without waiting)."""
        if (self.dir / "status.json").exists():
            for dep in deployments.listed(self.info.app):
                if dep.dir == self.dir and dep.alive and dep.status.manager_pid != os.getpid():
                    raise RuntimeError(
                        f"{self.info.app}@{self.info.version} is already deployed (manager pid "
                        f"{dep.status.manager_pid}); stop it first: weaver multi stop {self.info.app}"
                    )
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "stop.json").unlink(missing_ok=True)
        bound = []
        try:
            for name, proxy in self.proxies.items():
                await proxy.start(self._addresses[name])
                bound.append(proxy)
        except OSError:
            for proxy in bound:
                await proxy.close()
            raise
        try:
            await self.metrics_server.start()
        except OSError:
            for proxy in bound:
                await proxy.close()
            raise
        self.logs.open()
        for slot in self._slots:
            slot.task = asyncio.create_task(self._supervise(slot))
        self._tasks = [
            asyncio.create_task(self._update_loop()),
            asyncio.create_task(self._health_loop()),
            asyncio.create_task(self.dashboard.run()),
        ]
        self.write_status()
        log.info(
            "deployed %s@%s: %s",
            self.info.app,
            self.info.version[:12],
            ", ".join(f"{g.name} x{g.replicas}" for g in self.groups),
        )

    @property
    def listeners(self) -> dict[str, str]:
        return {name: p.address for name, p in self.proxies.items()}

    @property
    def healthy(self) -> bool:
        return all(s.ready for s in self._slots)

    async def wait_healthy(self, timeout: float) -> bool:
        """True once every replica is started and healthy, False if `timeout` passes first."""
        try:
            async with asyncio.timeout(timeout):
                while not self.healthy:
                    self._healthy.clear()
                    await self._healthy.wait()
        except TimeoutError:
            return False
        return True

    def changed(self) -> None:
        self._changed.set()

    # EnvelopeHandler (weaver.runtime.handler): what the envelopes ask of this deployer.
    def replica_changed(self, envelope: Envelope) -> None:
        self.changed()

    def replica_logs(self, envelope: Envelope, entries: list[LogEntry]) -> None:
        self.logs.write(entries)

    def replica_metrics(self, envelope: Envelope, snapshots: list[MetricSnapshot]) -> None:
        self.metrics.update(_source(envelope), snapshots)

    def replica_spans(self, envelope: Envelope, spans: list[SpanRecord]) -> None:
        self.traces.add(spans)

    def ingest(self, body: bytes) -> tuple[int, bytes]:
        """`POST /ingest` (weaver.runtime.ingest): store a batch's spans and log entries, all or none."""
        try:
            batch = ingest.decode(body, self.info.app, self.info.version)
        except ingest.IngestError as e:
            return 400, msgspec.json.encode({"error": str(e)})
        self.traces.add(batch.spans)
        self.logs.write(batch.logs)
        if batch.dropped:
            self.logs.note(self.info, f"{batch.source} dropped {batch.dropped} spans or log entries for this version")
        return 200, msgspec.json.encode({"spans": len(batch.spans), "logs": len(batch.logs)})

    def _traces_json(self, query: bytes) -> tuple[bytes, str]:
        """`/traces`: the recent traces' summaries; `/traces?id=TRACE`: that trace's spans."""
        wanted = urllib.parse.parse_qs(query.decode("latin-1")).get("id")
        if wanted:
            return msgspec.json.encode(self.traces.trace(wanted[0])), "application/json"
        return msgspec.json.encode(self.traces.summaries()), "application/json"

    async def _supervise(self, slot: Slot) -> None:
        failures = 0
        while not self.stopping:
            env = Envelope(
                self.spec,
                self.info.app,
                self.info.version,
                slot.group,
                slot.index,
                self,
                {name: p.address for name, p in self.proxies.items() if p.shared},
            )
            slot.envelope = env
            try:
                await env.start()
            except OSError as e:
                log.error("cannot start replica %s: %s", env.replica, e)
                code = -1
            else:
                code = await env.wait()
            self.metrics.retire(_source(env))
            self.changed()
            if self.stopping:
                return
            failures = 0 if time.monotonic() - env.started_at > STABLE_AFTER else failures + 1
            delay = min(0.1 * 2**failures, MAX_BACKOFF)
            slot.restarts += 1
            log.warning(
                "replica %s (pid %d) exited with status %s; restart %d in %.1fs",
                env.replica,
                env.pid,
                code,
                slot.restarts,
                delay,
            )
            self.logs.note(
                self.info,
                f"replica {env.replica} (pid {env.pid}) exited with status {code}; restarting in {delay:.1f}s",
                slot.group.name,
            )
            await asyncio.sleep(delay)

    def routing(self) -> dict[str, list[str]]:
        """Each component's started, healthy replica addresses (Unix sockets: every replica is on this host)."""
        out: dict[str, list[str]] = {c: [] for g in self.groups for c in g.components}
        for slot in self._slots:
            if slot.ready and slot.envelope is not None:
                for c in slot.group.components:
                    out[c].append(slot.envelope.local_address or slot.envelope.address)
        return out

    def routing_for(self, group: str) -> dict[str, list[str]]:
        """The routing info `group`'s replicas get (the EnvelopeHandler side of `routing`)."""
        routing = self.routing()
        return routing if self.routing_view is None else self.routing_view(group, routing)

    async def _update_loop(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            routing = self.routing()
            if routing != self._routing:
                self._routing = routing
                view = self.routing_view
                for slot in self._slots:
                    if slot.envelope is not None:
                        slot.envelope.send_routing(routing if view is None else view(slot.group.name, routing))
                for watcher in self.routing_watchers:
                    watcher(routing)
            for name, proxy in self.proxies.items():
                proxy.set_backends(
                    [
                        s.envelope.listeners[name]
                        for s in self._slots
                        if s.ready and s.envelope is not None and name in s.envelope.listeners
                    ]
                )
            if self.healthy:
                self._healthy.set()
            if not self.stopping:
                self.write_status()
            await asyncio.sleep(0.01)  # coalesce bursts of changes

    async def _health_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.health_interval)
            for slot in self._slots:
                env = slot.envelope
                if env is None or env.proc is None or env.proc.returncode is not None or self.stopping:
                    continue
                timeout = self.options.health_timeout if env.started else STARTUP_TIMEOUT
                if not env.check_health(timeout):
                    log.error(
                        "replica %s (pid %d) failed its health checks for %.0fs; killing it",
                        env.replica,
                        env.pid,
                        timeout,
                    )
                    env.kill()

    def status(self) -> DeploymentStatus:
        """The status this manager publishes (see `weaver.runtime.status`)."""
        groups = []
        for g in self.groups:
            replicas = []
            for s in (s for s in self._slots if s.group is g):
                e = s.envelope
                replicas.append(
                    ReplicaStatus(
                        replica=e.replica if e else f"{g.name}.{s.index}",
                        pid=e.pid if e else 0,
                        address=e.address if e else "",
                        healthy=s.ready,
                        restarts=s.restarts,
                        listeners=dict(e.listeners) if e else {},
                    )
                )
            groups.append(GroupStatus(name=g.name, components=list(g.components), replicas=replicas))
        return DeploymentStatus(
            app=self.info.app,
            version=self.info.version,
            manager_pid=os.getpid(),
            started=self.started,
            healthy=self.healthy,
            listeners=dict(self.listeners),
            groups=groups,
            command=list(self.spec.argv),
            config=self.info.config_path,
            metrics=self.metrics_server.address,
        )

    def replicas_of(self, component: str) -> list[ReplicaStatus]:
        """The replicas of the group hosting `component` (a full name), as `status()` shows them."""
        return [r for g in self.status().groups if component in g.components for r in g.replicas]

    def write_status(self) -> None:
        status.write(self.dir / "status.json", self.status())

    async def stop(self, grace: float | None = None) -> None:
        """Stop cleanly: proxies and main groups first (calls in flight get `grace` s), then the rest."""
        if self.stopping:
            return
        self.stopping = True
        grace = self.options.grace if grace is None else grace
        log.info("stopping %s@%s (grace %.1fs)", self.info.app, self.info.version[:12], grace)
        front = [s for s in self._slots if s.group.has_main or s.group.listeners]
        back = [s for s in self._slots if s not in front]
        await asyncio.gather(*(p.close(grace) for p in self.proxies.values()), *(_stop(s, grace) for s in front))
        await asyncio.gather(*(_stop(s, grace) for s in back))
        for task in [*self._tasks, *(s.task for s in self._slots if s.task is not None)]:
            task.cancel()
        await asyncio.gather(*self._tasks, *(s.task for s in self._slots if s.task is not None), return_exceptions=True)
        (self.dir / "status.json").unlink(missing_ok=True)
        await self.metrics_server.close()
        self.logs.close()


def _source(env: Envelope) -> str:
    """One process incarnation of a replica (metrics restart from zero with the process)."""
    return f"{env.replica}:{env.pid}"


async def _stop(slot: Slot, grace: float) -> None:
    if slot.envelope is not None:
        with contextlib.suppress(Exception):
            await slot.envelope.stop(grace)
