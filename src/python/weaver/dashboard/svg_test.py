"""The graph's SVG is well-formed XML naming every component and edge, with their figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from weaver.dashboard import fmt
from weaver.dashboard.layout_test import BOUTIQUE
from weaver.dashboard.model import Edge, Figures, Graph, Node, deployment_view
from weaver.dashboard.svg import _overlap, edge_lines, label_box, render
from weaver.dashboard.testdata import COUNTER, GREETER, MAIN, sample, status

NS = "{http://www.w3.org/2000/svg}"


def test_nodes_and_edges_carry_their_names_and_figures() -> None:
    view = deployment_view(status(), sample(20.0, 30), sample(10.0, 10))
    root = ET.fromstring(render(view.key, view.graph))
    nodes = {g.get("data-component"): g for g in root.iter(f"{NS}g") if g.get("class", "").startswith("node")}
    assert set(nodes) == {MAIN, GREETER, COUNTER}
    assert [t.text for t in nodes[GREETER].iter(f"{NS}text")] == ["Greeter", "2/2 healthy"]
    edges = {(g.get("data-caller"), g.get("data-callee")): g for g in root.iter(f"{NS}g") if g.get("data-edge")}
    assert set(edges) == {(MAIN, GREETER), (GREETER, COUNTER)}
    greet = edges[(MAIN, GREETER)]
    assert greet.get("data-calls") == "30" and greet.get("data-edge") == f"hello@v1|{MAIN}|{GREETER}"
    texts = [t.text for t in greet.iter(f"{NS}text")]
    assert texts == ["30 calls · 2.0/s", "p50 0.25 · p99 0.25 ms · err 0.0%"]


def test_names_are_escaped_and_unknown_endpoints_are_not_drawn() -> None:
    fig = Figures(calls=1, errors=1, error_ratio=1.0)
    graph = Graph(
        nodes=[Node(name='a<"b">', label="a&b", group="", healthy=0, replicas=1)],
        edges=[
            Edge(caller='a<"b">', callee='a<"b">', figures=fig, methods={"m": fig}),
            Edge(caller="gone", callee='a<"b">', figures=fig, methods={"m": fig}),
        ],
    )
    root = ET.fromstring(render("k", graph))
    (edge,) = (g for g in root.iter(f"{NS}g") if g.get("data-edge"))
    assert edge.get("class") == "edge errors" and edge.get("data-caller") == 'a<"b">'
    (node,) = (g for g in root.iter(f"{NS}g") if g.get("data-component"))
    assert node.get("class") == "node unhealthy"


def test_label_formats() -> None:
    assert edge_lines(Figures(calls=5, errors=0)) == ("5 calls · -", "p50 - · p99 - ms · err -")
    assert [fmt.ms(v) for v in (0.001, 0.025, 2.5, 1000.0, 5000.0, 123.456)] == [
        "0.001 ms", "0.025 ms", "2.5 ms", "1000 ms", "5000 ms", "123 ms"
    ]  # fmt: skip
    assert (fmt.rate(12.345), fmt.ratio(0.0123)) == ("12.3/s", "1.2%")


def test_the_boutiques_labels_hide_no_node_and_no_other_label() -> None:
    fig = Figures(calls=1508, errors=0, rate=143.4, p50_ms=0.25, p99_ms=10.0, error_ratio=0.0)
    names = sorted({n for e in BOUTIQUE for n in e})
    graph = Graph(
        nodes=[Node(name=n, label=n, group=n, healthy=2, replicas=2) for n in names],
        edges=[Edge(caller=a, callee=b, figures=fig, methods={"m": fig}) for a, b in BOUTIQUE],
    )
    root = ET.fromstring(render("k", graph))
    rects = [
        (float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("x", 0)) + float(r.get("width", 0)),
         float(r.get("y", 0)) + float(r.get("height", 0)))
        for r in root.iter(f"{NS}rect")
    ]  # fmt: skip
    labels = []
    for g in (g for g in root.iter(f"{NS}g") if g.get("data-edge")):
        first, second = (t for t in g.iter(f"{NS}text"))
        center = (float(first.get("x", 0)), float(first.get("y", 0)) + 3)
        labels.append(label_box(center, (first.text or "", second.text or "")))
    assert len(labels) == len(BOUTIQUE) and len(rects) == len(names)
    for i, box in enumerate(labels):
        assert all(_overlap(box, r) == 0 for r in rects), (i, box)
        assert all(_overlap(box, other) == 0 for other in labels[i + 1 :]), (i, box)
