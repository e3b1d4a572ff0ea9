"""A rollout of the boutique under load, with carts in Redis: nobody loses a cart or a request.

Two builds of the shop (deploy/boutique/default.toml's placement: 5 groups, 7 processes each,
plus the Redis address) are rolled out one after the other with `weaver rollout`. While v1 gives
way to v2, shoppers browse and fill carts through the proxy, and one session pinned to v1 keeps
reading its cart. When v1 has drained and stopped, that session is re-pinned to v2 and must find
its cart there: the cart lives in the one real redis-server both versions use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.rollout_builds import build_shop
from e2e.rollout_rig import Build, Weaver
from e2e.shoppers import CART, Shopper, Traffic
from support.redis_server import RedisServer


@pytest.fixture(scope="module")
def shops(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    out = tmp_path_factory.mktemp("shops")
    return {v: Build(*build_shop(out, v, redis.address)) for v in ("v1", "v2")}


@pytest.fixture
def weaver(tmp_path: Path) -> Iterator[Weaver]:
    w = Weaver(tmp_path / "state", app="boutique")
    try:
        yield w
    finally:
        w.close()


def test_pinned_cart_survives_the_rollout_and_nothing_fails(weaver: Weaver, shops: dict[str, Build]) -> None:
    v1, v2 = shops["v1"], shops["v2"]
    first = weaver.deploy(v1, "--steps", "100", "--duration", "1s", "--start-timeout", "120s")
    assert first.returncode == 0, first.stderr + first.stdout
    pinned = Shopper(weaver.address, "pinned")
    for pid, quantity in CART.items():
        assert pinned.go("POST", "/cart", f"product_id={pid}&quantity={quantity}").status == 302
    before = pinned.go("GET", "/cart")
    assert (before.version, before.cart) == (v1.version, CART), before
    with Traffic(weaver.address, pinned) as traffic:
        done = weaver.deploy(v2, "--steps", "50,100", "--duration", "8s", "--warmup-path", "/",
                             "--start-timeout", "120s")  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    state = weaver.state()
    assert (state.phase, state.live, state.running()) == ("done", v2.version, [v2.version])
    after = pinned.go("GET", "/cart")
    assert (after.version, after.cart) == (v2.version, CART), after
    pages = traffic.pages
    assert [p for p in pages if not p.ok] == []  # zero failed requests; every page rendered by its version
    assert {p.version for p in pages if p.session.startswith("fresh")} == {v1.version, v2.version}
    reads = [p for p in pages if p.session == "pinned"]
    assert all(p.cart == CART for p in reads)  # the cart never went missing, on either version
    switch = next(i for i, p in enumerate(reads) if p.version == v2.version)
    assert {p.version for p in reads[:switch]} == {v1.version} and {p.version for p in reads[switch:]} == {v2.version}
    assert reads[switch].repinned_from == v1.version  # moved when v1 drained and stopped
    by = {v: sum(1 for p in pages if p.version == v) for v in (v1.version, v2.version)}
    print(f"BOUTIQUE rollout: {len(pages)} pages, {by[v1.version]} by v1 and {by[v2.version]} by v2, none failed; "
          f"the pinned cart read {len(reads)} times, re-pinned at read {switch}")  # fmt: skip
