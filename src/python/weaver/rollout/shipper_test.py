"""The proxy's shipper against a real HTTP endpoint (the manager's server, with a recording route)."""

from __future__ import annotations

import asyncio

import msgspec

from weaver.proxy.table import Table, Version
from weaver.rollout.shipper import Shipper
from weaver.runtime import ingest
from weaver.runtime.messages import LogEntry
from weaver.runtime.metricsserver import MetricsServer
from weaver.tracing import SpanRecord


class Endpoint:
    """A MetricsServer whose /ingest records every batch it gets (and answers `status`)."""

    def __init__(self, status: int = 200) -> None:
        self.batches: list[ingest.Batch] = []
        self.status = status
        self.server = MetricsServer(list, posts={ingest.PATH: self.take})
        self.got = asyncio.Event()

    def take(self, body: bytes) -> tuple[int, bytes]:
        self.batches.append(msgspec.json.decode(body, type=ingest.Batch))
        self.got.set()
        return self.status, b"{}"

    async def __aenter__(self) -> str:
        return await self.server.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()


def entry(version: str, n: int) -> LogEntry:
    return LogEntry(app="hello", version=version, time=float(n), level="INFO", msg=f"GET /{n}", trace_id=f"{n:032x}")


def span(version: str, n: int) -> SpanRecord:
    return SpanRecord(f"{n:032x}", f"{n:016x}", "", "proxy GET /", "server", n, n + 1, "", {"weaver.version": version})


def table(**managers: str) -> Table:
    return Table({v: Version(1.0, ["127.0.0.1:1"], False, m) for v, m in managers.items()})


async def test_batches_go_to_each_versions_manager_in_batches_of_the_limit() -> None:
    ep_a, ep_b = Endpoint(), Endpoint()
    async with ep_a as a, ep_b as b:
        shipper = Shipper("proxy of hello", batch=3)
        shipper.learn(table(v1=a, v2=b))
        for n in range(7):
            shipper.offer_log("v1", entry("v1", n))
        shipper.offer_span(span("v2", 1))
        shipper.offer_log("v3", entry("v3", 0))  # no manager known: dropped
        await shipper.flush()
    assert [len(x.logs) for x in ep_a.batches] == [3, 3, 1]
    assert [e.msg for x in ep_a.batches for e in x.logs] == [f"GET /{n}" for n in range(7)]  # nothing lost
    assert [(len(x.spans), len(x.logs)) for x in ep_b.batches] == [(1, 0)]
    assert ep_b.batches[0].spans[0] == span("v2", 1)
    assert (shipper.shipped, shipper.dropped, shipper.queued) == (8, 1, 0)


async def test_the_queue_is_bounded_and_drops_are_counted_and_reported() -> None:
    ep = Endpoint()
    async with ep as address:
        shipper = Shipper("proxy of hello", limit=5)
        shipper.learn(table(v1=address))
        for n in range(8):
            shipper.offer_log("v1", entry("v1", n))  # never blocks: 3 do not fit
        assert (shipper.queued, shipper.dropped) == (5, 3)
        await shipper.flush()
    (batch,) = ep.batches
    assert [e.msg for e in batch.logs] == [f"GET /{n}" for n in range(5)]
    assert batch.dropped == 3  # the manager learns what it missed


async def test_stop_flushes_what_is_queued_and_a_refused_or_unreachable_batch_counts_as_dropped() -> None:
    ep = Endpoint()
    async with ep as address:
        shipper = Shipper("proxy of hello", interval=3600.0)  # only the stop flushes
        shipper.learn(table(v1=address))
        running = asyncio.create_task(shipper.run())
        shipper.offer_log("v1", entry("v1", 1))
        await asyncio.sleep(0)
        assert not ep.batches
        shipper.stop()
        await asyncio.wait_for(running, 10)
        assert [e.msg for x in ep.batches for e in x.logs] == ["GET /1"]
        ep.status = 400
        shipper.offer_log("v1", entry("v1", 2))
        await shipper.flush()
        assert shipper.dropped == 1
    shipper.offer_log("v1", entry("v1", 3))  # the endpoint is closed now
    await shipper.flush()
    assert (shipper.shipped, shipper.dropped) == (1, 2)


async def test_spans_are_drained_from_the_collector_on_every_flush() -> None:
    ep = Endpoint()
    finished = [span("v1", 1), span("v1", 2)]

    def drain() -> list[SpanRecord]:
        out = list(finished)
        finished.clear()
        return out

    async with ep as address:
        shipper = Shipper("proxy of hello", spans=drain)
        shipper.learn(table(v1=address))
        await shipper.flush()
        await shipper.flush()  # nothing new: nothing sent
    assert [[s.span_id for s in x.spans] for x in ep.batches] == [[f"{1:016x}", f"{2:016x}"]]
