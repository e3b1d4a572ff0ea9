"""The kube envelope: what a weaver pod runs (`WEAVER_PROCLET=kube`, set by the Deployment).

It checks that the PEX it is about to start is the version its pod is labelled with (sha256 of
the file = WEAVER_VERSION, its first 16 hex digits = the `weaver.dev/version` label), then hosts
its group's components in one proclet through `weaver.runtime.envelope.Envelope` (the deployer
API, as `weaver multi` uses it): rpc on POD_IP's fixed rpc port, the group's listeners on their
ports, `/healthz` on the health port for the kubelet's probes (200 once the proclet's components
started and it answers health checks). Routing comes from watching the pods with the same app
and version labels (`podwatch`) and is pushed to the proclet on every change; on the local
cluster's pod network the watch goes through the node's relay socket (`apisocket`). Logs go to stdout
as JSON lines (`kubectl logs`, `weaver kube logs`). SIGTERM stops the proclet within the grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import msgspec

from weaver.deployers.kube import apisocket
from weaver.deployers.kube.podwatch import PodWatcher
from weaver.internal import envvars
from weaver.internal.pexinfo import pex_sha256
from weaver.metrics.snapshot import MetricSnapshot
from weaver.runtime.envelope import Envelope
from weaver.runtime.groups import Group
from weaver.runtime.launch import LaunchSpec
from weaver.runtime.messages import LogEntry

HEALTH_TIMEOUT = 20.0
STARTUP_TIMEOUT = 60.0
GRACE = 20.0


class VersionMismatch(Exception):
    """The PEX in the image is not the version the pod is labelled with."""


def check_version(pex: str, version: str, label: str) -> None:
    """The version ID stays the artifact's hash end to end: refuse any other file."""
    actual = pex_sha256(pex)
    if actual != version or not label or actual[: len(label)] != label:
        raise VersionMismatch(
            f"{pex} has sha256 {actual}, but the pod runs version {version} (label weaver.dev/version={label})"
        )


class PodEnvelope:
    """The EnvelopeHandler of one pod: one proclet, routing from the watched pods."""

    def __init__(self, env: dict[str, str]) -> None:
        self.app, self.version = env[envvars.APP], env[envvars.VERSION]
        self.pod_ip = env.get("POD_IP") or "127.0.0.1"
        self.health_port = int(env["WEAVER_KUBE_HEALTH_PORT"])
        listeners = dict(x.split("=", 1) for x in env.get("WEAVER_KUBE_LISTENERS", "").split(",") if x)
        components = env["WEAVER_KUBE_COMPONENTS"].split(",")
        self.group = Group(env["WEAVER_KUBE_GROUP"], components, 1, sorted(listeners))
        self.shared = {name: f"{self.pod_ip}:{port}" for name, port in listeners.items()}
        self.pex = env["PEX"]
        self.api_socket = env.get("WEAVER_KUBE_API_SOCKET", "")
        spec_env = {envvars.RPC_LISTEN: f"tcp://{self.pod_ip}:{env['WEAVER_KUBE_RPC_PORT']}"}
        self.spec = LaunchSpec([sys.executable, self.pex], spec_env)
        self.changed = asyncio.Event()
        self.watcher = PodWatcher(env.get("POD_NAMESPACE", "default"), self.app, self.version[:16], self._wake)
        self.envelope = Envelope(self.spec, self.app, self.version, self.group, 0, self, self.shared)
        self._loop = asyncio.get_running_loop()
        self._pushed: dict[str, list[str]] | None = None

    def _wake(self) -> None:
        self._loop.call_soon_threadsafe(self.changed.set)

    # EnvelopeHandler
    def routing_for(self, group: str) -> dict[str, list[str]]:
        return self.watcher.routing()

    def replica_changed(self, envelope: Envelope) -> None:
        self.changed.set()

    def replica_logs(self, envelope: Envelope, entries: list[LogEntry]) -> None:
        for entry in entries:
            sys.stdout.buffer.write(msgspec.json.encode(entry) + b"\n")
        sys.stdout.flush()

    def replica_metrics(self, envelope: Envelope, snapshots: list[MetricSnapshot]) -> None:
        """Metrics stay in the proclet for now (no metrics endpoint on the pod yet)."""

    @property
    def healthy(self) -> bool:
        return self.envelope.started and self.envelope.healthy

    async def _health(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(5):
                await reader.readuntil(b"\r\n\r\n")
            status = b"200 OK" if self.healthy else b"503 Service Unavailable"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        writer.close()

    async def _push_routing(self) -> None:
        while True:
            await self.changed.wait()
            self.changed.clear()
            routing = self.watcher.routing()
            if routing != self._pushed and self.envelope.address:
                self._pushed = routing
                self.envelope.send_routing(routing)
            await asyncio.sleep(0.01)  # coalesce bursts

    async def _check_health(self) -> None:
        while True:
            await asyncio.sleep(2.0)
            timeout = HEALTH_TIMEOUT if self.envelope.started else STARTUP_TIMEOUT
            if not self.envelope.check_health(timeout):
                print(f"weaver: proclet failed its health checks for {timeout:.0f} s; killing it", file=sys.stderr)
                self.envelope.kill()

    async def run(self) -> int:
        server = await asyncio.start_server(self._health, self.pod_ip, self.health_port)
        relay = await apisocket.pod_relay(self.api_socket) if self.api_socket else None  # before the watch connects
        self.watcher.start()
        await self.envelope.start()
        tasks = [asyncio.create_task(self._push_routing()), asyncio.create_task(self._check_health())]
        stop = asyncio.Event()
        self._loop.add_signal_handler(signal.SIGTERM, stop.set)
        exited = asyncio.create_task(self.envelope.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([exited, stopping], return_when=asyncio.FIRST_COMPLETED)
        code = 0
        if exited.done():
            code = exited.result() or 1  # the kubelet restarts the container
        else:
            await self.envelope.stop(float(os.environ.get("WEAVER_KUBE_GRACE", GRACE)))
        for task in [*tasks, exited, stopping]:
            task.cancel()
        self.watcher.stop()
        server.close()
        if relay is not None:
            relay.close()
        return code


async def _main() -> int:
    env = dict(os.environ)
    try:
        check_version(env["PEX"], env[envvars.VERSION], env.get("WEAVER_KUBE_VERSION_LABEL", ""))
    except (VersionMismatch, KeyError, OSError) as e:
        print(f"weaver: {e}", file=sys.stderr)
        return 1
    return await PodEnvelope(env).run()


def main() -> int:
    """The pod's entry point (weaver.app_main, WEAVER_PROCLET=kube)."""
    return asyncio.run(_main())
