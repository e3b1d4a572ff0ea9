"""CatalogService component: the 9-product catalog."""

from __future__ import annotations

import weaver
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.model import Product


class CatalogService(weaver.Component):
    """Products for sale."""

    async def list_products(self) -> list[Product]:
        """Every product."""
        ...

    async def get_product(self, product_id: str) -> Product:
        """One product; raises if there is none with that id."""
        ...

    async def search_products(self, query: str) -> list[Product]:
        """Products whose name or description contains `query` (case-insensitive)."""
        ...


class CatalogServiceImpl(weaver.Implements[CatalogService]):
    """Delegates to the shared catalog logic (products loaded once, at init)."""

    async def init(self) -> None:
        self.logic = CatalogLogic()

    async def list_products(self) -> list[Product]:
        return await self.logic.list_products()

    async def get_product(self, product_id: str) -> Product:
        return await self.logic.get_product(product_id)

    async def search_products(self, query: str) -> list[Product]:
        return await self.logic.search_products(query)
