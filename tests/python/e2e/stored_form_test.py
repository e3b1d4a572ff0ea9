"""The shop's stored cart form across builds (weaver.testing.versions): two real PEXes, one Redis.

v1 is the shop as it is. A v2 that adds a field with a default to CartItem is backward and
forward compatible: each build reads the carts the other wrote. A v2 that renames a stored field
(`quantity` is stored as `count`; its code is unchanged) is not, and the report says which key,
which version wrote it and which could not read it, in both directions.
"""

from __future__ import annotations

import html
import http.client
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from e2e.rollout_builds import build_shop
from support.redis_server import RedisServer
from weaver.testing import versions

ORIGINAL = '''class CartItem(msgspec.Struct):
    """A product id and how many of it."""

    product_id: str
    quantity: int
'''
ADDED_FIELD = ORIGINAL.replace("    quantity: int\n", "    quantity: int\n    gift_wrap: bool = False\n")
RENAMED_FIELD = ORIGINAL.replace(
    "class CartItem(msgspec.Struct):", 'class CartItem(msgspec.Struct, rename={"quantity": "count"}):'
)


def cart_item(text: str) -> Callable[[Path], None]:
    def edit(stage: Path) -> None:
        model = stage / "apps" / "boutique" / "model.py"
        source = model.read_text()
        assert ORIGINAL in source, f"{model} changed: update ORIGINAL"
        model.write_text(source.replace(ORIGINAL, text))

    return edit


@pytest.fixture(scope="module")
def shops(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("shops")
    edits = {"v1": None, "added": cart_item(ADDED_FIELD), "renamed": cart_item(RENAMED_FIELD)}
    return {name: build_shop(out, name, redis.address, edit)[0] for name, edit in edits.items()}


def call(build: versions.Running, method: str, path: str, user: str, form: str | None = None) -> tuple[int, str]:
    host, port = build.listeners["boutique"].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=15)
    headers = {"Cookie": f"shop_session-id={user}"}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=form, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        conn.close()


def add_to_cart(build: versions.Running, user: str) -> None:
    status, body = call(build, "POST", "/cart", user, "product_id=OLJCESPC7Z&quantity=3")
    assert status == 302, body[-500:]


def view_cart(build: versions.Running, user: str) -> str | None:
    status, body = call(build, "GET", "/cart", user)
    if status != 200:
        detail = re.search(r'<pre class="error">(.*?)</pre>', body, re.S)
        return f"GET /cart answered {status}: {html.unescape(detail.group(1).strip()) if detail else body[:300]}"
    items = dict(re.findall(r"<td>#(\w+)</td>\s*<td>(\d+)</td>", body))
    return None if items == {"OLJCESPC7Z": "3"} else f"the cart holds {items}, not 3 x OLJCESPC7Z"


def test_an_added_field_with_a_default_reads_both_ways(shops: dict[str, Path], tmp_path: Path) -> None:
    with versions.side_by_side([shops["v1"], shops["added"]], "boutique", tmp_path) as (v1, v2):
        assert versions.crossing(v1, v2, write=add_to_cart, read=view_cart) == []


def test_a_renamed_stored_field_is_reported_with_key_writer_and_reader(shops: dict[str, Path], tmp_path: Path) -> None:
    with versions.side_by_side([shops["v1"], shops["renamed"]], "boutique", tmp_path) as (v1, v2):
        problems = versions.crossing(v1, v2, write=add_to_cart, read=view_cart)
    assert [(p.writer, p.reader) for p in problems] == [(v1.version, v2.version), (v2.version, v1.version)]
    for p in problems:
        text = str(p)
        print(text)
        who = f"version {p.reader[:12]} could not read key {p.key!r} written by version {p.writer[:12]}: "
        assert text.startswith(who + "GET /cart answered 500")
        assert f"key 'cart:{p.key}'" in text and "not a cart this version can read" in text
