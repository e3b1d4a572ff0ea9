"""AdService component: text ads by context key."""

from __future__ import annotations

import weaver
from apps.boutique.logic.ad import AdLogic
from apps.boutique.model import Ad


class AdService(weaver.Component):
    """Ads."""

    async def get_ads(self, context_keys: list[str]) -> list[Ad]:
        """Ads for the keys (product categories), or 2 random ads."""
        ...


class AdServiceImpl(weaver.Implements[AdService]):
    """Delegates to the shared ad logic."""

    async def init(self) -> None:
        self.logic = AdLogic()

    async def get_ads(self, context_keys: list[str]) -> list[Ad]:
        return await self.logic.get_ads(context_keys)
