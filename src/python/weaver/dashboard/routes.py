"""The dashboard's URLs over a `Source`: what the manager's endpoint and `weaver multi dashboard` serve.

    /dashboard               the overview page (refreshes itself)
    /dashboard.json          the same as JSON (`model.Overview`): graph nodes, edges with figures
    /dashboard/trace?dep=KEY&id=TRACE        a trace's waterfall; /dashboard/trace.json the same as JSON
    /dashboard/logs?dep=KEY&component=C&level=L&trace_id=T   the newest matching log entries

A handler takes the query string and returns (body, content type), the shape of the manager's
`MetricsServer` routes; `asgi` wraps the same handlers for `weaver.httpserver`.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Protocol

import msgspec

from weaver.dashboard.logview import LogQuery, LogQueryError, select
from weaver.dashboard.model import DeploymentView, Overview
from weaver.dashboard.waterfall import Waterfall, waterfall
from weaver.runtime.messages import LogEntry
from weaver.tracing import SpanRecord

Handler = Callable[[bytes], tuple[bytes, str]]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]
"""As `weaver.httpserver.cycle`'s (not imported: the manager, which serves these routes with its own
small responder, need not load the HTTP server)."""
HTML = "text/html; charset=utf-8"
JSON = "application/json"


class Source(Protocol):
    """Where the dashboard's data comes from (a manager in process, or the state dir's managers)."""

    def overview(self) -> Overview: ...

    def spans(self, dep: str, trace_id: str) -> list[SpanRecord]:
        """The spans of `trace_id` kept by deployment `dep` ([] if unknown)."""
        ...

    def log_entries(self, dep: str) -> Iterable[LogEntry]:
        """Recent log entries of deployment `dep` (all deployments if "")."""
        ...


def _params(query: bytes) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query.decode("latin-1")).items()}


def routes(source: Source) -> dict[bytes, Handler]:
    """Path -> handler for every dashboard URL (Jinja2 is imported at the first page, not before)."""

    def page(_: bytes) -> tuple[bytes, str]:
        from weaver.dashboard import pages

        return pages.overview(source.overview()).encode(), HTML

    def data(_: bytes) -> tuple[bytes, str]:
        return msgspec.json.encode(source.overview()), JSON

    def trace_wf(query: bytes) -> tuple[str, Waterfall]:
        p = _params(query)
        tid = p.get("id", "").strip().lower()
        if any(c not in "0123456789abcdef" for c in tid):
            tid = ""  # not a trace id: nothing to look up (and nothing to put in a manager's URL)
        return p.get("dep", ""), waterfall(tid, source.spans(p.get("dep", ""), tid) if tid else [])

    def trace_page(query: bytes) -> tuple[bytes, str]:
        from weaver.dashboard import pages

        dep, wf = trace_wf(query)
        return pages.trace(dep, wf).encode(), HTML

    def trace_json(query: bytes) -> tuple[bytes, str]:
        return msgspec.json.encode(trace_wf(query)[1]), JSON

    def logs_page(query: bytes) -> tuple[bytes, str]:
        from weaver.dashboard import pages

        p = _params(query)
        dep = p.get("dep", "")
        names = sorted({c for d in source.overview().deployments if not dep or d.key == dep for c in _names(d)})
        try:
            q = LogQuery.parse(p)
        except LogQueryError as e:
            return pages.logs(dep, LogQuery(), [], names, str(e)).encode(), HTML
        return pages.logs(dep, q, select(source.log_entries(dep), q), names).encode(), HTML

    table: dict[bytes, Handler] = {
        b"/dashboard": page,
        b"/dashboard/": page,
        b"/dashboard.json": data,
        b"/dashboard/trace": trace_page,
        b"/dashboard/trace.json": trace_json,
        b"/dashboard/logs": logs_page,
    }
    return {path: _safe(h) for path, h in table.items()}


def _safe(handler: Handler) -> Handler:
    """A page that cannot be drawn says why (as text) instead of dropping the connection."""

    def run(query: bytes) -> tuple[bytes, str]:
        try:
            return handler(query)
        except Exception as e:
            return f"dashboard: {type(e).__name__}: {e}\n".encode(), "text/plain; charset=utf-8"

    return run


def _names(d: DeploymentView) -> list[str]:
    return [n.name for n in d.graph.nodes]


def asgi(handlers: dict[bytes, Handler]) -> ASGIApp:
    """An ASGI app serving `handlers` (GET only; `/` redirects to /dashboard). Handlers may block
    (a source that asks other processes), so they run in a worker thread."""

    async def app(
        scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"].encode()
        headers: list[tuple[bytes, bytes]] = []
        if scope["method"] not in ("GET", "HEAD"):
            status, body, ctype = 405, b"GET only\n", "text/plain"
        elif path == b"/":
            status, body, ctype = 302, b"", "text/plain"
            headers.append((b"location", b"/dashboard"))
        elif path in handlers:
            body, ctype = await asyncio.to_thread(handlers[path], scope.get("query_string", b""))
            status = 200
        else:
            status, body, ctype = 404, b"not found; see /dashboard\n", "text/plain"
        headers += [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
        headers.append((b"cache-control", b"no-store"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    return app
