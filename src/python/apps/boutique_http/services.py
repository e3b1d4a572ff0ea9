"""The ten backend services as FastAPI apps over the shared logic (one app per process).

Each call that takes a body is a POST (or PUT) with a JSON body validated by its pydantic model;
simple reads are GETs. The logic's errors become JSON errors with an HTTP status (not found 404,
invalid argument or a refused payment 400), which the clients turn back into exceptions.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from apps.boutique import model as domain
from apps.boutique.logic.errors import BoutiqueError, InvalidArgumentError, NotFoundError, PaymentError
from apps.boutique_http import models as m
from apps.boutique_http.models import from_model, to_model

STATUS = {NotFoundError: 404, InvalidArgumentError: 400, PaymentError: 400}


def _app(name: str) -> FastAPI:
    app = FastAPI(title=f"boutique {name}", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(BoutiqueError)
    async def logic_error(request: Request, exc: BoutiqueError) -> JSONResponse:
        status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
        return JSONResponse({"detail": f"{type(exc).__name__}: {exc}"}, status_code=status)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def cartstore(logic: Any) -> FastAPI:
    app = _app("cartstore")

    @app.get("/carts/{user_id}")
    async def get(user_id: str) -> m.Items:
        return m.Items(items=[to_model(i, m.CartItem) for i in await logic.get(user_id)])

    @app.put("/carts/{user_id}", status_code=204)
    async def put(user_id: str, body: m.Items) -> Response:
        await logic.put(user_id, [from_model(i, domain.CartItem) for i in body.items])
        return Response(status_code=204)

    @app.delete("/carts/{user_id}")
    async def remove(user_id: str) -> m.Removed:
        return m.Removed(removed=await logic.remove(user_id))

    return app


def cart(logic: Any) -> FastAPI:
    app = _app("cart")

    @app.post("/carts/{user_id}/items", status_code=204)
    async def add_item(user_id: str, body: m.AddItem) -> Response:
        await logic.add_item(user_id, from_model(body.item, domain.CartItem))
        return Response(status_code=204)

    @app.get("/carts/{user_id}")
    async def get_cart(user_id: str) -> m.Cart:
        return to_model(await logic.get_cart(user_id), m.Cart)

    @app.delete("/carts/{user_id}", status_code=204)
    async def empty_cart(user_id: str) -> Response:
        await logic.empty_cart(user_id)
        return Response(status_code=204)

    return app


def catalog(logic: Any) -> FastAPI:
    app = _app("catalog")

    @app.get("/products")
    async def list_products() -> m.Products:
        return m.Products(products=[to_model(p, m.Product) for p in await logic.list_products()])

    @app.get("/search")
    async def search_products(q: str) -> m.Products:
        return m.Products(products=[to_model(p, m.Product) for p in await logic.search_products(q)])

    @app.get("/products/{product_id}")
    async def get_product(product_id: str) -> m.Product:
        return to_model(await logic.get_product(product_id), m.Product)

    return app


def currency(logic: Any) -> FastAPI:
    app = _app("currency")

    @app.get("/currencies")
    async def supported() -> m.Texts:
        return m.Texts(values=await logic.get_supported_currencies())

    @app.post("/convert")
    async def convert(body: m.Convert) -> m.Money:
        return to_model(await logic.convert(from_model(body.amount, domain.Money), body.to_code), m.Money)

    return app


def payment(logic: Any) -> FastAPI:
    app = _app("payment")

    @app.post("/charge")
    async def charge(body: m.Charge) -> m.Text:
        amount, card = from_model(body.amount, domain.Money), from_model(body.card, domain.CreditCardInfo)
        return m.Text(value=await logic.charge(amount, card))

    return app


def shipping(logic: Any) -> FastAPI:
    app = _app("shipping")

    def parts(body: m.Shipment) -> tuple[domain.Address, list[domain.CartItem]]:
        return from_model(body.address, domain.Address), [from_model(i, domain.CartItem) for i in body.items]

    @app.post("/quote")
    async def quote(body: m.Shipment) -> m.Money:
        return to_model(await logic.get_quote(*parts(body)), m.Money)

    @app.post("/ship")
    async def ship(body: m.Shipment) -> m.Text:
        return m.Text(value=await logic.ship_order(*parts(body)))

    return app


def email(logic: Any) -> FastAPI:
    app = _app("email")

    @app.post("/confirmations", status_code=204)
    async def confirm(body: m.Confirmation) -> Response:
        await logic.send_order_confirmation(body.email, from_model(body.order, domain.OrderResult))
        return Response(status_code=204)

    return app


def checkout(logic: Any) -> FastAPI:
    app = _app("checkout")

    @app.post("/orders")
    async def place_order(body: m.PlaceOrder) -> m.OrderResult:
        order = await logic.place_order(
            body.user_id, body.user_currency, from_model(body.address, domain.Address), body.email,
            from_model(body.card, domain.CreditCardInfo),
        )  # fmt: skip
        return to_model(order, m.OrderResult)

    return app


def recommendation(logic: Any) -> FastAPI:
    app = _app("recommendation")

    @app.post("/recommendations")
    async def recommend(body: m.Recommend) -> m.Texts:
        return m.Texts(values=await logic.list_recommendations(body.user_id, body.product_ids))

    return app


def ad(logic: Any) -> FastAPI:
    app = _app("ad")

    @app.post("/ads")
    async def get_ads(body: m.AdsFor) -> m.AdList:
        return m.AdList(ads=[to_model(a, m.Ad) for a in await logic.get_ads(body.context_keys)])

    return app
