"""Spans of component calls in process (`local`) and through the codec (`rpc`), and of HTTP requests."""

from __future__ import annotations

import asyncio

import pytest

import weaver.testing
from apps.hello.greeter import Greeter
from weaver.tracing import SpanRecord, parse_traceparent, traceparent
from weaver.tracing.calls import TracedStub

ON = "[weaver.tracing]\nenabled = true\nsample_ratio = 1.0\n"


def tree(spans: list[SpanRecord]) -> list[tuple[str, str, str]]:
    """(parent's name, kind, name) per span, in start order; "" for a root."""
    by_id = {s.span_id: s for s in spans}
    ordered = sorted(spans, key=lambda s: s.start_ns)
    return [(by_id[s.parent_id].name if s.parent_id else "", s.kind, s.name) for s in ordered]


async def test_colocated_calls_make_one_span_each_parented_in_order() -> None:
    async with weaver.testing.start("apps.hello", mode="local", config=ON) as app:
        await app.get(Greeter).greet("Ada")
        spans = app.spans()
    assert len({s.trace_id for s in spans}) == 1
    assert tree(spans) == [
        ("", "internal", "Greeter.greet"),
        ("Greeter.greet", "internal", "Counter.add"),  # preview is self.preview: no Ref, no span
        ("Greeter.greet", "internal", "Counter.hop"),
    ]


async def test_remote_calls_have_client_and_server_spans_linked_by_the_frame_context() -> None:
    async with weaver.testing.start("apps.hello", mode="rpc", config=ON) as app:
        await app.get(Greeter).greet("Ada")
        spans = app.spans()
    shape = tree(spans)
    assert shape[0] == ("", "client", "Greeter.greet")
    assert ("Greeter.greet", "server", "Greeter.greet") in shape
    servers = [s for s in spans if s.kind == "server"]
    by_id = {s.span_id: s for s in spans}
    for s in servers:  # every server span is the child of a client span of the same method
        assert by_id[s.parent_id].kind == "client" and by_id[s.parent_id].name == s.name
    assert {s.name for s in servers} >= {"Greeter.greet", "Counter.add"}
    assert len({s.trace_id for s in spans}) == 1


async def test_off_by_default_outside_multi_stubs_are_the_plain_ones() -> None:
    async with weaver.testing.start("apps.hello", mode="rpc") as app:
        stub = app.get(Greeter)
        await stub.greet("Ada")
        assert not isinstance(stub, TracedStub)
        assert app.spans() == []


async def test_ratio_zero_records_nothing() -> None:
    async with weaver.testing.start("apps.hello", mode="local", config=ON.replace("1.0", "0.0")) as app:
        await app.get(Greeter).greet("Ada")
        assert app.spans() == []


async def test_http_request_span_continues_the_callers_traceparent() -> None:
    parent = (0x1234, 0x99, 1)
    async with weaver.testing.start("apps.hello", mode="rpc", config=ON) as app:
        await app.start_main()
        listener = app.listener("hello")
        reader, writer = await asyncio.wait_for(asyncio.open_connection(listener.host, listener.port), 10)
        head = f"GET /hello?name=Ada HTTP/1.1\r\nHost: x\r\ntraceparent: {traceparent(parent)}\r\n"
        writer.write(f"{head}Connection: close\r\n\r\n".encode())
        reply = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert reply.startswith(b"HTTP/1.1 200")
        spans = app.spans()
    http = [s for s in spans if s.name.startswith("HTTP GET")]
    assert len(http) == 1
    assert http[0].trace_id == f"{0x1234:032x}" and http[0].parent_id == f"{0x99:016x}"
    assert http[0].attributes["http.status_code"] == "200"
    assert all(s.trace_id == http[0].trace_id for s in spans)
    child = [s for s in spans if s.parent_id == http[0].span_id]
    assert [s.name for s in child] == ["Greeter.greet"]


@pytest.mark.parametrize("bad", ["", "00-abc-def-01", "00-" + "0" * 32 + "-" + "1" * 16 + "-01", "zz"])
def test_malformed_traceparent_is_ignored(bad: str) -> None:
    assert parse_traceparent(bad) is None


def test_traceparent_round_trip() -> None:
    t = (2**127 + 5, 2**63 + 7, 1)
    assert parse_traceparent(traceparent(t)) == t
