"""A lean HTTP/1.1 server for ASGI apps (httptools parsing, uvloop when running).

`Listener.serve_asgi(app, server="weaver")` uses it. Compared with uvicorn (the default), it
runs a request's handler at once inside the read that completed it, and keeps less per
request: on these small VMs it serves a page with far less CPU when requests arrive apart.
HTTP only: no WebSocket upgrades (answered 501) and no lifespan events; use uvicorn for those.
"""

from weaver.httpserver.connection import Limits
from weaver.httpserver.server import serve

__all__ = ["Limits", "serve"]
