"""Workloads and invariants for apps.simbugs: one simulator per planted bug, buggy or fixed."""

from __future__ import annotations

import random

import weaver
from apps.simbugs.ids import Ids
from apps.simbugs.orders import Orders
from apps.simbugs.tally import Tally
from apps.simbugs.wallet import Wallet
from weaver.testing.sim import Ctx, Faults, Op, Simulator

APP = "apps.simbugs"
KEYS = ("a", "b")


def lost_update(fixed: bool) -> Simulator:
    """Concurrent increments: the store must count every increment a client saw succeed."""

    async def incr(ctx: Ctx, key: str) -> None:
        tally = ctx.get(Tally)
        ctx.model.setdefault("tried", {}).setdefault(key, 0)
        ctx.model["tried"][key] += 1
        await (tally.incr(key) if fixed else tally.incr_rmw(key))
        ctx.model.setdefault("ok", {}).setdefault(key, 0)
        ctx.model["ok"][key] += 1

    def counted(ctx: Ctx) -> None:
        from apps.simbugs.store import Store

        values = ctx.impl(Store).values
        for key, ok in ctx.model.get("ok", {}).items():
            tried = ctx.model["tried"][key]
            have = values.get(key, 0)
            assert ok <= have <= tried, f"{key}: {ok} increments succeeded, {tried} tried, store has {have}"

    return Simulator(APP, [Op(incr, args=lambda rng: (rng.choice(KEYS),))], final=[counted],
                     faults=Faults(budget=0, rate=0.0), clients=3)


def double_charge(fixed: bool) -> Simulator:
    """Each order is debited at most once, whatever faults hit the debit call."""

    async def pay(ctx: Ctx, order: str, amount: int) -> None:
        wallet = ctx.get(Wallet)
        await (wallet.debit(order, amount) if fixed else wallet.debit_retriable(order, amount))

    def once(ctx: Ctx) -> None:
        orders = [o for o, _, _ in ctx.impl(Wallet).debits]
        twice = sorted({o for o in orders if orders.count(o) > 1})
        assert not twice, f"orders debited more than once: {twice}"

    def args(rng: random.Random) -> tuple[str, int]:
        return f"o{rng.randrange(10**6)}", rng.randrange(1, 100)

    return Simulator(APP, [Op(pay, args=args)], invariants=[once],
                     faults=Faults(budget=3, rate=0.1, kinds=("fail_before", "fail_after")), clients=2)


def deadline(fixed: bool) -> Simulator:
    """An order is debited before the deadline its client set, or not at all."""

    async def place(ctx: Ctx, order: str) -> None:
        ctx.model.setdefault("deadline", {})[order] = ctx.now() + 0.5
        async with weaver.deadline(0.5):
            await ctx.get(Orders).place(order, 10)

    def in_time(ctx: Ctx) -> None:
        late = [(o, round(t, 6)) for o, _, t in ctx.impl(Wallet).debits if t > ctx.model["deadline"][o]]
        assert not late, f"debited after the client's deadline: {late}"

    return Simulator(APP, [Op(place, args=lambda rng: (f"o{rng.randrange(10**6)}",))], final=[in_time],
                     faults=Faults(budget=3, rate=0.2, kinds=("delay",), max_delay=1.0), clients=2,
                     config={"apps": {"simbugs": {"orders": {"Orders": {"propagate_deadline": fixed}}}}})


def restart(fixed: bool) -> Simulator:
    """Ids handed to clients are unique, across crashes of the Ids replica."""

    async def take(ctx: Ctx) -> str:
        got = await ctx.get(Ids).next()
        ctx.model.setdefault("ids", []).append(got)
        return got

    def unique(ctx: Ctx) -> None:
        ids = ctx.model.get("ids", [])
        dup = sorted({i for i in ids if ids.count(i) > 1})
        assert not dup, f"ids handed out twice: {dup}"

    return Simulator(APP, [Op(take)], invariants=[unique],
                     faults=Faults(budget=2, rate=0.05, kinds=("crash",), crashable=("Ids",)), clients=2,
                     config={"apps": {"simbugs": {"ids": {"Ids": {"durable_epoch": fixed}}}}})
