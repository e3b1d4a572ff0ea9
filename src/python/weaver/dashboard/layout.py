"""A layered layout of a call graph: callers left of their callees, few crossings, no library.

Layers: the longest path from a node with no caller (edges that close a cycle are ignored), so
every call points right. Within a layer, nodes are ordered by the mean position of their
callers, then of their callees (a few barycenter sweeps), which untangles the usual fan-out of
a frontend calling services. Positions are in pixels for `svg`.
"""

from __future__ import annotations

from dataclasses import dataclass

NODE_W, NODE_H = 168, 44
LAYER_GAP, ROW_GAP = 230, 30
MARGIN = 20
SWEEPS = 4


@dataclass(frozen=True)
class Box:
    """A node's rectangle: top-left corner and size (pixels)."""

    x: float
    y: float
    w: float = NODE_W
    h: float = NODE_H


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    width: float
    height: float
    layers: list[list[str]]


def acyclic(nodes: list[str], edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`edges` without self-calls and without the edges a depth-first walk finds closing a cycle."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a != b and a in succ and b in succ:
            succ[a].append(b)
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    keep: list[tuple[str, str]] = []
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                continue  # a back edge: it closes a cycle
            else:
                keep.append((node, nxt))
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ[nxt])))
    return keep


def layers(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Nodes by layer (longest path from a source), each layer in first-seen order."""
    dag = acyclic(nodes, edges)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in dag:
        preds[b].append(a)
    depth: dict[str, int] = {}

    def level(n: str) -> int:
        todo = [n]
        while todo:
            cur = todo[-1]
            missing = [p for p in preds[cur] if p not in depth]
            if missing:
                todo.extend(missing)
                continue
            todo.pop()
            depth[cur] = 1 + max((depth[p] for p in preds[cur]), default=-1)
        return depth[n]

    out: list[list[str]] = []
    for n in nodes:
        d = level(n)
        while len(out) <= d:
            out.append([])
    for n in nodes:
        out[depth[n]].append(n)
    return out


def _order(rows: list[list[str]], edges: list[tuple[str, str]]) -> list[list[str]]:
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for a, b in edges:
        preds.setdefault(b, []).append(a)
        succs.setdefault(a, []).append(b)
    rows = [list(r) for r in rows]
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for i in order:
            ref = rows[i - 1] if down else rows[i + 1]
            pos = {n: j for j, n in enumerate(ref)}
            near = preds if down else succs

            def weight(n: str, j: int, pos: dict[str, int] = pos, near: dict[str, list[str]] = near) -> float:
                ps = [pos[p] for p in near.get(n, []) if p in pos]
                return sum(ps) / len(ps) if ps else float(j)

            rows[i] = [n for _, n in sorted((weight(n, j), n) for j, n in enumerate(rows[i]))]
    return rows


def layout(nodes: list[str], edges: list[tuple[str, str]]) -> Layout:
    """Boxes for `nodes` (callers left, callees right), and the drawing's size."""
    rows = _order(layers(nodes, edges), edges)
    tallest = max((len(r) for r in rows), default=0)
    height = 2 * MARGIN + tallest * NODE_H + max(0, tallest - 1) * ROW_GAP
    boxes = {}
    for i, row in enumerate(rows):
        x = MARGIN + i * (NODE_W + LAYER_GAP)
        used = len(row) * NODE_H + max(0, len(row) - 1) * ROW_GAP
        top = (height - used) / 2
        for j, n in enumerate(row):
            boxes[n] = Box(x, top + j * (NODE_H + ROW_GAP))
    width = 2 * MARGIN + len(rows) * NODE_W + max(0, len(rows) - 1) * LAYER_GAP
    return Layout(boxes, width, max(height, 2 * MARGIN + NODE_H), rows)
