"""RecommendationService component: suggests other products."""

from __future__ import annotations

import weaver
from apps.boutique.catalog import CatalogService
from apps.boutique.logic.recommendation import RecommendationLogic


class RecommendationService(weaver.Component):
    """Product recommendations."""

    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        """Up to 5 product ids other than `product_ids`."""
        ...


class RecommendationServiceImpl(weaver.Implements[RecommendationService]):
    """Delegates to the shared recommendation logic (which calls the catalog)."""

    catalog: weaver.Ref[CatalogService]

    async def init(self) -> None:
        self.logic = RecommendationLogic(self.catalog)

    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        return await self.logic.list_recommendations(user_id, product_ids)
