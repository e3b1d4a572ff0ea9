"""The envelope: starts one proclet process and relays between it and the manager.

It owns the child's pipe (a socketpair; the child inherits one end as `WEAVER_PROCLET_FD`),
answers its registration with the components to host and the current routing info, turns its
`Logs` and its stdout/stderr lines into log entries, runs health checks, and stops it: `Stop`
over the pipe first, then SIGTERM, then SIGKILL, each bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Mapping

from weaver.internal import envvars
from weaver.runtime import messages as m
from weaver.runtime.groups import Group
from weaver.runtime.handler import EnvelopeHandler
from weaver.runtime.launch import LaunchSpec
from weaver.runtime.pipe import Pipe, PipeError

log = logging.getLogger("weaver.multi")


class Envelope:
    """One replica (process) of a group, as the manager sees it."""

    def __init__(
        self,
        spec: LaunchSpec,
        app: str,
        version: str,
        group: Group,
        slot: int,
        handler: EnvelopeHandler,
        shared_listeners: Mapping[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.app = app
        self.version = version
        self.group = group
        self.slot = slot
        self.replica = f"{group.name}.{slot}"
        self.handler = handler
        self.shared_listeners = {n: a for n, a in (shared_listeners or {}).items() if n in group.listeners}
        """This group's listeners the replica binds itself, at these addresses (SO_REUSEPORT)."""
        self.proc: asyncio.subprocess.Process | None = None
        self.pipe: Pipe[m.ToEnvelope] | None = None
        self.address = ""
        self.local_address = ""
        """The replica's rpc server on a Unix socket: what peers on this host (all of them) dial."""
        self._rpc_dir = ""
        self.started = False
        self.healthy = False
        self.last_ok = 0.0
        self.listeners: dict[str, str] = {}
        self.needs: set[str] = set()
        self.started_at = 0.0
        self._ids = itertools.count(1)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    @property
    def rpc_dir(self) -> str:
        """The private directory of the replica's Unix socket; removed once the process is gone."""
        return self._rpc_dir

    async def start(self) -> None:
        """Start the process (returns once it runs; registration arrives over the pipe)."""
        parent, child = socket.socketpair()
        self._rpc_dir = tempfile.mkdtemp(prefix="weaver-rpc-")  # short: Unix socket paths are limited
        try:
            env = self.spec.environ(
                WEAVER_PROCLET="1",
                **{envvars.PROCLET_FD: str(child.fileno()), envvars.RPC_DIR: self._rpc_dir},
                WEAVER_REPLICA=self.replica,
            )
            self.proc = await asyncio.create_subprocess_exec(
                *self.spec.argv,
                env=env,
                pass_fds=(child.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # Ctrl-C reaches the manager only; it stops replicas in order
            )
        except BaseException:
            self._remove_rpc_dir()
            raise
        finally:
            child.close()
        self.started_at = self.last_ok = time.monotonic()
        self.pipe = await Pipe.open(parent, m.ToEnvelope, f"pipe of replica {self.replica}")
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._tasks = [
            asyncio.create_task(self._read(self.pipe)),
            asyncio.create_task(self._capture(self.proc.stdout, "stdout", "INFO")),
            asyncio.create_task(self._capture(self.proc.stderr, "stderr", "ERROR")),
        ]

    async def _read(self, pipe: Pipe[m.ToEnvelope]) -> None:
        try:
            while (msg := await pipe.recv()) is not None:
                self.handle(msg)
        except PipeError as e:
            log.error("replica %s (pid %d): %s; killing it", self.replica, self.pid, e)
            self.kill()
        finally:
            self.started = self.healthy = False
            self.handler.replica_changed(self)

    def handle(self, msg: m.ToEnvelope) -> None:
        """Act on one message from the proclet."""
        assert self.pipe is not None
        if isinstance(msg, m.Logs):
            self.handler.replica_logs(self, msg.entries)
        elif isinstance(msg, m.Metrics):
            self.handler.replica_metrics(self, msg.snapshots)
        elif isinstance(msg, m.Spans):
            take = getattr(self.handler, "replica_spans", None)  # optional: a deployer may not keep traces
            if take is not None:
                take(self, msg.spans)
        elif isinstance(msg, m.HealthReply):
            if msg.healthy:
                self.last_ok = time.monotonic()
            if msg.healthy != self.healthy:
                self.healthy = msg.healthy
                self.handler.replica_changed(self)
        elif isinstance(msg, m.RegisterReplica):
            if (msg.app, msg.version) != (self.app, self.version):
                log.error(
                    "replica %s runs %s@%s, not %s@%s; killing it",
                    self.replica,
                    msg.app,
                    msg.version,
                    self.app,
                    self.version,
                )
                self.kill()
                return
            self.address = msg.address
            self.local_address = msg.local
            self.pipe.send(m.ComponentsToHost(self.group.name, list(self.group.components), self.shared_listeners))
            self.pipe.send(m.RoutingInfo(self.handler.routing_for(self.group.name)))
        elif isinstance(msg, m.ComponentsStarted):
            self.started = self.healthy = True
            self.last_ok = time.monotonic()
            self.handler.replica_changed(self)
        elif isinstance(msg, m.ListenerReady):
            self.listeners[msg.name] = msg.address
            self.handler.replica_changed(self)
        elif isinstance(msg, m.StartComponent):
            self.needs.add(msg.component)  # placement is static: every component already runs

    async def _capture(self, stream: asyncio.StreamReader, source: str, level: str) -> None:
        with contextlib.suppress(ConnectionError, ValueError):
            while line := await stream.readline():
                self.handler.replica_logs(
                    self,
                    [
                        m.LogEntry(
                            app=self.app,
                            version=self.version,
                            component=source,
                            replica=f"{self.replica}:{self.pid}",
                            time=time.time(),
                            level=level,
                            msg=line.decode(errors="replace").rstrip("\n"),
                            source=source,
                            group=self.group.name,
                        )
                    ]
                )

    def send_routing(self, routing: dict[str, list[str]]) -> None:
        if self.pipe is not None and self.address:
            self.pipe.send(m.RoutingInfo(routing))

    def check_health(self, timeout: float) -> bool:
        """Send a health check; False if none was answered healthy for `timeout` seconds."""
        if self.pipe is not None and self.address:  # after registration: the first message is ComponentsToHost
            self.pipe.send(m.HealthCheck(next(self._ids)))
        return time.monotonic() - self.last_ok < timeout

    async def wait(self) -> int:
        """Wait for the process to exit (and its pipe and output to drain); its exit status."""
        assert self.proc is not None
        code = await self.proc.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await asyncio.gather(*self._tasks, return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        if self.pipe is not None:
            self.pipe.close()
        self.started = self.healthy = False
        self._remove_rpc_dir()
        return code

    def _remove_rpc_dir(self) -> None:
        # The proclet unlinks its socket when it stops; a killed one leaves it behind.
        if self._rpc_dir:
            shutil.rmtree(self._rpc_dir, ignore_errors=True)
            self._rpc_dir = ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)

    async def stop(self, grace: float) -> None:
        """Ask the proclet to stop (calls in flight get `grace` s), then escalate to signals."""
        if self.proc is None or self.proc.returncode is not None:
            return
        self.healthy = False
        if self.pipe is not None:
            self.pipe.send(m.Stop(grace))
        for sig, wait in ((None, grace + 2.0), (signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            if sig is not None:
                self.kill(sig)
            try:
                async with asyncio.timeout(wait):
                    await self.proc.wait()
                self._remove_rpc_dir()
                return
            except TimeoutError:
                log.warning(
                    "replica %s (pid %d) did not stop in %.1fs; sending %s",
                    self.replica,
                    self.pid,
                    wait,
                    "SIGTERM" if sig is None else "SIGKILL",
                )
