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
    second = f"p50 {fmt.ms(f.p50_ms)} · p99 {fmt.ms(f.p99_ms)} · err {fmt.ratio(f.error_ratio)}"
    return first, second


def _a(value: str) -> str:
    return escape(value, quote=True)


def _path(a: Box, b: Box) -> tuple[str, float, float]:
    """A curve from `a`'s right side to `b`'s left (or around, when `b` is not right of `a`)."""
    x1, y1 = a.x + a.w, a.y + a.h / 2
    x2, y2 = b.x, b.y + b.h / 2
    if x2 > x1:
        dx = (x2 - x1) / 2
        d = f"M{x1:.0f},{y1:.0f} C{x1 + dx:.0f},{y1:.0f} {x2 - dx:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        return d, (x1 + x2) / 2, (y1 + y2) / 2
    top = min(a.y, b.y) - 18  # a back edge (or a call to the same layer): over the top
    x1, x2 = a.x + a.w / 2, b.x + b.w / 2
    d = f"M{x1:.0f},{a.y:.0f} C{x1:.0f},{top:.0f} {x2:.0f},{top:.0f} {x2:.0f},{b.y:.0f}"
    return d, (x1 + x2) / 2, top + 6


def render(key: str, graph: Graph) -> str:
    """The SVG element of `graph` (deployment `key`)."""
    names = [n.name for n in graph.nodes]
    drawn = [e for e in graph.edges if e.caller in names and e.callee in names]
    lay = layout(names, [(e.caller, e.callee) for e in drawn])
    out = [
        f'<svg class="callgraph" xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" '
        f'height="{lay.height + 20:.0f}" viewBox="0 -10 {lay.width:.0f} {lay.height + 20:.0f}" '
        'role="img" aria-label="call graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker></defs>',
    ]
    for e in drawn:
        out.append(_edge(key, e, lay.boxes[e.caller], lay.boxes[e.callee]))
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


def _edge(key: str, e: Edge, a: Box, b: Box) -> str:
    d, mx, my = _path(a, b)
    first, second = edge_lines(e.figures)
    err = " errors" if e.figures.error_ratio else ""
    return (
        f'<g class="edge{err}" data-edge="{_a(edge_id(key, e.caller, e.callee))}" data-caller="{_a(e.caller)}" '
        f'data-callee="{_a(e.callee)}" data-calls="{e.figures.calls}">'
        f"<title>{escape(e.caller)} → {escape(e.callee)}: {', '.join(sorted(e.methods))}</title>"
        f'<path d="{d}" marker-end="url(#arrow)"/>'
        f'<text class="l1" x="{mx:.0f}" y="{my - 3:.0f}">{escape(first)}</text>'
        f'<text class="l2" x="{mx:.0f}" y="{my + 9:.0f}">{escape(second)}</text></g>'
    )
