"""Ships the proxy's spans and access log entries to the manager of the version they belong to.

The proxy worker makes a span and an access log entry per proxied request (weaver.proxy.observe);
they belong with the rest of the request's trace and logs, in the store of the version that
served it. `Shipper` queues them per manager (the table's `manager` per version, learnt from
every table the controller sets) and sends each manager a batch (`POST /ingest`,
weaver.runtime.ingest) every `interval` seconds and once more on `stop`.

The request path only appends to a queue: `offer_*` never blocks and never does I/O. The queue
is bounded (`limit` entries over all managers); what does not fit, what has no known manager and
what a manager did not accept are dropped and counted (`dropped`, and in the next batch to
that manager, so its log says so).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from weaver.internal.address import parse_address
from weaver.proxy.table import Table
from weaver.runtime import ingest
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

VERSION_ATTR = "weaver.version"
"""The span attribute naming the version that served the request (set by the proxy's observer)."""
Post = Callable[[str, bytes], Awaitable[int]]
"""(manager host:port, batch) -> HTTP status; raises OSError/TimeoutError when unreachable."""
POST_TIMEOUT = 2.0
MAX_MANAGERS = 64
"""Versions whose manager is remembered after they leave the table (their last requests ship)."""


@dataclass
class _Pending:
    spans: list[SpanRecord] = field(default_factory=list)
    logs: list[LogEntry] = field(default_factory=list)
    dropped: int = 0


class Shipper:
    """Batches spans and log entries per manager; `run()` sends them until `stop()`."""

    def __init__(
        self,
        source: str,
        spans: Callable[[], list[SpanRecord]] | None = None,
        post: Post | None = None,
        limit: int = 20_000,
        batch: int = 2_000,
        interval: float = 0.5,
    ) -> None:
        self.source = source
        self.spans = spans
        """Drained on every flush: the finished spans of this process (tracing's collector)."""
        self.post = post or post_batch
        self.limit = limit
        self.batch = batch
        self.interval = interval
        self.managers: dict[str, str] = {}
        """Version -> its manager's host:port."""
        self.queued = 0
        self.dropped = 0
        self.shipped = 0
        self._pending: dict[str, _Pending] = {}
        self._stop = asyncio.Event()

    def learn(self, table: Table) -> None:
        """Note the managers of `table`'s versions (a `Proxy.table_watchers` callback)."""
        for vid, entry in table.versions.items():
            if entry.manager:
                self.managers.pop(vid, None)
                self.managers[vid] = entry.manager
        while len(self.managers) > MAX_MANAGERS:
            del self.managers[next(iter(self.managers))]

    def _slot(self, version: str) -> _Pending | None:
        """The queue for `version`'s manager, or None (counted as dropped) if it is unknown or full."""
        manager = self.managers.get(version)
        if manager is None or self.queued >= self.limit:
            self.dropped += 1
            if manager is not None:
                self._pending.setdefault(manager, _Pending()).dropped += 1
            return None
        self.queued += 1
        return self._pending.setdefault(manager, _Pending())

    def offer_log(self, version: str, entry: LogEntry) -> None:
        """Queue `entry` for `version`'s manager (or count it dropped); never blocks."""
        slot = self._slot(version)
        if slot is not None:
            slot.logs.append(entry)

    def offer_span(self, span: SpanRecord) -> None:
        """Queue `span` for the manager of the version in its attributes (or count it dropped)."""
        slot = self._slot(span.attributes.get(VERSION_ATTR, ""))
        if slot is not None:
            slot.spans.append(span)

    async def flush(self) -> None:
        """Send everything queued now, one or more batches per manager."""
        if self.spans is not None:
            for span in self.spans():
                self.offer_span(span)
        pending, self._pending = self._pending, {}
        self.queued = 0
        await asyncio.gather(*(self._send(manager, p) for manager, p in pending.items()))

    async def _send(self, manager: str, p: _Pending) -> None:
        version = next((v for v, m in self.managers.items() if m == manager), "")
        dropped = p.dropped
        for i in range(0, max(len(p.spans), len(p.logs), 1), self.batch):
            spans, logs = p.spans[i : i + self.batch], p.logs[i : i + self.batch]
            if not spans and not logs and not dropped:
                return
            body = ingest.encode(ingest.Batch(source=self.source, spans=spans, logs=logs, dropped=dropped))
            try:
                status = await self.post(manager, body)
            except (OSError, TimeoutError):
                status = 0
            if status == 200:
                self.shipped += len(spans) + len(logs)
                dropped = 0
            else:
                self.dropped += len(spans) + len(logs)
                if status:  # the manager answered but refused: a bug here, say so once per batch
                    print(f"shipper: manager {manager} of {version[:12]} refused a batch ({status})", flush=True)

    async def run(self) -> None:
        """Flush every `interval` seconds until `stop()`, then once more."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
            await self.flush()

    def stop(self) -> None:
        """End `run()` after a last flush."""
        self._stop.set()


async def post_batch(address: str, body: bytes, timeout: float = POST_TIMEOUT) -> int:
    """POST `body` to the manager at `address`'s /ingest; its HTTP status."""
    host, port = parse_address(address, what="manager address")
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            head = b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            writer.write(head % (ingest.PATH, address.encode(), len(body)) + b"Connection: close\r\n\r\n" + body)
            line = await reader.readline()
        finally:
            writer.close()
    parts = line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise OSError(f"manager {address}: not an HTTP answer: {line[:80]!r}")
    return int(parts[1])
