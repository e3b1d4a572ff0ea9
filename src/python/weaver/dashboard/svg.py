"""The call graph as inline SVG, drawn on the server from `layout` (no JS library, no Graphviz).

Every node is a `g.node[data-node]` with its component's full name in `data-component`; every
edge a `g.edge[data-edge]` with `data-caller`, `data-callee` and `data-calls` (the total), whose
two text lines give calls, calls/s, p50/p99 and the error ratio. The page's script updates
those in place, and a program or a browser test can read them.
"""

from __future__ import annotations

from html import escape

from weaver.dashboard import fmt
from weaver.dashboard.layout import Box, layout
from weaver.dashboard.model import Edge, Figures, Graph


def edge_id(key: str, caller: str, callee: str) -> str:
    """The `data-edge` value of an edge of deployment `key`."""
    return f"{key}|{caller}|{callee}"


def node_id(key: str, name: str) -> str:
    return f"{key}|{name}"


def edge_lines(f: Figures) -> tuple[str, str]:
    """An edge's two label lines."""
    first = f"{f.calls} calls · {fmt.rate(f.rate)}"
    second = f"p50 {fmt.num(f.p50_ms)} · p99 {fmt.num(f.p99_ms)} ms · err {fmt.ratio(f.error_ratio)}"
    return first, second


def _a(value: str) -> str:
    return escape(value, quote=True)


Point = tuple[float, float]
CHAR_W, LINE_H = 5.6, 12.0
"""Estimated width of a label character and height of a label line (10 px font), for placing labels."""
T_CHOICES = tuple(sorted((i / 40 for i in range(4, 37)), key=lambda t: (abs(t - 0.5), t)))
"""Where along an edge its label may go, the middle first (ends excluded: they are at the nodes)."""
OFFSETS = (0.0, -LINE_H - 2, LINE_H + 2)
"""Vertical shifts from the edge tried when no point on it is free: the label then sits beside it."""


def _curve(a: Box, b: Box) -> tuple[Point, Point, Point, Point]:
    """A cubic from `a`'s right side to `b`'s left (or over the top, when `b` is not right of `a`)."""
    x1, y1 = a.x + a.w, a.y + a.h / 2
    x2, y2 = b.x, b.y + b.h / 2
    if x2 > x1:
        dx = (x2 - x1) / 2
        return (x1, y1), (x1 + dx, y1), (x2 - dx, y2), (x2, y2)
    top = min(a.y, b.y) - 18  # a back edge (or a call within a layer)
    x1, x2 = a.x + a.w / 2, b.x + b.w / 2
    return (x1, a.y), (x1, top), (x2, top), (x2, b.y)


def _at(c: tuple[Point, Point, Point, Point], t: float) -> Point:
    u = 1 - t
    w = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
    return sum(k * p[0] for k, p in zip(w, c, strict=True)), sum(k * p[1] for k, p in zip(w, c, strict=True))


Rect = tuple[float, float, float, float]
"""x0, y0, x1, y1."""


def _overlap(r: Rect, q: Rect) -> float:
    w = min(r[2], q[2]) - max(r[0], q[0])
    h = min(r[3], q[3]) - max(r[1], q[1])
    return w * h if w > 0 and h > 0 else 0.0


def label_box(center: Point, lines: tuple[str, str]) -> Rect:
    """The estimated rectangle of a two-line label centred at `center`."""
    half = CHAR_W * max(len(x) for x in lines) / 2
    return center[0] - half, center[1] - LINE_H, center[0] + half, center[1] + LINE_H


def place(curve: tuple[Point, Point, Point, Point], lines: tuple[str, str], taken: list[Rect]) -> Point:
    """Where on `curve` the label goes: the first point (middle first, on the edge, then just above
    or below it) whose box overlaps no box in `taken` (nodes and labels placed before), else the
    least overlapping one; its box is added to `taken`."""
    best: tuple[float, Point, Rect] | None = None
    for off, t in ((off, t) for off in OFFSETS for t in T_CHOICES):
        x, y = _at(curve, t)
        p = (x, y + off)
        box = label_box(p, lines)
        cost = sum(_overlap(box, q) for q in taken)
        if best is None or cost < best[0]:
            best = (cost, p, box)
        if cost == 0:
            break
    assert best is not None
    taken.append(best[2])
    return best[1]


def render(key: str, graph: Graph) -> str:
    """The SVG element of `graph` (deployment `key`)."""
    names = [n.name for n in graph.nodes]
    drawn = [e for e in graph.edges if e.caller in names and e.callee in names]
    lay = layout(names, [(e.caller, e.callee) for e in drawn])
    out = [
        f'<svg class="callgraph" xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'style="max-width: {lay.width:.0f}px" viewBox="0 -10 {lay.width:.0f} {lay.height + 20:.0f}" '
        'role="img" aria-label="call graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker></defs>',
    ]
    taken: list[Rect] = [(b.x, b.y, b.x + b.w, b.y + b.h) for b in lay.boxes.values()]
    # Labels go along their edge where they hide no node and no other label; short edges first,
    # as they have the least room.
    at: dict[tuple[str, str], Point] = {}
    for e in sorted(drawn, key=lambda e: abs(lay.boxes[e.callee].x - lay.boxes[e.caller].x)):
        at[(e.caller, e.callee)] = _label(e, lay.boxes[e.caller], lay.boxes[e.callee], taken)
    for e in drawn:
        out.append(_edge(key, e, lay.boxes[e.caller], lay.boxes[e.callee], at[(e.caller, e.callee)]))
    for n in graph.nodes:
        b = lay.boxes[n.name]
        bad = " unhealthy" if n.replicas and n.healthy < n.replicas else ""
        out.append(
            f'<g class="node{bad}" data-node="{_a(node_id(key, n.name))}" data-component="{_a(n.name)}">'
            f"<title>{escape(n.name)} (group {escape(n.group or '-')})</title>"
            f'<rect x="{b.x:.0f}" y="{b.y:.0f}" width="{b.w:.0f}" height="{b.h:.0f}" rx="6"/>'
            f'<text class="label" x="{b.x + b.w / 2:.0f}" y="{b.y + 18:.0f}">{escape(n.label)}</text>'
            f'<text class="health" x="{b.x + b.w / 2:.0f}" y="{b.y + 34:.0f}">'
            f"{n.healthy}/{n.replicas} healthy</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _label(e: Edge, a: Box, b: Box, taken: list[Rect]) -> Point:
    return place(_curve(a, b), edge_lines(e.figures), taken)


def _edge(key: str, e: Edge, a: Box, b: Box, label: Point) -> str:
    c = _curve(a, b)
    d = "M{:.0f},{:.0f} C{:.0f},{:.0f} {:.0f},{:.0f} {:.0f},{:.0f}".format(*(v for p in c for v in p))
    first, second = edge_lines(e.figures)
    mx, my = label
    err = " errors" if e.figures.error_ratio else ""
    return (
        f'<g class="edge{err}" data-edge="{_a(edge_id(key, e.caller, e.callee))}" data-caller="{_a(e.caller)}" '
        f'data-callee="{_a(e.callee)}" data-calls="{e.figures.calls}">'
        f"<title>{escape(e.caller)} → {escape(e.callee)}: {', '.join(sorted(e.methods))}</title>"
        f'<path d="{d}" marker-end="url(#arrow)"/>'
        f'<text class="l1" x="{mx:.0f}" y="{my - 3:.0f}">{escape(first)}</text>'
        f'<text class="l2" x="{mx:.0f}" y="{my + 9:.0f}">{escape(second)}</text></g>'
    )
