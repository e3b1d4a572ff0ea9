"""The product catalog: 9 products loaded once from the packaged products.json."""

from __future__ import annotations

import msgspec

from apps.boutique.logic.data import read_bytes
from apps.boutique.logic.errors import NotFoundError
from apps.boutique.model import Money, Product


class _JsonMoney(msgspec.Struct, rename="camel"):
    currency_code: str
    units: int = 0
    nanos: int = 0


class _JsonProduct(msgspec.Struct, rename="camel"):
    id: str
    name: str
    description: str
    picture: str
    price_usd: _JsonMoney
    categories: list[str] = []


class _JsonCatalog(msgspec.Struct):
    products: list[_JsonProduct]


def load_products(data: bytes | None = None) -> list[Product]:
    """Parse products.json (the packaged one unless `data` is given)."""
    raw = msgspec.json.decode(data or read_bytes("products.json"), type=_JsonCatalog)
    return [
        Product(
            id=p.id,
            name=p.name,
            description=p.description,
            picture=p.picture,
            price_usd=Money(p.price_usd.currency_code, p.price_usd.units, p.price_usd.nanos),
            categories=list(p.categories),
        )
        for p in raw.products
    ]


class CatalogLogic:
    """ListProducts, GetProduct (a linear scan, as the original) and SearchProducts."""

    def __init__(self, products: list[Product] | None = None) -> None:
        self._products = products if products is not None else load_products()

    async def list_products(self) -> list[Product]:
        return list(self._products)

    async def get_product(self, product_id: str) -> Product:
        for p in self._products:
            if p.id == product_id:
                return p
        raise NotFoundError(f"no product with ID {product_id}")

    async def search_products(self, query: str) -> list[Product]:
        q = query.lower()
        return [p for p in self._products if q in p.name.lower() or q in p.description.lower()]
