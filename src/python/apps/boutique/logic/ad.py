"""Ads: a category -> ads table; with no matching key, 2 random ads."""

from __future__ import annotations

import random

from apps.boutique.logic.rand import make_rng
from apps.boutique.model import Ad

MAX_RANDOM_ADS = 2


def _ad(product_id: str, text: str) -> Ad:
    return Ad(redirect_url=f"/product/{product_id}", text=text)


ADS_BY_CATEGORY: dict[str, list[Ad]] = {
    "clothing": [_ad("66VCHSJNUP", "Tank top for sale. 20% off.")],
    "accessories": [_ad("1YMWWN1N4O", "Watch for sale. Buy one, get a second one for free.")],
    "footwear": [_ad("L9ECAV7KIM", "Loafers for sale. Buy one, get a second one for free.")],
    "hair": [_ad("2ZYFJ3GM2N", "Hairdryer for sale. 50% off.")],
    "decor": [_ad("0PUK6V6EV0", "Candle holder for sale. 30% off.")],
    "kitchen": [
        _ad("9SIQT8TOJO", "Bamboo glass jar for sale. 10% off."),
        _ad("6E92ZMYYFZ", "Mug for sale. Buy two, get the third one for free."),
    ],
}


class AdLogic:
    """GetAds(context_keys)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or make_rng("ad")
        self._all = [ad for ads in ADS_BY_CATEGORY.values() for ad in ads]

    async def get_ads(self, context_keys: list[str]) -> list[Ad]:
        ads = [ad for key in context_keys for ad in ADS_BY_CATEGORY.get(key, ())]
        if ads:
            return ads
        return [self._rng.choice(self._all) for _ in range(MAX_RANDOM_ADS)]
