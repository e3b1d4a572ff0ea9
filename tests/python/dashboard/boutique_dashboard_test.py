"""The split boutique's dashboard: 11 components, and each edge's calls are the pages' calls.

The shop runs under multi with every component in its own process (2 replicas each). The test
drives two users' visits (home pages, a product, add to cart, the cart, checkout) and reads
the manager's `/dashboard.json`: its graph must have the 11 components and, per (caller,
callee, method), exactly the calls the notes' calls-per-page table gives for those pages. The
same graph must come out of `weaver multi dashboard` (a separate process that finds the
deployment by its status.json), and the checkout's trace and the access log must be there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import msgspec

import weaver.testing
from dashboard import shop
from support import rawhttp
from weaver.dashboard.waterfall import Waterfall
from weaver.internal import envvars
from weaver.runtime import status
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp
from weaver.tracing import traceparent

TRACE = 0xDA5B0A4D000000000000000000000001


async def standalone_dashboard(state_root: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`python -m weaver multi dashboard --port 0` over `state_root`; the process and its address."""
    env = {**os.environ, envvars.STATE_DIR: str(state_root)}
    with open(state_root / "dashboard.stderr", "wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "weaver", "multi", "dashboard", "--port", "0", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=err,
        )  # fmt: skip
    assert proc.stdout is not None
    async with asyncio.timeout(60):
        line = (await proc.stdout.readline()).decode()
    assert line.startswith("dashboard: http://127.0.0.1:"), (line, (state_root / "dashboard.stderr").read_text())
    return proc, line.split("http://", 1)[1].split("/", 1)[0]


async def stop(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        async with asyncio.timeout(20):
            return await proc.wait()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise


async def test_the_graph_has_the_eleven_components_and_the_calls_of_the_pages(tmp_path: Path) -> None:
    async with weaver.testing.start("apps.boutique", mode="multi", config=shop.CONFIG) as app:
        assert isinstance(app, MultiApp)
        endpoint, address = app.manager.status().metrics, app.listener("boutique").address
        before = await shop.overview(endpoint)
        (dep,) = before.deployments
        assert {n.name for n in dep.graph.nodes} == shop.COMPONENTS
        assert all(n.healthy == n.replicas == 2 for n in dep.graph.nodes), dep.graph.nodes
        assert shop.calls(before) == Counter()  # no call before the first page

        tp = {"traceparent": traceparent((TRACE, 0x1234, 1))}
        pages = await shop.visit(address, "dash-user-1", homes=3)
        pages += await shop.visit(address, "dash-user-2", headers=tp)
        want = shop.expected(pages)
        view = await shop.until_calls(endpoint, want)
        (dep,) = view.deployments
        edges = {(e.caller, e.callee): e for e in dep.graph.edges if e.figures.calls}
        assert set(edges) == {(a, b) for a, b, _ in want} and len(edges) == 15
        for (a, b), e in edges.items():
            assert e.figures.calls == sum(n for (x, y, _), n in want.items() if (x, y) == (a, b)), (a, b)
            assert e.figures.errors == 0 or (a, b) == (shop.MAIN, shop.AD), (a, b, e.figures)  # ads: 100 ms bound
        methods = {(c.name, m.method): m.figures.calls for c in dep.components for m in c.methods}
        assert methods[(shop.CURRENCY, "convert")] == 5 * 9 + 2 * (1 + 2 + 2)  # homes, products, carts, orders
        print(f"{len(pages)} pages, {sum(want.values())} calls ({sum(want.values()) / len(pages):.1f} per page)")
        for (a, b), e in sorted(edges.items()):
            f = e.figures
            print(f"  {a.rsplit('.', 1)[-1]:>22} -> {b.rsplit('.', 1)[-1]:<22} {f.calls:4d} calls, "
                  f"{f.rate or 0:.1f}/s, p50 {f.p50_ms} ms, p99 {f.p99_ms} ms")  # fmt: skip

        tid = f"{TRACE:032x}"

        async def traced() -> Waterfall:
            got = await shop.overview(endpoint)
            assert tid in {t.trace_id for t in got.deployments[0].traces}
            code, body = await rawhttp.get(endpoint, f"/dashboard/trace.json?id={tid}")
            wf = msgspec.json.decode(body, type=Waterfall)
            assert code == 200 and sum(b.kind == "server" for b in wf.bars) >= 9, [b.name for b in wf.bars]
            # The listener's HTTP span ends last, so it may reach the store after the others.
            assert wf.bars[0].name == "HTTP POST /cart/checkout" and wf.bars[0].depth == 0, wf.bars[0]
            return wf

        what = "the checkout's trace on the dashboard"
        wf = await eventually(traced, timeout=30, what=what, ignore=(AssertionError,))
        assert max(b.depth for b in wf.bars) >= 4  # HTTP -> client -> PlaceOrder -> client -> server

        async def logged() -> bool:
            code, body = await rawhttp.get(endpoint, "/dashboard/logs?component=weaver.access&limit=1000")
            assert code == 200 and body.count(b"GET /product/OLJCESPC7Z 200") == 2, body[-2000:]
            return True

        await eventually(logged, timeout=30, what="the access log on the dashboard", ignore=(AssertionError,))

        # `weaver multi dashboard` finds the deployment by its status.json and shows the same graph
        published = tmp_path / "multi" / app.manager.info.app / app.manager.info.version / "status.json"
        status.write(published, app.manager.status())
        proc, dash = await standalone_dashboard(tmp_path)
        try:
            relayed = await shop.overview(dash)
            assert relayed.errors == [] and shop.calls(relayed) == want
            assert {n.name for n in relayed.deployments[0].graph.nodes} == shop.COMPONENTS
            code, html = await rawhttp.get(dash, "/dashboard")
            assert code == 200 and html.count(b"data-component=") >= 11
            code, body = await rawhttp.get(dash, f"/dashboard/trace.json?id={tid}")
            assert code == 200 and msgspec.json.decode(body, type=Waterfall).bars[0].name == "HTTP POST /cart/checkout"
        finally:
            assert await stop(proc) == 0
