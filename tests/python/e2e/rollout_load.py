"""A bounded HTTP client load for the rollout tests: fresh sessions and one pinned session.

Every response is checked: status 200, and every hop of the call chain (Main, Greeter, Counter)
reports the version that the proxy says served it (`Weaver-Version`).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

MAX_SECONDS = 120.0
MAX_REQUESTS = 20_000


@dataclass
class Result:
    at: float
    session: str
    status: int
    version: str
    hops: set[str] = field(default_factory=set)
    text: str = ""
    repinned_from: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error and self.hops == {self.version}


def request(address: str, cookie: str | None) -> tuple[Result, str | None]:
    """One GET /hello; returns the result and the Set-Cookie pin, if any."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/hello?name=load", headers={"Cookie": f"weaver-version={cookie}"} if cookie else {})
        r = conn.getresponse()
        body = r.read()
    except OSError as e:
        return Result(time.time(), "", 0, "", error=repr(e)), None
    finally:
        conn.close()
    res = Result(time.time(), "", r.status, r.getheader("Weaver-Version") or "")
    res.repinned_from = r.getheader("Weaver-Repinned-From") or ""
    if r.status == 200:
        reply = json.loads(body)
        res.hops = {h["version"] for h in reply["hops"]}
        res.text = reply["text"]
    else:
        res.error = body[:200].decode(errors="replace")
    set_cookie = r.getheader("Set-Cookie") or ""
    pin = set_cookie.split(";")[0].partition("=")[2] if set_cookie.startswith("weaver-version=") else None
    return res, pin


class Load:
    """`fresh` loops of new sessions plus one pinned session, until stop() (or the bounds)."""

    def __init__(self, address: str, fresh: int = 2, pause: float = 0.01, max_seconds: float = MAX_SECONDS) -> None:
        self.address = address
        self.max_seconds = max_seconds
        self.pause = pause
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(f"fresh{i}", False)) for i in range(fresh)]
        self.threads.append(threading.Thread(target=self._loop, args=("pinned", True)))

    def _loop(self, session: str, pinned: bool) -> None:
        cookie: str | None = None
        deadline = time.monotonic() + self.max_seconds
        while not self.stopping.is_set() and time.monotonic() < deadline and len(self.results) < MAX_REQUESTS:
            res, pin = request(self.address, cookie if pinned else None)
            res.session = session
            if pinned and pin:
                cookie = pin
            with self.lock:
                self.results.append(res)
            time.sleep(self.pause)

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> list[Result]:
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=15)
        return self.results

    def count(self) -> int:
        with self.lock:
            return len(self.results)

    def since(self, t: float) -> list[Result]:
        with self.lock:
            return [r for r in self.results if r.at >= t]
