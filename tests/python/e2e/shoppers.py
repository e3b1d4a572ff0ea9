"""Shoppers for the rollout tests: browsers with a cookie jar, filling carts through the proxy.

Every page is checked: its status, and that the footer's version is the one the proxy says
served it (`Weaver-Version`), so a page rendered by two versions is caught.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field

CART = {"OLJCESPC7Z": 2, "66VCHSJNUP": 1}
MAX_SECONDS = 180.0
VISIT = [
    ("GET", "/", None),
    ("GET", "/product/OLJCESPC7Z", None),
    ("POST", "/cart", "product_id=OLJCESPC7Z&quantity=1"),
    ("GET", "/cart", None),
]


@dataclass
class Page:
    at: float
    session: str
    path: str
    status: int
    version: str
    footer: str = ""
    cart: dict[str, int] = field(default_factory=dict)
    repinned_from: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        rendered_by_its_version = not self.footer or self.version.startswith(self.footer)
        return self.status in (200, 302) and not self.error and rendered_by_its_version


class Shopper:
    """One browser: a cookie jar (session and version pin) and a connection per request."""

    def __init__(self, address: str, name: str) -> None:
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)
        self.name = name
        self.cookies: dict[str, str] = {}

    def go(self, method: str, path: str, form: str | None = None) -> Page:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=form, headers=headers)
            r = conn.getresponse()
            body = r.read().decode(errors="replace")
        except OSError as e:
            return Page(time.time(), self.name, path, 0, "", error=repr(e))
        finally:
            conn.close()
        for value in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        page = Page(time.time(), self.name, path, r.status, r.getheader("Weaver-Version") or "")
        page.repinned_from = r.getheader("Weaver-Repinned-From") or ""
        if m := re.search(r'<span class="version">([0-9a-f]+)</span>', body):
            page.footer = m.group(1)
        if path == "/cart" and r.status == 200:
            page.cart = {pid: int(q) for pid, q in re.findall(r"<td>#(\w+)</td>\s*<td>(\d+)</td>", body)}
        if r.status >= 400:
            page.error = body[:200]
        return page


class Traffic:
    """Fresh shoppers filling carts, plus one pinned shopper reading its cart, until stop()."""

    def __init__(self, address: str, pinned: Shopper, max_seconds: float = MAX_SECONDS) -> None:
        self.address, self.pinned, self.max_seconds = address, pinned, max_seconds
        self.pages: list[Page] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._fresh, args=(i,)) for i in range(2)]
        self.threads.append(threading.Thread(target=self._pinned))

    def _keep(self, page: Page) -> None:
        with self.lock:
            self.pages.append(page)

    def _fresh(self, i: int) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            s = Shopper(self.address, f"fresh{i}")
            for method, path, form in VISIT:
                self._keep(s.go(method, path, form))

    def _pinned(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            self._keep(self.pinned.go("GET", "/cart"))
            self.stopping.wait(0.05)

    def __enter__(self) -> Traffic:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)
