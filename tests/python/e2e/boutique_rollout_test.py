"""A rollout of the boutique under load, with carts in Redis: nobody loses a cart or a request.

Two builds of the shop (deploy/boutique/default.toml's placement: 5 groups, 7 processes each,
plus the Redis address) are rolled out one after the other with `weaver rollout`. While v1 gives
way to v2, shoppers browse and fill carts through the proxy, and one session pinned to v1 keeps
reading its cart. When v1 has drained and stopped, that session is re-pinned to v2 and must find
its cart there: the cart lives in the one real redis-server both versions use.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from e2e.rollout_builds import build_shop
from e2e.rollout_rig import Build, Weaver
from support.redis_server import RedisServer

CART = {"OLJCESPC7Z": 2, "66VCHSJNUP": 1}
MAX_SECONDS = 180.0
VISIT = [
    ("GET", "/", None),
    ("GET", "/product/OLJCESPC7Z", None),
    ("POST", "/cart", "product_id=OLJCESPC7Z&quantity=1"),
    ("GET", "/cart", None),
]


@pytest.fixture(scope="module")
def shops(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    out = tmp_path_factory.mktemp("shops")
    return {v: Build(*build_shop(out, v, redis.address)) for v in ("v1", "v2")}


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

    def __init__(self, address: str, pinned: Shopper) -> None:
        self.address, self.pinned = address, pinned
        self.pages: list[Page] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._fresh, args=(i,)) for i in range(2)]
        self.threads.append(threading.Thread(target=self._pinned))

    def _keep(self, page: Page) -> None:
        with self.lock:
            self.pages.append(page)

    def _fresh(self, i: int) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        while not self.stopping.is_set() and time.monotonic() < deadline:
            s = Shopper(self.address, f"fresh{i}")
            for method, path, form in VISIT:
                self._keep(s.go(method, path, form))

    def _pinned(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
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


@pytest.fixture
def weaver(tmp_path: Path) -> Iterator[Weaver]:
    w = Weaver(tmp_path / "state", app="boutique")
    try:
        yield w
    finally:
        w.close()


def test_pinned_cart_survives_the_rollout_and_nothing_fails(weaver: Weaver, shops: dict[str, Build]) -> None:
    v1, v2 = shops["v1"], shops["v2"]
    first = weaver.deploy(v1, "--steps", "100", "--duration", "1s", "--start-timeout", "120s")
    assert first.returncode == 0, first.stderr + first.stdout
    pinned = Shopper(weaver.address, "pinned")
    for pid, quantity in CART.items():
        assert pinned.go("POST", "/cart", f"product_id={pid}&quantity={quantity}").status == 302
    before = pinned.go("GET", "/cart")
    assert (before.version, before.cart) == (v1.version, CART), before
    with Traffic(weaver.address, pinned) as traffic:
        done = weaver.deploy(v2, "--steps", "50,100", "--duration", "8s", "--warmup-path", "/",
                             "--start-timeout", "120s")  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    state = weaver.state()
    assert (state.phase, state.live, state.running()) == ("done", v2.version, [v2.version])
    after = pinned.go("GET", "/cart")
    assert (after.version, after.cart) == (v2.version, CART), after
    pages = traffic.pages
    assert [p for p in pages if not p.ok] == []  # zero failed requests; every page rendered by its version
    assert {p.version for p in pages if p.session.startswith("fresh")} == {v1.version, v2.version}
    reads = [p for p in pages if p.session == "pinned"]
    assert all(p.cart == CART for p in reads)  # the cart never went missing, on either version
    switch = next(i for i, p in enumerate(reads) if p.version == v2.version)
    assert {p.version for p in reads[:switch]} == {v1.version} and {p.version for p in reads[switch:]} == {v2.version}
    assert reads[switch].repinned_from == v1.version  # moved when v1 drained and stopped
    by = {v: sum(1 for p in pages if p.version == v) for v in (v1.version, v2.version)}
    print(f"BOUTIQUE rollout: {len(pages)} pages, {by[v1.version]} by v1 and {by[v2.version]} by v2, none failed; "
          f"the pinned cart read {len(reads)} times, re-pinned at read {switch}")  # fmt: skip
