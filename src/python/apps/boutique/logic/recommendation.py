"""Recommendations: up to 5 random catalog products other than the given ones."""

from __future__ import annotations

import random

from apps.boutique.logic.rand import make_rng
from apps.boutique.services import CatalogClient

MAX_RESPONSES = 5


class RecommendationLogic:
    """ListRecommendations, which calls the catalog's ListProducts each time."""

    def __init__(self, catalog: CatalogClient, rng: random.Random | None = None) -> None:
        self._catalog = catalog
        self._rng = rng or make_rng("recommendation")

    async def list_recommendations(self, user_id: str, product_ids: list[str]) -> list[str]:
        exclude = set(product_ids)
        candidates = [p.id for p in await self._catalog.list_products() if p.id not in exclude]
        return self._rng.sample(candidates, min(MAX_RESPONSES, len(candidates)))
