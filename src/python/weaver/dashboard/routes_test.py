"""The dashboard's URLs over an in-memory source, directly and through weaver's HTTP server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from html.parser import HTMLParser

import msgspec

from weaver.dashboard.model import Overview, TraceRow, deployment_view
from weaver.dashboard.routes import asgi, routes
from weaver.dashboard.testdata import GREETER, MAIN, sample, status
from weaver.dashboard.waterfall import Waterfall
from weaver.httpserver import serve
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

TRACE = "c0ffee" + "0" * 26


class Static:
    """A source that holds one deployment of hello, one trace and three log entries."""

    def __init__(self) -> None:
        rows = [TraceRow(TRACE, "HTTP GET /hello", 2, 0, 1.5, False, 2)]
        self.view = deployment_view(status(), sample(20.0, 30), sample(10.0, 10), rows)
        self.trace = [
            SpanRecord(TRACE, "a" * 16, "", "HTTP GET /hello", "server", 0, 1_500_000, "", {}, "Main.0"),
            SpanRecord(TRACE, "b" * 16, "a" * 16, "Greeter.greet", "client", 100_000, 900_000, "", {}, "Main.0"),
        ]

    def overview(self) -> Overview:
        return Overview(deployments=[self.view])

    def spans(self, dep: str, trace_id: str) -> list[SpanRecord]:
        return self.trace if trace_id == TRACE and dep in ("", self.view.key) else []

    def log_entries(self, dep: str) -> Iterable[LogEntry]:
        return [
            LogEntry(app="hello", version="v1", component=GREETER, time=1.0, level="INFO", msg="greeting <b>x</b>"),
            LogEntry(app="hello", version="v1", component=GREETER, time=2.0, level="ERROR", msg="boom", trace_id=TRACE),
            LogEntry(app="hello", version="v1", component=MAIN, time=3.0, level="INFO", msg="main"),
        ]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def having(self, attr: str) -> list[dict[str, str]]:
        return [a for _, a in self.tags if attr in a]


def get(path: bytes, query: bytes = b"") -> tuple[str, str]:
    body, ctype = routes(Static())[path](query)
    return body.decode(), ctype


def test_the_overview_page_has_the_graph_tables_traces_and_the_poller() -> None:
    html, ctype = get(b"/dashboard")
    assert ctype.startswith("text/html")
    page = Tags(html)
    assert {a["data-component"] for a in page.having("data-node")} == {MAIN, GREETER, "apps.hello.counter.Counter"}
    assert {a["data-edge"] for a in page.having("data-edge")} == {
        f"hello@v1|{MAIN}|{GREETER}",
        f"hello@v1|{GREETER}|apps.hello.counter.Counter",
    }
    rows = {a["data-row"] for a in page.having("data-row")}
    assert f"e|hello@v1|{MAIN}|{GREETER}" in rows and f"m|hello@v1|{GREETER}|greet" in rows
    links = [a["href"] for t, a in page.tags if t == "a" and "href" in a]
    assert f"/dashboard/trace?dep=hello%40v1&id={TRACE}" in links
    assert any("fetch('/dashboard.json'" in t for t in page.text)  # the refresh script
    assert "2.0/s" in "".join(page.text)


def test_the_json_is_the_overview() -> None:
    body, ctype = get(b"/dashboard.json")
    assert ctype == "application/json"
    assert msgspec.json.decode(body, type=Overview) == Static().overview()


def test_a_trace_page_and_its_json() -> None:
    html, _ = get(b"/dashboard/trace", f"dep=hello%40v1&id={TRACE}".encode())
    spans = Tags(html).having("data-span")
    assert [(a["data-span"], a["data-parent"]) for a in spans] == [("a" * 16, ""), ("b" * 16, "a" * 16)]
    body, _ = get(b"/dashboard/trace.json", f"id={TRACE}".encode())
    wf = msgspec.json.decode(body, type=Waterfall)
    assert [b.depth for b in wf.bars] == [0, 1]
    assert "not (or no longer) kept" in get(b"/dashboard/trace", b"id=" + b"f" * 32)[0]


def test_the_logs_page_filters_and_escapes() -> None:
    html, _ = get(b"/dashboard/logs", b"dep=hello%40v1&component=Greeter")
    assert "greeting &lt;b&gt;x&lt;/b&gt;" in html and "boom" in html and '<td class="msg">main</td>' not in html
    html, _ = get(b"/dashboard/logs", f"trace_id={TRACE}".encode())
    assert html.count('<tr class="log">') == 1
    html, _ = get(b"/dashboard/logs", b"level=LOUD")
    assert "level &#39;LOUD&#39;: want one of" in html


async def test_served_by_weavers_http_server() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    port = sock.getsockname()[1]
    server = asyncio.create_task(serve(asgi(routes(Static())), sock, grace=0.5))

    async def fetch(request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        data = await reader.read()
        writer.close()
        return data

    try:
        async with asyncio.timeout(20):
            page = await fetch(b"GET /dashboard.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head, _, body = page.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200") and msgspec.json.decode(body, type=Overview).deployments
            root = await fetch(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert root.startswith(b"HTTP/1.1 302") and b"location: /dashboard" in root.lower()
            missing = await fetch(b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert missing.startswith(b"HTTP/1.1 404")
            post = await fetch(b"POST /dashboard HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            assert post.startswith(b"HTTP/1.1 405")
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        sock.close()
