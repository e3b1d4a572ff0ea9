"""The envelope through its handler seam: a real proclet process, and stop escalation.

A recording `EnvelopeHandler` stands in for the deployer, so the envelope is tested alone:
what it reports (changes, logs), what it asks (routing), and how it stops a process.
"""

from __future__ import annotations

import logging
import os
import sys

import pytest

import weaver.testing
from weaver.metrics.snapshot import MetricSnapshot
from weaver.runtime import messages as m
from weaver.runtime.envelope import Envelope
from weaver.runtime.groups import Group
from weaver.runtime.launch import LaunchSpec, from_source
from weaver.testing.eventually import eventually

weaver.testing.ensure_generated("apps.hello")

COUNTER = "apps.hello.counter.Counter"


class Recorder:
    """An EnvelopeHandler that records what the envelope tells it."""

    def __init__(self) -> None:
        self.changes = 0
        self.routing_asks = 0
        self.logs: list[m.LogEntry] = []
        self.metrics: list[list[MetricSnapshot]] = []

    def routing_for(self, group: str) -> dict[str, list[str]]:
        self.routing_asks += 1
        return {COUNTER: []}

    def replica_changed(self, envelope: Envelope) -> None:
        self.changes += 1

    def replica_logs(self, envelope: Envelope, entries: list[m.LogEntry]) -> None:
        self.logs.extend(entries)

    def replica_metrics(self, envelope: Envelope, snapshots: list[MetricSnapshot]) -> None:
        self.metrics.append(snapshots)


async def test_a_proclet_registers_answers_health_and_stops_on_request() -> None:
    handler = Recorder()
    group = Group("Counter", [COUNTER], replicas=1)
    env = Envelope(from_source("apps.hello", version="v1"), "hello", "v1", group, 0, handler)
    await env.start()
    try:
        await eventually(lambda: env.started, timeout=60, what="the proclet to start its components")
        assert env.address and handler.routing_asks == 1 and handler.changes >= 1
        before = env.last_ok
        await eventually(lambda: env.check_health(60) and env.last_ok > before, what="a health reply")
        rpc_dir = env.rpc_dir
        assert os.path.isdir(rpc_dir)
        await env.stop(grace=5.0)
        assert env.proc is not None and env.proc.returncode == 0
        assert not os.path.exists(rpc_dir)
        await eventually(lambda: not env.started, what="the exit to be reported")
    finally:
        env.kill()


IGNORES_STOP = """
import signal, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring SIGTERM", flush=True)
while True:
    signal.pause()
"""


async def test_stop_escalates_to_sigkill_when_the_process_ignores_stop_and_sigterm(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = Recorder()
    group = Group("Stubborn", ["x.Stubborn"], replicas=1)
    env = Envelope(LaunchSpec([sys.executable, "-c", IGNORES_STOP]), "x", "v1", group, 0, handler)
    await env.start()
    try:
        await eventually(
            lambda: any("ignoring SIGTERM" in e.msg for e in handler.logs), what="the child's signal setup"
        )
        assert handler.logs[0].source == "stdout" and handler.logs[0].replica.startswith("Stubborn.0:")
        with caplog.at_level(logging.WARNING, logger="weaver.multi"):
            await env.stop(grace=0.1)
        assert env.proc is not None and env.proc.returncode == -9
        messages = [r.getMessage() for r in caplog.records]
        assert any("did not stop in 2.1s; sending SIGTERM" in msg for msg in messages), messages
        assert any("did not stop in 2.0s; sending SIGKILL" in msg for msg in messages), messages
    finally:
        env.kill()
