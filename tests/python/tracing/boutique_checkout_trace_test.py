"""A trace of one boutique checkout under multi with every component in its own process.

POST /cart/checkout (with a W3C traceparent) goes Main (HTTP span) -> CheckoutService, which
calls the cart (and its store), catalog, currency, shipping, payment and email services. The
manager's trace must hold a span of each, every server span the child of a client span in
another process, and the HTTP span under the caller's span.
"""

from __future__ import annotations

import msgspec

import weaver.testing
from apps.boutique.frontend.pages import SESSION_COOKIE
from apps.boutique.httpclient import HttpBrowser
from apps.boutique.session import CHECKOUT_FORM, SESSION_ID
from support import rawhttp
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp
from weaver.tracing import SpanRecord, traceparent

CONFIG = """[weaver]
colocate = []

[weaver.listeners.boutique]
address = "127.0.0.1:0"

[weaver.metrics]
report_interval = 0.1

[weaver.tracing]
sample_ratio = 0.0
"""
"""Every component its own group (split.toml's shape); only the traceparent's trace is recorded."""
TRACE, PARENT = 0xC0FFEE00000000000000000000000001, 0x4321
TOUCHED = {"CheckoutService", "CartService", "CartStore", "CatalogService", "CurrencyService",
           "ShippingService", "PaymentService", "EmailService"}  # fmt: skip




def component(s: SpanRecord) -> str:
    return s.name.split(".", 1)[0]


async def test_a_checkouts_trace_has_every_component_parented_across_processes() -> None:
    async with weaver.testing.start("apps.boutique", mode="multi", config=CONFIG) as app:
        assert isinstance(app, MultiApp)
        await app.start_main()
        browser = HttpBrowser("http://" + app.listener("boutique").address)
        browser.cookies[SESSION_COOKIE] = SESSION_ID
        try:
            added = await browser.request("POST", "/cart", {"product_id": "66VCHSJNUP", "quantity": "2"})
            assert added.status in (200, 302)
            tp = {"traceparent": traceparent((TRACE, PARENT, 1))}
            page = await browser.request("POST", "/cart/checkout", CHECKOUT_FORM, tp)
            assert page.status == 200, page.text[:500]
        finally:
            await browser.close()
        endpoint, tid = app.manager.status().metrics, f"{TRACE:032x}"

        async def complete() -> list[SpanRecord]:
            status, body = await rawhttp.get(endpoint, f"/traces?id={tid}")
            assert status == 200
            spans = msgspec.json.decode(body, type=list[SpanRecord])
            ids = {s.span_id for s in spans}
            assert all(s.parent_id in ids for s in spans if s.parent_id != f"{PARENT:016x}")  # none missing
            assert TOUCHED <= {component(s) for s in spans if s.kind == "server"}, sorted({s.name for s in spans})
            return spans

        what = "the checkout trace with a server span of every touched component"
        spans = await eventually(complete, timeout=30, what=what, ignore=(AssertionError,))
    by_id = {s.span_id: s for s in spans}
    (root,) = (s for s in spans if s.parent_id == f"{PARENT:016x}")
    assert (root.kind, root.name, root.attributes["http.status_code"]) == ("server", "HTTP POST /cart/checkout", "200")
    assert {s.trace_id for s in spans} == {tid}
    for server in (s for s in spans if s.kind == "server" and s is not root):
        client = by_id[server.parent_id]
        assert (client.kind, client.name) == ("client", server.name)
        assert client.process != server.process  # the context crossed processes in the frame
    place = next(s for s in spans if s.kind == "server" and s.name == "CheckoutService.place_order")
    assert by_id[by_id[place.parent_id].parent_id] is root
    callees = {component(s) for s in spans if s.kind == "client" and s.parent_id == place.span_id}
    assert callees == TOUCHED - {"CheckoutService", "CartStore"}  # checkout's own calls
    assert len({s.process for s in spans}) >= len(TOUCHED) + 1  # one each, and Main's
