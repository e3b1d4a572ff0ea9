"""weaver.proxy: the version-pinning reverse proxy in front of each public listener of an app.

Every request goes to exactly one version of the app, and says which: the backend sees request
header `Weaver-Version: <id>`, the client sees response header `Weaver-Version: <id>`.

Routing
    The *traffic table* (table.Table) maps version ID -> {weight, backends, draining}.
    - A request carrying a pin (request header `Weaver-Version: <id>`, which wins, or cookie
      `weaver-version=<id>`) to a version in the table goes to that version, even at weight 0
      or draining.
    - Any other request is drawn by weight among versions with weight > 0 that are not
      draining, and the response pins it: `Weaver-Version` header always, and
      `Set-Cookie: weaver-version=<id>; Path=/; HttpOnly; SameSite=Lax` when the cookie differs.
    - A pin to a version not in the table (stopped or unknown) is re-pinned by weight: the
      session moves, and the response says so with `Weaver-Repinned-From: <old id>` next to the
      new `Weaver-Version` and cookie. Browsers need this to recover from a finished rollout; an
      API client that must not move can check the header. Nothing moves silently.
    - Within a version, backends are used round robin over pooled keep-alive connections. If a
      backend refuses, the version's next backend is tried; never another version.

Errors the proxy answers itself (plain text; 502/503 carry `Weaver-Version` when a version was
chosen): 400 malformed request, 405 CONNECT, 414 URL too long, 417 bad Expect, 431 headers too
large, 413 body too large (limits.Limits), 503 no version takes traffic or the chosen version
has no backends, 502 no backend of the version reachable or it failed before responding. A
backend dying mid-response closes the client connection (the response is visibly truncated).

HTTP: HTTP/1.1 with keep-alive to clients and pooled keep-alive to backends; bodies stream
both ways (Content-Length or chunked, re-framed, never buffered whole; a slow reader pauses
the writer); pipelined requests are answered in order; Expect: 100-continue is answered by
the proxy; WebSocket (any Upgrade) is spliced after the backend's 101. HTTP/1.0 clients are
served with Connection: close. Not supported: HTTP/2, TLS, trailers (dropped), transfer
codings other than chunked. Idle client connections close after Limits.idle_timeout; there
is no response timeout (long polls are legitimate).

In-process API (for the rollout controller in the same process)
    proxy = Proxy(table, Limits(...)); await proxy.listen(host, port)
    proxy.set_table(Table({...}))        # atomic; connections and requests in flight unaffected
    proxy.drain(version)                 # shortcut: draining=True in the table
    proxy.in_flight(version)             # requests + tunnels still open, to finish a drain
    proxy.snapshot() -> stats.Snapshot   # cumulative; stats.diff(later, earlier) for one step
    await proxy.close(grace)

Admin endpoint (for a controller in another process; admin.py), JSON, bind to 127.0.0.1:
    GET /table, PUT /table (body: table JSON), GET /stats (Snapshot JSON), GET /healthz

Command: python -m weaver.proxy --listen 127.0.0.1:8000 --admin 127.0.0.1:8001 [--table FILE]
Benchmark: ./pants run src/python/weaver_bench/proxy/bench.py (package weaver_bench.proxy)
"""

from weaver.proxy.limits import Limits
from weaver.proxy.proxy import Proxy
from weaver.proxy.stats import Snapshot, VersionStats, diff
from weaver.proxy.table import Table, TableError, Version, decode_table, encode_table

__all__ = [
    "Limits",
    "Proxy",
    "Snapshot",
    "Table",
    "TableError",
    "Version",
    "VersionStats",
    "decode_table",
    "diff",
    "encode_table",
]
