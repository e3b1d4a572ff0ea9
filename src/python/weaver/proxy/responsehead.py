"""The head of a response as the client gets it: the version's pin and how the body is framed.

I/O-free: it decides the exchange's outgoing framing (chunked, or close after) and returns the
bytes to write.
"""

from __future__ import annotations

from weaver.internal import http1
from weaver.proxy import pin
from weaver.proxy.exchange import Exchange

_TO_CLIENT = http1.skipping(pin.HEADER.lower(), pin.REPINNED_HEADER.lower())


def client_head(ex: Exchange, status: int, reason: bytes, headers: http1.Headers) -> bytes:
    """The head for the backend's response to `ex`, rewritten for the client (sets `ex`'s
    framing: `chunked_out`, `close_after`)."""
    vid = ex.version.encode()
    lines = [http1.status_line(status, reason)]
    names: list[bytes] = []
    lines += http1.end_to_end(headers, _TO_CLIENT, names)
    lines.append(pin.HEADER + b": " + vid + b"\r\n")
    if ex.route is not None and ex.route.repinned_from is not None:
        lines.append(pin.REPINNED_HEADER + b": " + ex.route.repinned_from.encode() + b"\r\n")
    if ex.cookie_pin != ex.version:
        lines.append(b"Set-Cookie: " + pin.set_cookie(ex.version) + b"\r\n")
    if status == 101:
        lines += [b"Upgrade: " + v + b"\r\n" for n, v in headers if n.lower() == b"upgrade"]
        lines.append(b"Connection: Upgrade\r\n")
    else:
        framing = http1.body_framing(status, ex.method == b"HEAD", b"content-length" in names, ex.http11)
        if framing is http1.Framing.CHUNKED:
            ex.chunked_out = True
            lines.append(b"Transfer-Encoding: chunked\r\n")
        elif framing is http1.Framing.CLOSE:
            ex.close_after = True
        if ex.close_after or not ex.request_done:
            ex.close_after = True
            lines.append(b"Connection: close\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)
