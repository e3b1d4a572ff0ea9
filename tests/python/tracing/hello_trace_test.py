"""A trace of one hello request under a real multi deployment, as the manager keeps it.

GET /hello goes Main (HTTP span) -> Greeter.greet -> Counter.add and Counter.hop, each remote
call a client span in the caller's process and a server span in the callee's; the request
carries a W3C traceparent, so the whole trace hangs under the caller's span id.
"""

from __future__ import annotations

import msgspec

import weaver.testing
from support import rawhttp
from weaver.deployers.multi import logstore
from weaver.runtime.messages import LogEntry
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp
from weaver.tracing import SpanRecord, traceparent

CONFIG = "[weaver.metrics]\nreport_interval = 0.1\n[weaver.tracing]\nsample_ratio = 1.0\n"  # on: multi's default
TRACE, PARENT = 0xABC0000000000000000000000000DEF, 0x1234




async def test_one_request_is_one_trace_parented_across_processes() -> None:
    async with weaver.testing.start("apps.hello", mode="multi", config=CONFIG) as app:
        assert isinstance(app, MultiApp)
        endpoint = app.manager.status().metrics
        tp = f"traceparent: {traceparent((TRACE, PARENT, 1))}\r\n"
        assert (await rawhttp.get(app.listener("hello").address, "/hello?name=Ada", tp))[0] == 200
        tid = f"{TRACE:032x}"

        async def complete() -> list[SpanRecord]:
            status, body = await rawhttp.get(endpoint, f"/traces?id={tid}")
            assert status == 200
            spans = msgspec.json.decode(body, type=list[SpanRecord])
            assert len(spans) == 7, [s.name for s in spans]  # HTTP + 3 remote calls x 2 sides
            return spans

        what = "the trace's 7 spans at the manager"
        spans = await eventually(complete, timeout=20, what=what, ignore=(AssertionError,))
        status, body = await rawhttp.get(endpoint, "/traces")
        assert status == 200 and tid in body.decode()
    by_id = {s.span_id: s for s in spans}
    root = [s for s in spans if s.parent_id == f"{PARENT:016x}"]
    assert [(s.kind, s.name) for s in root] == [("server", "HTTP GET /hello")]

    def parent(s: SpanRecord) -> SpanRecord:
        return by_id[s.parent_id]

    servers = {s.name: s for s in spans if s.kind == "server" and s is not root[0]}
    assert sorted(servers) == ["Counter.add", "Counter.hop", "Greeter.greet"]
    for name, server in servers.items():
        client = parent(server)
        assert (client.kind, client.name) == ("client", name)
        assert client.process != server.process  # the frame's trace context crossed processes
    assert parent(parent(servers["Greeter.greet"])) is root[0]
    assert parent(parent(servers["Counter.add"])) is servers["Greeter.greet"]
    assert parent(parent(servers["Counter.hop"])) is servers["Greeter.greet"]


async def test_access_log_entries_carry_the_trace_id_and_are_found_by_it() -> None:
    async with weaver.testing.start("apps.hello", mode="multi", config=CONFIG) as app:
        assert isinstance(app, MultiApp)
        address = app.listener("hello").address
        tids = [f"{TRACE + i:032x}" for i in (1, 2)]
        for i, path in ((1, "/hello?name=Ada"), (2, "/nowhere")):
            tp = f"traceparent: {traceparent((TRACE + i, PARENT, 1))}\r\n"
            await rawhttp.get(address, path, tp)
        await rawhttp.get(address, "/hello?name=Bob")  # no traceparent: a trace of its own (sampled at 1.0)
        files = [app.manager.dir / "logs.jsonl"]

        def all_three() -> list[LogEntry]:
            found = logstore.read(files, logstore.parse_filter(["component=weaver.access"]))
            return found if len(found) == 3 else []

        entries = await eventually(all_three, timeout=20, what="the 3 requests' access log entries")
        hits = logstore.read(files, logstore.parse_filter(["component=weaver.access", f"trace_id={tids[1]}"]))
        logged = logstore.read(files, logstore.parse_filter([f"trace_id={tids[0]}"]))  # the filter `multi logs` uses
    assert len(hits) == 1
    assert hits[0].attrs == hits[0].attrs | {"method": "GET", "path": "/nowhere", "status": "404", "where": "hello"}
    assert int(hits[0].attrs["bytes"]) == len(b"not found") and float(hits[0].attrs["duration_ms"]) > 0
    assert hits[0].version == app.manager.info.version
    assert {e.attrs["path"]: e.attrs["status"] for e in entries} == {"/hello": "200", "/nowhere": "404"}
    assert len(entries) == 3 and all(len(e.trace_id) == 32 for e in entries)
    assert tids[0] in {e.trace_id for e in entries}
    assert [(e.component, e.attrs["path"]) for e in logged] == [("weaver.access", "/hello")]
    assert "trace=" + tids[1] in logstore.format_entry(hits[0])
