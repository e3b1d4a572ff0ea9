"""The dashboard in a real browser: headless Chromium loads the split boutique's dashboard.

The shop runs under multi (every component its own process). After one visit that touches
every component (its checkout traced), the browser opens the manager's `/dashboard`: the SVG
graph must hold all 11 components and the visit's 15 edges; while home pages load in the
background, an edge's count in the SVG must move (the page's poller rewrites it); then the
browser opens the checkout's trace from the traces table and sees its waterfall, and the logs
page filtered by that trace. Screenshots go beside the shop's (`dashboard-NN-*.png`).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Literal

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import weaver.testing
from apps.boutique.frontend.pages import SESSION_COOKIE
from apps.boutique.httpclient import HttpBrowser
from browser.chrome import Browser, chrome
from browser.pageview import PageChecks, shots_dir, wait_for
from dashboard import shop
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp
from weaver.tracing import traceparent

TRACE = 0xB405E4D0000000000000000000000002
WAIT = 60.0
"""Bound on each wait in the browser (the page polls every 2 s; the machine may be loaded)."""
LOAD_LIMIT = 150.0
"""Seconds the background load runs at most (it stops when the browsing is done)."""


def edges_in_svg(b: Browser) -> dict[tuple[str, str], int]:
    out = {}
    for g in b.driver.find_elements(By.CSS_SELECTOR, "svg.callgraph g.edge"):
        out[(str(g.get_attribute("data-caller")), str(g.get_attribute("data-callee")))] = int(
            str(g.get_attribute("data-calls"))
        )
    return out


def browse(b: Browser, endpoint: str, pages: PageChecks, want_edges: set[tuple[str, str]]) -> list[str]:
    """Asserts as it goes; returns what it saw, one line each."""
    d = b.driver
    seen = []
    d.get(f"http://{endpoint}/dashboard")
    wait_for(d, "svg.callgraph g.node")
    nodes = {str(g.get_attribute("data-component")) for g in d.find_elements(By.CSS_SELECTOR, "svg.callgraph g.node")}
    assert nodes == shop.COMPONENTS, nodes
    for g in d.find_elements(By.CSS_SELECTOR, "svg.callgraph g.node"):
        assert g.is_displayed() and g.size["width"] > 50, g.get_attribute("data-component")
    first = edges_in_svg(b)
    assert set(first) == want_edges, set(first) ^ want_edges
    home = (shop.MAIN, shop.CURRENCY)
    seen.append(f"{len(nodes)} components, {len(first)} edges; Main -> Currency {first[home]} calls at load")
    pages.screenshot("graph")

    def moved(_: object) -> int | Literal[False]:
        now = edges_in_svg(b).get(home, 0)
        return now if now > first[home] else False

    wait = WebDriverWait(d, WAIT, ignored_exceptions=(StaleElementReferenceException,))  # the page may reload
    later = wait.until(moved, "the Main -> Currency count in the SVG did not move under load")
    edge = f'svg.callgraph g.edge[data-caller="{shop.MAIN}"][data-callee="{shop.CURRENCY}"] .l1'
    label = d.find_element(By.CSS_SELECTOR, edge)
    assert int(str(label.text).split()[0]) >= later, label.text  # the label moves with the attribute
    polls = int(str(d.find_element(By.TAG_NAME, "body").get_attribute("data-polls") or 0))
    seen.append(f"under load the count moved to {later} after {polls} polls; label {label.text!r}")
    pages.screenshot("graph-under-load")

    tid = f"{TRACE:032x}"
    link = d.find_element(By.CSS_SELECTOR, f'a.trace[href$="id={tid}"]')
    link.click()
    wait_for(d, "table.wf tr.span-row")
    rows = d.find_elements(By.CSS_SELECTOR, "table.wf tr.span-row")
    names = [str(r.find_element(By.TAG_NAME, "td").text) for r in rows]
    assert names[0].startswith("HTTP POST /cart/checkout"), names[:3]
    assert any(n.startswith("CheckoutService.place_order") for n in names), names
    bars = d.find_elements(By.CSS_SELECTOR, "table.wf .span")
    assert len(bars) == len(rows) and all(bar.size["width"] >= 1 for bar in bars)
    seen.append(f"trace {tid}: {len(rows)} spans in the waterfall")
    pages.screenshot("trace")

    d.find_element(By.PARTIAL_LINK_TEXT, "logs of this trace").click()
    wait_for(d, "table.logs")
    logged = d.find_elements(By.CSS_SELECTOR, "table.logs tr.log")
    assert logged, "no log entry of the traced checkout (the access log has one per request)"
    seen.append(f"logs of the trace: {len(logged)} entries")
    pages.screenshot("trace-logs")
    return seen


async def load(address: str, stop: asyncio.Event) -> int:
    """Home pages, one after another, until `stop` (for LOAD_LIMIT seconds at most); how many."""
    client = HttpBrowser("http://" + address)
    client.cookies[SESSION_COOKIE] = "dash-load"
    n = 0
    end = asyncio.get_running_loop().time() + LOAD_LIMIT
    try:
        while not stop.is_set() and asyncio.get_running_loop().time() < end:
            resp = await client.request("GET", "/")
            assert resp.status == 200, resp.status
            n += 1
    finally:
        await client.close()
    return n


async def test_the_dashboard_shows_the_graph_live_counts_and_a_trace(tmp_path: Path) -> None:
    shots = shots_dir(tmp_path / "shots", prefix="dashboard-")
    async with weaver.testing.start("apps.boutique", mode="multi", config=shop.CONFIG) as app:
        assert isinstance(app, MultiApp)
        endpoint, address = app.manager.status().metrics, app.listener("boutique").address
        tp = {"traceparent": traceparent((TRACE, 0x99, 1))}
        pages_sent = await shop.visit(address, "dash-browser", headers=tp)
        want = shop.expected(pages_sent)
        await shop.until_calls(endpoint, want)
        tid = f"{TRACE:032x}"

        async def traced() -> bool:
            return tid in {t.trace_id for t in (await shop.overview(endpoint)).deployments[0].traces}

        await eventually(traced, timeout=30, what="the checkout's trace at the manager")
        stop = asyncio.Event()
        loader = asyncio.create_task(load(address, stop))
        with chrome(tmp_path) as b:
            pages = PageChecks(b, shots, prefix="dashboard-")
            try:
                seen = await asyncio.to_thread(browse, b, endpoint, pages, {(a, c) for a, c, _ in want})
            except Exception:
                with contextlib.suppress(Exception):
                    print(f"failed on this page: {await asyncio.to_thread(pages.screenshot, 'failed')}")
                raise
            finally:
                stop.set()
                served = await loader
    print("\n".join(seen) + f"\n{served} home pages of load while the browser watched")
    assert [p.name for p in pages.saved] == [
        "dashboard-01-graph.png",
        "dashboard-02-graph-under-load.png",
        "dashboard-03-trace.png",
        "dashboard-04-trace-logs.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in pages.saved), [(p, p.stat().st_size) for p in pages.saved]
