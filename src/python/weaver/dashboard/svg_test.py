"""The graph's SVG is well-formed XML naming every component and edge, with their figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from weaver.dashboard import fmt
from weaver.dashboard.model import Edge, Figures, Graph, Node, deployment_view
from weaver.dashboard.svg import edge_lines, render
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
    assert texts == ["30 calls · 2.0/s", "p50 0.25 ms · p99 0.25 ms · err 0.0%"]


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
    assert edge_lines(Figures(calls=5, errors=0)) == ("5 calls · -", "p50 - · p99 - · err -")
    assert [fmt.ms(v) for v in (0.001, 0.025, 2.5, 1000.0, 5000.0, 123.456)] == [
        "0.001 ms", "0.025 ms", "2.5 ms", "1000 ms", "5000 ms", "123 ms"
    ]  # fmt: skip
    assert (fmt.rate(12.345), fmt.ratio(0.0123)) == ("12.3/s", "1.2%")
