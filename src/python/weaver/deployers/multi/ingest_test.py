"""`POST /ingest` on a real manager's endpoint: a good batch is stored whole, a bad one not at all."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import msgspec

from weaver.deployers.multi.manager import Manager
from weaver.runtime import ingest
from weaver.runtime.describe import AppInfo
from weaver.runtime.groups import MultiOptions
from weaver.runtime.launch import LaunchSpec
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

TRACE = "0af7651916cd43dd8448eb211c80319c"


def manager(tmp_path: Path) -> Manager:
    info = AppInfo(app="hello", version="v1", main_package="hello", components={})
    return Manager(LaunchSpec([sys.executable]), info, [], MultiOptions(), {}, directory=tmp_path / "dep")


def span(n: int, parent: str = "") -> SpanRecord:
    return SpanRecord(TRACE, f"{n:016x}", parent, f"span {n}", "server", 10 * n, 10 * n + 5, "", {}, "proxy")


def entry(n: int, version: str = "v1") -> LogEntry:
    return LogEntry(app="hello", version=version, component="weaver.access", time=float(n), level="INFO",
                    msg=f"GET /{n}", trace_id=TRACE, attrs={"status": "200"})  # fmt: skip


async def post(address: str, body: bytes, length: int | None = None) -> tuple[int, bytes]:
    host, port = address.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    size = len(body) if length is None else length
    writer.write(b"POST /ingest HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % size + body)
    async with asyncio.timeout(10):
        data = await reader.read()
    writer.close()
    head, _, answer = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), answer


def stored_logs(m: Manager) -> list[LogEntry]:
    path = m.dir / "logs.jsonl"
    return [msgspec.json.decode(line, type=LogEntry) for line in path.read_bytes().splitlines() if line]


async def test_a_good_batch_is_stored_whole(tmp_path: Path) -> None:
    m = manager(tmp_path)
    await m.start()
    try:
        spans = [span(1), *(span(n, f"{1:016x}") for n in range(2, 200))]
        logs = [entry(n) for n in range(300)]
        body = ingest.encode(ingest.Batch(source="proxy of hello", spans=spans, logs=logs, dropped=2))
        status, answer = await post(m.metrics_server.address, body)
        assert (status, msgspec.json.decode(answer)) == (200, {"spans": 199, "logs": 300})
        assert m.traces.trace(TRACE) == spans
        got = stored_logs(m)
        assert [e for e in got if e.component == "weaver.access"] == logs  # nothing lost, in order
        assert any(e.source == "manager" and "proxy of hello dropped 2" in e.msg for e in got)
    finally:
        await m.stop(grace=0.1)


async def test_a_malformed_batch_is_rejected_naming_the_field_and_nothing_is_stored(tmp_path: Path) -> None:
    m = manager(tmp_path)
    await m.start()
    try:
        address = m.metrics_server.address
        good = ingest.Batch(source="p", spans=[span(1)], logs=[entry(1)])
        cases = {
            b"{not json": "not a JSON batch",
            b'{"source": "p", "logs": [{"app": "hello"}]}': "missing required field `version` - at `$.logs[0]`",
            b'{"source": "p", "spans": [], "colour": 1}': "unknown field `colour`",
            ingest.encode(msgspec.structs.replace(good, logs=[entry(1), entry(2, "v2")])):
                "logs[1].version: 'v2' is not this deployment's version 'v1'",
            ingest.encode(msgspec.structs.replace(good, spans=[span(1), SpanRecord("XYZ", "1", "", "s", "", 1, 2)])):
                "spans[1].trace_id: 'XYZ' is not 32 lowercase hex digits",
            ingest.encode(msgspec.structs.replace(good, dropped=-1)): "dropped: must be >= 0",
        }  # fmt: skip
        for body, message in cases.items():
            status, answer = await post(address, body)
            assert status == 400, (body, answer)
            assert message in msgspec.json.decode(answer)["error"], answer
        assert m.traces.summaries() == []
        assert not [e for e in stored_logs(m) if e.component == "weaver.access"]
        status, _ = await post(address, b"", length=ingest.MAX_BYTES + 1)
        assert status == 413
    finally:
        await m.stop(grace=0.1)
