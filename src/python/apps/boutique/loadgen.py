"""An open-loop load generator with Online Boutique's Locust task mix.

    python -m apps.boutique.loadgen --url http://127.0.0.1:12000 --rate 50 --duration 30

Tasks start at a fixed offered rate (tasks/s; uniform or Poisson arrivals), whatever the
latency: a task never waits for an earlier one. Each task runs as one of a pool of simulated
users (cookie jar and keep-alive connection), created on demand with Locust's `on_start`
(the home page). A sample is one Locust request (redirects followed), timed from its task's
scheduled start for the first request so that queueing delay is not hidden, to the moment its
last byte is read. The generator's own work is kept out of that time: a task starts a moment
before its scheduled start, prepares its first request and sends it at that instant; the
client polls while requests are in flight; and a response is timed when read, before the
client handles its cookies and redirects. Reports achieved rates, p50/p99 latency and errors as
JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field

from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import CHECKOUT_FORM

PRODUCTS = [
    "0PUK6V6EV0",
    "1YMWWN1N4O",
    "2ZYFJ3GM2N",
    "66VCHSJNUP",
    "6E92ZMYYFZ",
    "9SIQT8TOJO",
    "L9ECAV7KIM",
    "LS4PSXUNUM",
    "OLJCESPC7Z",
]
CURRENCIES = ["EUR", "USD", "JPY", "CAD"]
QUANTITIES = ["1", "2", "3", "4", "5", "10"]


@dataclass
class Stats:
    """Raw measurements of one run."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    tasks_done: int = 0
    tasks_failed: int = 0
    dropped: int = 0
    lateness: list[float] = field(default_factory=list)  # task started - when it was due to start

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class User:
    """One simulated shopper; `sample` records a request's latency from `start`."""

    def __init__(self, url: str, rng: random.Random, stats: Stats) -> None:
        self.browser = HttpBrowser(url)
        self.rng = rng
        self.stats = stats
        self.started = False

    async def sample(self, start: float, method: str, path: str, form: dict[str, str] | None = None) -> None:
        """One Locust request sent at `start` (or at once if that has passed), timed from `start`
        to the moment its (final) response was read."""
        try:
            resp = await self.browser.request(method, path, form, follow=True, send_at=start)
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            self.stats.error(type(e).__name__)
            raise
        self.stats.latencies.append((resp.received_at or time.perf_counter()) - start)
        if resp.status != 200:
            self.stats.error(f"HTTP {resp.status}")
            raise RuntimeError(f"{method} {path}: HTTP {resp.status}")

    async def index(self, t0: float) -> None:
        await self.sample(t0, "GET", "/")

    async def set_currency(self, t0: float) -> None:
        await self.sample(t0, "POST", "/setCurrency", {"currency_code": self.rng.choice(CURRENCIES)})

    async def browse_product(self, t0: float) -> None:
        await self.sample(t0, "GET", f"/product/{self.rng.choice(PRODUCTS)}")

    async def view_cart(self, t0: float) -> None:
        await self.sample(t0, "GET", "/cart")

    async def add_to_cart(self, t0: float) -> None:
        product = self.rng.choice(PRODUCTS)
        await self.sample(t0, "GET", f"/product/{product}")
        form = {"product_id": product, "quantity": self.rng.choice(QUANTITIES)}
        await self.sample(time.perf_counter(), "POST", "/cart", form)

    async def checkout(self, t0: float) -> None:
        await self.add_to_cart(t0)
        await self.sample(time.perf_counter(), "POST", "/cart/checkout", CHECKOUT_FORM)


Task = Callable[[User, float], Awaitable[None]]
TASKS: list[tuple[Task, int]] = [
    (User.index, 1),
    (User.set_currency, 2),
    (User.browse_product, 10),
    (User.add_to_cart, 2),
    (User.view_cart, 3),
    (User.checkout, 1),
]


@dataclass
class Report:
    """What a run achieved."""

    offered_tasks_per_s: float
    duration_s: float
    tasks_done: int
    tasks_failed: int
    dropped: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    late_p99_ms: float
    errors: dict[str, int]


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


TIMER_MARGIN_S = 0.0015
"""How long before an arrival `sleep_until` stops trusting the event loop's timer."""

