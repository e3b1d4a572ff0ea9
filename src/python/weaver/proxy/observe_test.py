"""The proxy's span per request (root, or child of the client's traceparent; forwarded to the
version's backend) and its access log entry; with no observer, headers pass as before."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from weaver import tracing
from weaver.config import TracingOptions
from weaver.proxy.conftest import Stack
from weaver.proxy.observe import Observer
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table, Version
from weaver.tracing import parse_traceparent

CLIENT_TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def traced() -> Iterator[None]:
    tracing.configure(TracingOptions(enabled=True, sample_ratio=1.0), "proxy-test")
    try:
        yield
    finally:
        tracing.shutdown()


async def serve(stack: Stack, observer: Observer | None) -> tuple[Proxy, str]:
    backend = await stack.backend("a")
    proxy = Proxy(Table({"v1": Version(1, [backend.address])}), observer=observer)
    stack.proxies.append(proxy)  # closed with the stack
    host, port = await proxy.listen()
    return proxy, f"{host}:{port}"


def sent(headers: dict[bytes, bytes]) -> tuple[str, str, bool]:
    """(trace id, span id, sampled) of the traceparent the backend received."""
    t = parse_traceparent(headers[b"traceparent"].decode())
    assert t is not None
    return f"{t[0]:032x}", f"{t[1]:016x}", bool(t[2] & 1)


def access_entries(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    """The `weaver.access` records' fields (the `extra` of accesslog.record), with the trace id."""
    out = []
    for r in caplog.records:
        if r.name == "weaver.access":
            fields = vars(r)
            out.append(dict(fields["access"]) | {"trace": fields["trace_id"]})
    return out


async def test_a_root_span_per_request_its_context_forwarded(
    stack: Stack, traced: None, caplog: pytest.LogCaptureFixture
) -> None:
    _, addr = await serve(stack, Observer("edge"))
    c = await stack.client(addr)
    with caplog.at_level(logging.INFO, logger="weaver.access"):
        r = await c.request("GET", "/big?n=1234")
    assert r.status == 200
    collector = tracing.collector()
    assert collector is not None
    (span,) = collector.drain()
    assert (span.name, span.kind, span.parent_id) == ("proxy GET /big", "server", "")
    assert span.attributes["http.status_code"] == "200" and span.attributes["weaver.version"] == "v1"
    (_, _, headers) = stack.backends[0].seen[-1]
    assert sent(headers) == (span.trace_id, span.span_id, True)
    (entry,) = access_entries(caplog)
    assert entry == {"method": "GET", "path": "/big", "status": "200", "bytes": "1234",
                     "duration_ms": entry["duration_ms"], "where": "edge", "version": "v1",
                     "trace": span.trace_id}  # fmt: skip
    assert float(entry["duration_ms"]) > 0


async def test_the_clients_traceparent_is_the_proxy_spans_parent(stack: Stack, traced: None) -> None:
    _, addr = await serve(stack, Observer("edge"))
    c = await stack.client(addr)
    r = await c.request("GET", "/status/503", {"traceparent": CLIENT_TP})
    assert r.status == 503
    collector = tracing.collector()
    assert collector is not None
    (span,) = collector.drain()
    assert (span.trace_id, span.parent_id) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
    assert span.error == "HTTP 503"
    (_, _, headers) = stack.backends[0].seen[-1]
    assert sent(headers) == (span.trace_id, span.span_id, True)  # the proxy's span, not the client's


async def test_unrouted_requests_are_logged_too(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    proxy = Proxy(Table(), observer=Observer("edge", trace=False))
    stack.proxies.append(proxy)
    host, port = await proxy.listen()
    c = await stack.client(f"{host}:{port}")
    with caplog.at_level(logging.INFO, logger="weaver.access"):
        r = await c.request("GET", "/")
    assert r.status == 503
    (entry,) = access_entries(caplog)
    assert (entry["status"], entry["where"], entry["trace"]) == ("503", "edge", "")
    assert "version" not in entry


@pytest.mark.parametrize("observer", [None, Observer("edge", trace=False)])
async def test_without_spans_the_clients_traceparent_passes_unchanged(
    stack: Stack, observer: Observer | None, caplog: pytest.LogCaptureFixture
) -> None:
    _, addr = await serve(stack, observer)
    c = await stack.client(addr)
    with caplog.at_level(logging.INFO, logger="weaver.access"):
        r = await c.request("GET", "/", {"traceparent": CLIENT_TP})
    assert r.status == 200
    (_, _, headers) = stack.backends[0].seen[-1]
    assert headers[b"traceparent"].decode() == CLIENT_TP
    assert len(access_entries(caplog)) == (0 if observer is None else 1)
