"""The shop under the simulator: concurrent carts and checkouts with faults, and its invariants.

Shoppers (a few user ids shared by 4 concurrent clients) add items and check out. Every call
between the shop's 11 components may fail before or after the callee ran, be delayed past its
deadline, or hit a replica that restarts. The one exception is CartStore, whose carts live in
Redis in production; here it is the in-memory store, and its restart would lose them. The
invariants:
- an order (a checkout op, paid with its own card) is charged at most once;
- an order is shipped at most once, and only after its charge;
- a cart is emptied by a checkout only after that checkout's charge;
- a checkout that returned an order was charged and shipped.
`N_SEEDS` runs of `N_OPS` ops must all pass; a 1,000-op run is timed (ops per wall second).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from apps.boutique.cart import CartService
from apps.boutique.cartstore import CartStore
from apps.boutique.checkout import CheckoutService
from apps.boutique.logic.payment import luhn_ok
from apps.boutique.model import Address, CartItem, CreditCardInfo
from apps.boutique.payment import PaymentServiceImpl
from apps.boutique.shipping import ShippingServiceImpl
from weaver.errors import CommunicationError
from weaver.testing.sim import Ctx, Faults, Op, SimulationFailure, Simulator

APP = "apps.boutique"
USERS = ("ann", "bob", "cy")
PRODUCTS = ("OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O", "L9ECAV7KIM")
N_SEEDS, N_OPS = 10, 60
COMPONENTS = ("CartService", "CatalogService", "CheckoutService", "CurrencyService", "EmailService",
              "PaymentService", "RecommendationService", "ShippingService", "AdService")  # fmt: skip

Events = list[tuple[str, str]]
"""What the shop did, in order: ("charge", card number) and ("ship", street address)."""


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Events]:
    """Record every charge and shipment the shop's implementations make (whichever replica)."""
    seen: Events = []
    charge, ship = PaymentServiceImpl.charge, ShippingServiceImpl.ship_order

    async def recording_charge(self: PaymentServiceImpl, amount: Any, card: CreditCardInfo) -> str:
        result = await charge(self, amount, card)
        seen.append(("charge", card.credit_card_number))
        return result

    async def recording_ship(self: ShippingServiceImpl, address: Address, items: Any) -> str:
        result = await ship(self, address, items)
        seen.append(("ship", address.street_address))
        return result

    monkeypatch.setattr(PaymentServiceImpl, "charge", recording_charge)
    monkeypatch.setattr(ShippingServiceImpl, "ship_order", recording_ship)
    yield seen


def card_number(rng: random.Random) -> str:
    """A Visa number that passes the Luhn check, different for every checkout."""
    body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    check = next(d for d in "0123456789" if luhn_ok(body + d))
    return body + check


def simulator(events: Events, faults: Faults, retry_checkout: bool = False) -> Simulator:
    """The shop's workload; `retry_checkout` plants a client bug: a checkout that failed is sent
    again with the same card (after a lost reply, the order is then paid twice)."""
    async def add(ctx: Ctx, user: str, product: str, quantity: int) -> None:
        await ctx.get(CartService).add_item(user, CartItem(product, quantity))

    async def checkout(ctx: Ctx, user: str, card: str) -> str:
        before = await _cart(ctx, user)
        start = len(events)
        place = ctx.get(CheckoutService).place_order
        address = Address(f"{card} Main St", "Springfield", "CA", "US", 94043)
        payment = CreditCardInfo(card, 123, 2039, 1)
        try:
            try:
                order = await place(user, "EUR", address, f"{user}@example.com", payment)
            except CommunicationError:
                if not retry_checkout:
                    raise
                order = await place(user, "EUR", address, f"{user}@example.com", payment)
        finally:
            charged = ("charge", card) in events[start:]
            after = await _cart(ctx, user)
            assert charged or not before or after, f"{user}'s cart was emptied by a checkout that charged nothing"
        assert charged and ("ship", f"{card} Main St") in events, f"order {order.order_id} returned unpaid or unshipped"
        return order.order_id

    def once(ctx: Ctx) -> None:
        for kind in ("charge", "ship"):
            keys = [k for e, k in events if e == kind]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            assert not twice, f"{kind}d more than once: {twice}"

    def shipped_after_charge(ctx: Ctx) -> None:
        charged: set[str] = set()
        for kind, key in events:
            if kind == "charge":
                charged.add(key)
            else:
                assert key.split(" ", 1)[0] in charged, f"shipped to {key!r} before (or without) its charge"

    return Simulator(
        APP,
        ops=[
            Op(add, args=lambda rng: (rng.choice(USERS), rng.choice(PRODUCTS), rng.randint(1, 3)), weight=3),
            Op(checkout, args=lambda rng: (rng.choice(USERS), card_number(rng))),
        ],
        invariants=[once, shipped_after_charge],
        faults=faults,
        clients=4,
    )


async def _cart(ctx: Ctx, user: str) -> list[CartItem]:
    """The user's cart as stored, read from the store's implementation itself (no faults)."""
    items: list[CartItem] = await ctx.impl(CartStore).get(user)
    return items


FAULTS = Faults(budget=6, rate=0.08, crashable=COMPONENTS)


def test_carts_and_checkouts_keep_their_invariants_under_faults(events: Events) -> None:
    runs = simulator(events, FAULTS).check(range(N_SEEDS), N_OPS)
    assert len(runs) == N_SEEDS and all(r.ops_run == N_OPS for r in runs)
    assert sum(len(r.faults) for r in runs) >= N_SEEDS  # faults were injected: the checks are not vacuous
    assert any("ok '" in r.history and "place_order" in r.history for r in runs)  # orders went through


def test_a_client_retrying_a_lost_checkout_is_caught_charging_twice(events: Events) -> None:
    """The invariants can fail: a planted retry is found within N_SEEDS seeds and shrunk."""
    faults = Faults(budget=6, rate=0.08, kinds=("fail_after",), crashable=COMPONENTS)
    with pytest.raises(SimulationFailure, match="charged more than once") as info:
        simulator(events, faults, retry_checkout=True).check(range(N_SEEDS), N_OPS)
    assert "reply of CheckoutService.place_order lost" in info.value.run.history


def test_a_thousand_ops_run_in_seconds(events: Events) -> None:
    run = simulator(events, FAULTS).run(seed=1, n_ops=1000)
    assert run.failure is None and run.ops_run == 1000, run.failure
    rate = run.ops_run / run.wall_time
    print(f"SIM shop: 1,000 ops in {run.wall_time:.2f} s of wall time ({rate:,.0f} ops/s), "
          f"{run.virtual_time:.1f} s of virtual time, {run.steps} scheduler steps, "
          f"{len(run.faults)} faults")  # fmt: skip
    assert run.wall_time < 30.0