PREPARE_S = 0.001
"""How long before its scheduled start a task is started: it prepares its first request (user,
cookies, request bytes) and sends it at the scheduled instant, so that the generator's own
work is not in the request's latency."""


async def sleep_until(deadline: float, busy: Callable[[], bool] = lambda: False) -> None:
    """Return at `deadline` (a `time.perf_counter()` value), within microseconds.

    Event-loop timers are millisecond-grained: uvloop wakes a sleep 0.25 ms late at the median
    and up to ~1 ms late, which would be added to every sample (timed from its scheduled start).
    So sleep until `TIMER_MARGIN_S` before, then yield to the loop (`sleep(0)`: responses of
    requests in flight are still read meanwhile) until the deadline. While `busy()` (requests
    in flight), poll the same way instead of sleeping: a response is read the moment it
    arrives, not after this process is woken up (tens of microseconds on a small VM, and the
    generator runs on a core of its own), so the client's own wake-up is not in the latency.
    """
    while True:
        now = time.perf_counter()
        if now >= deadline:
            return
        if busy() or deadline - now <= TIMER_MARGIN_S:
            await asyncio.sleep(0)
        else:
            await asyncio.sleep(deadline - now - TIMER_MARGIN_S)


async def run(
    url: str,
    rate: float,
    duration: float,
    max_users: int = 1000,
    seed: int | None = None,
    poisson: bool = False,
    drain: float = 10.0,
) -> Report:
    """Offer `rate` tasks/s for `duration` s, wait up to `drain` s for stragglers, report."""
    rng = random.Random(seed)
    stats = Stats()
    idle: list[User] = []
    users: list[User] = []
    running: set[asyncio.Task[None]] = set()
    funcs, weights = zip(*TASKS, strict=True)

    async def one(task: Task, scheduled: float) -> None:
        user = idle.pop() if idle else None
        if user is None:
            if len(users) >= max_users:
                stats.dropped += 1
                return
            user = User(url, random.Random(rng.random()), stats)
            users.append(user)
        try:
            if not user.started:
                user.started = True
                await user.index(scheduled)
                scheduled = time.perf_counter()
            await task(user, scheduled)
            stats.tasks_done += 1
        except Exception:  # noqa: BLE001 - counted; the run goes on
            stats.tasks_failed += 1
            await user.browser.close()
        finally:
            idle.append(user)

    start = time.perf_counter()
    n = 0
    next_at = start
    while True:
        if poisson:
            next_at += rng.expovariate(rate)
        else:
            next_at = start + n / rate
        if next_at >= start + duration:
            break
        await sleep_until(next_at - PREPARE_S, lambda: bool(running))
        stats.lateness.append(time.perf_counter() - (next_at - PREPARE_S))
        task = rng.choices(funcs, weights)[0]
        t = asyncio.create_task(one(task, next_at))
        running.add(t)
        t.add_done_callback(running.discard)
        n += 1
    if running:
        _, late = await asyncio.wait(set(running), timeout=drain)
        for t in late:
            t.cancel()
        if late:
            stats.errors["unfinished"] = len(late)
    elapsed = time.perf_counter() - start
    for u in users:
        await u.browser.close()
    lat = stats.latencies
    return Report(
        offered_tasks_per_s=rate,
        duration_s=round(elapsed, 3),
        tasks_done=stats.tasks_done,
        tasks_failed=stats.tasks_failed,
        dropped=stats.dropped,
        requests=len(lat),
        rps=round(len(lat) / elapsed, 2) if elapsed else 0.0,
        p50_ms=round(percentile(lat, 0.50) * 1000, 3),
        p99_ms=round(percentile(lat, 0.99) * 1000, 3),
        late_p99_ms=round(percentile(stats.lateness, 0.99) * 1000, 3),
        errors=stats.errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:12000")
    parser.add_argument("--rate", type=float, required=True, help="offered tasks per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of arrivals")
    parser.add_argument("--max-users", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--poisson", action="store_true", help="Poisson arrivals instead of uniform")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    import uvloop

    report = uvloop.run(run(args.url, args.rate, args.duration, args.max_users, args.seed, args.poisson))
    print(json.dumps(asdict(report), indent=2))


if __name__ == "__main__":
    main()
