"""A minimal HTTP/1.1 client over one connection, for the proxy's tests and benchmark.

It writes requests as given (so tests can send malformed ones) and reads responses with
httptools.
"""

from __future__ import annotations

import asyncio

import httptools

from weaver.internal.address import parse_address


class Response:
    """A response read whole."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.chunks: list[bytes] = []
        self.complete = False
        self.head_done = False
        self.parser: httptools.HttpResponseParser | None = None

    def header(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        key = name.lower().encode()
        return next((v.decode() for n, v in self.headers if n.lower() == key), None)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.head_done = True
        assert self.parser is not None
        self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.complete = True
        self.body = b"".join(self.chunks)


class RawClient:
    """One keep-alive connection; `request` sends and reads one exchange."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.leftover = b""

    @classmethod
    async def connect(cls, address: str) -> RawClient:
        host, port = parse_address(address, what="server address")
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        """Send one request (Content-Length framing) and read its response."""
        lines = [f"{method} {path} HTTP/1.1", "Host: test"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return await self.read_response(head_only=method == "HEAD")

    async def read_response(self, head_only: bool = False, upto_head: bool = False) -> Response:
        """Read one response; on EOF, return what arrived (`complete` says whether it all did)."""
        resp = Response()
        parser = resp.parser = httptools.HttpResponseParser(resp)
        data, self.leftover = self.leftover, b""
        while True:
            if data:
                try:
                    parser.feed_data(data)
                except httptools.HttpParserUpgrade as e:
                    self.leftover = data[e.args[0] :]
                    resp.complete = True
                    return resp
            if resp.complete or ((head_only or upto_head) and resp.head_done):
                resp.complete = resp.complete or head_only
                resp.body = b"".join(resp.chunks)
                return resp
            data = await self.reader.read(65536)
            if not data:
                resp.body = b"".join(resp.chunks)
                return resp

    async def closed(self, timeout: float = 2.0) -> bool:
        """Whether the server closes the connection (EOF or reset) within `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                while await self.reader.read(65536):
                    pass
        except ConnectionError:
            return True
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass
