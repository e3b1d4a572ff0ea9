"""Flattened templates render exactly what Jinja2 renders with `extends` and `include` at render time."""

from typing import Any

import jinja2
import pytest

from apps.boutique.frontend.flatten import FlatteningLoader
from apps.boutique.frontend.pages import CartLine, PricedProduct
from apps.boutique.frontend.render import make_env
from apps.boutique.model import Ad, Address, CartItem, Money, OrderItem, OrderResult, Product

SOURCES = {
    "base.html": "<t>{% block title %}T{% endblock %}</t>{% block body %}<p>{{ x }}</p>{% endblock %}"
    "{% include 'foot.html' %}[{{ inner | default('no leak') }}]",
    "foot.html": "{% set inner = 'set in foot' %}<f>{{ x }} {{ inner }}</f>",
    "child.html": "{% extends 'base.html' %}\n{% block body %}<b>{{ x }}</b>{% include 'foot.html' %}{% endblock %}",
    "super.html": "{% extends 'base.html' %}{% block title %}S+{{ super() }}{% endblock %}",
    "toplevel.html": "{% extends 'base.html' %}{% set x = 'top' %}",
    "middle.html": "{% extends 'base.html' %}{% block title %}M+{{ super() }}{% endblock %}",
    "leaf.html": "{% extends 'middle.html' %}{% block body %}<leaf>{{ self.title() }}{% endblock %}",
    "nested.html": "{% extends 'outer.html' %}{% block inner %}<in>{% endblock %}",
    "loops.html": "{% for x in [1, 2] %}{% include 'item.html' %}{% endfor %}{% set y = 5 %}{% include 'item.html' %}",
    "item.html": "({{ x }},{{ y }},{{ loop.index if loop is defined else '-' }}{% set x = 9 %})",
    "nocontext.html": "{% set x = 3 %}{% include 'item.html' without context %}",
    "blocky.html": "{% include 'outer.html' %}|{% include 'leaf.html' %}",
    "outer.html": "{% block outer %}[{% block inner %}i{% endblock %}]{% endblock %}{% include 'foot.html' %}",
    "dynamic.html": "{% include name %}|{% include 'missing.html' ignore missing %}",
    "recursive.html": "{{ n }}{% if n > 0 %}{% with n = n - 1 %}{% include 'recursive.html' %}{% endwith %}{% endif %}",
}


def _envs(sources: dict[str, str], auto_reload: bool = False) -> tuple[jinja2.Environment, jinja2.Environment]:
    stock = jinja2.Environment(loader=jinja2.DictLoader(sources), auto_reload=auto_reload)
    flat = jinja2.Environment(loader=FlatteningLoader(jinja2.DictLoader(sources)), auto_reload=auto_reload)
    return stock, flat


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_renders_as_stock_jinja(name: str) -> None:
    stock, flat = _envs(SOURCES)
    ctx = {"x": "<x>", "name": "foot.html", "n": 3}
    assert flat.get_template(name).render(ctx) == stock.get_template(name).render(ctx)


def test_includes_and_parents_are_compiled_in() -> None:
    _, flat = _envs(SOURCES)
    template = flat.get_template("child.html")
    code = flat.compile(SOURCES["child.html"], "child.html", raw=True)
    assert "get_template" in str(code)  # stock compilation looks the parent and include up...
    assert "get_template" not in _compiled(flat, "child.html")  # ...the flattened one does not
    assert template.render(x=1) == "<t>T</t><b>1</b><f>1 set in foot</f><f>1 set in foot</f>[no leak]"


def test_super_and_dynamic_includes_are_left_to_jinja() -> None:
    _, flat = _envs(SOURCES)
    assert "get_template" in _compiled(flat, "super.html")
    assert "get_template" in _compiled(flat, "dynamic.html")


def test_an_edited_include_reloads_the_page() -> None:
    sources = dict(SOURCES)
    _, flat = _envs(sources, auto_reload=True)
    assert "<f>1 set in foot</f>" in flat.get_template("child.html").render(x=1)
    sources["foot.html"] = "<g>{{ x }}</g>"
    assert flat.get_template("child.html").render(x=1) == "<t>T</t><b>1</b><g>1</g><g>1</g>[no leak]"


def _compiled(env: jinja2.Environment, name: str) -> str:
    loader = env.loader
    assert isinstance(loader, FlatteningLoader)
    from apps.boutique.frontend.flatten import flattened

    tree, _, _ = flattened(env, loader.inner, name, ())
    return str(env.compile(tree, name, raw=True))


def _pages() -> list[tuple[str, dict[str, Any]]]:
    usd = Money("USD", 19, 990_000_000)
    products = [
        Product(f"P{i}", f"Thing <{i}>", "It's \"good\" & cheap", f"/static/img/{i}.jpg", usd, ["kitchen", "decor"])
        for i in range(5)
    ]
    common: dict[str, Any] = {"session_id": "s-1", "user_currency": "EUR", "currencies": ["EUR", "USD", "JPY"]}
    order = OrderResult(
        "order-1", "track-1", usd, Address(), [OrderItem(CartItem("P1", 2), usd), OrderItem(CartItem("P2", 1), usd)]
    )
    return [
        ("home.html", {**common, "show_currency": True, "products": [PricedProduct(p, usd) for p in products],
                       "cart_size": 3, "ad": Ad("/product/P1", "Buy <now>")}),
        ("home.html", {**common, "show_currency": True, "products": [], "cart_size": 0, "ad": None}),
        ("product.html", {**common, "show_currency": True, "product": PricedProduct(products[0], usd),
                          "recommendations": products[1:], "cart_size": 1, "ad": Ad("/product/P2", "Ad & more")}),
        ("product.html", {**common, "show_currency": True, "product": PricedProduct(products[1], usd),
                          "recommendations": [], "cart_size": 0, "ad": None}),
        ("cart.html", {**common, "show_currency": True, "recommendations": products[:4], "cart_size": 3,
                       "shipping_cost": usd, "total_cost": usd, "expiration_years": [2026, 2027],
                       "items": [CartLine(products[0], 2, usd), CartLine(products[1], 1, usd)]}),
        ("cart.html", {**common, "show_currency": True, "recommendations": [], "cart_size": 0,
                       "shipping_cost": usd, "total_cost": usd, "expiration_years": [2026], "items": []}),
        ("order.html", {**common, "show_currency": False, "order": order, "total_paid": usd,
                        "recommendations": products[:2]}),
        ("error.html", {**common, "show_currency": False, "status_code": 500, "error": "<boom> & 'more'"}),
    ]


@pytest.mark.parametrize(("name", "ctx"), _pages(), ids=lambda v: v if isinstance(v, str) else "")
def test_shop_pages_render_as_with_stock_loading(name: str, ctx: dict[str, Any]) -> None:
    ours = make_env()
    stock = make_env()
    assert isinstance(ours.loader, FlatteningLoader)
    stock.loader = ours.loader.inner
    assert ours.get_template(name).render(ctx) == stock.get_template(name).render(ctx)
    assert "get_template" not in _compiled(ours, name)
