"""A proclet's metrics reports: its call table and user metrics, sent over the pipe.

Reports are cumulative (every counter since the process started), so a lost or late report
costs nothing but freshness; the manager turns a replica's restart into an offset
(`weaver.runtime.metricstore`) so the deployment's counters never go backwards.
"""

from __future__ import annotations

import asyncio

from weaver import tracing
from weaver.metrics import calls, registry
from weaver.metrics.snapshot import MetricSnapshot
from weaver.runtime import messages as m
from weaver.runtime.pipe import Pipe


def collect(version: str) -> list[MetricSnapshot]:
    """Everything this process measured: `weaver_method_*` and the declared user metrics."""
    return calls.TABLE.snapshot(version) + registry.DEFAULT.snapshot()


def send(pipe: Pipe[m.ToProclet], version: str) -> None:
    """Queue one report now."""
    pipe.send(m.Metrics(collect(version)))
    spans = tracing.collector()
    if spans is not None and spans.spans:
        pipe.send(m.Spans(spans.drain()))


async def report_every(pipe: Pipe[m.ToProclet], version: str, interval: float) -> None:
    """Send a report every `interval` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval)
        send(pipe, version)
