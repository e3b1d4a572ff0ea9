"""The layered layout: callers left of callees, cycles tolerated, no two boxes overlapping."""

from __future__ import annotations

from weaver.dashboard.layout import NODE_W, acyclic, layers, layout

BOUTIQUE = [
    ("Main", "Currency"), ("Main", "Catalog"), ("Main", "Cart"), ("Main", "Ad"), ("Main", "Recommendation"),
    ("Main", "Shipping"), ("Main", "Checkout"), ("Recommendation", "Catalog"), ("Cart", "CartStore"),
    ("Checkout", "Cart"), ("Checkout", "Catalog"), ("Checkout", "Currency"), ("Checkout", "Shipping"),
    ("Checkout", "Payment"), ("Checkout", "Email"),
]  # fmt: skip
NAMES = ["Main", "Ad", "Cart", "CartStore", "Catalog", "Checkout", "Currency", "Email", "Payment",
         "Recommendation", "Shipping"]  # fmt: skip


def test_every_call_points_right_in_the_boutique() -> None:
    lay = layout(NAMES, BOUTIQUE)
    assert set(lay.boxes) == set(NAMES)
    for a, b in BOUTIQUE:
        assert lay.boxes[a].x < lay.boxes[b].x, (a, b)
    assert lay.layers[0] == ["Main"]
    assert layers(NAMES, BOUTIQUE)[3] == ["CartStore"]  # Main -> Checkout -> Cart -> CartStore
    boxes = list(lay.boxes.values())
    for i, p in enumerate(boxes):
        for q in boxes[i + 1 :]:
            assert abs(p.x - q.x) >= NODE_W or abs(p.y - q.y) >= p.h, (p, q)
        assert 0 <= p.x and p.x + p.w <= lay.width and 0 <= p.y and p.y + p.h <= lay.height


def test_cycles_and_self_calls_are_drawn_without_looping() -> None:
    edges = [("A", "B"), ("B", "C"), ("C", "A"), ("B", "B")]
    kept = acyclic(["A", "B", "C"], edges)
    assert kept == [("A", "B"), ("B", "C")]
    assert layers(["A", "B", "C"], edges) == [["A"], ["B"], ["C"]]
    assert set(layout(["A", "B", "C", "lonely"], edges).boxes) == {"A", "B", "C", "lonely"}


def test_an_empty_graph() -> None:
    lay = layout([], [])
    assert lay.boxes == {} and lay.width > 0 and lay.height > 0
