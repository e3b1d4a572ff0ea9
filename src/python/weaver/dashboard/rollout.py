"""The dashboard's rollout section: the traffic split and the gate's verdicts over time.

The rollout controller (weaver.rollout) writes a `RolloutView` of its state to `view_file` on
every save; the manager of each version of the app reads it into its `/dashboard.json` and
page, so whichever dashboard is open shows the rollout while it runs (and the last one after).
Plain data, so a program reads it as well as the page: each `RolloutPoint` is one gate tick
(the weights in force, each version's requests per second, the gate's decision and reason).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import msgspec

DECISIONS = ("wait", "hold", "pass", "rollback", "warming", "phase")
"""What a point's `decision` may be: a gate verdict, the warm-up, or a phase change (`reason`: the phase)."""
_COLOURS = {"pass": "#137333", "hold": "#b06000", "rollback": "#b3261e", "warming": "#4a6fd1", "wait": "#8a94a6"}


class RolloutPoint(msgspec.Struct, frozen=True, kw_only=True):
    """One moment of a rollout."""

    at: float
    step: int
    """Index of the step in force (-1 before shifting)."""
    weights: dict[str, float]
    """Version -> its share of unpinned traffic (percent)."""
    rates: dict[str, float] = {}
    """Version -> proxied requests per second over the last tick."""
    decision: str
    reason: str = ""


class RolloutView(msgspec.Struct, frozen=True, kw_only=True):
    """One app's latest rollout."""

    app: str
    old: str | None
    new: str
    phase: str
    step: int
    steps: list[float]
    """The new version's percentage per step."""
    weights: dict[str, float]
    verdict: str | None = None
    reason: str | None = None
    started: float = 0.0
    finished: float | None = None
    points: list[RolloutPoint] = []

    @property
    def over(self) -> bool:
        return self.finished is not None


_decoder = msgspec.json.Decoder(RolloutView)


def view_file(state_root: Path, app: str) -> Path:
    """Where the controller writes `app`'s view (next to its rollout state)."""
    return state_root / "rollout" / app / "dashboard.json"


def read(state_root: Path, app: str) -> RolloutView | None:
    """The app's view, or None when it never had a rollout (or the file is being replaced badly)."""
    try:
        return _decoder.decode(view_file(state_root, app).read_bytes())
    except (OSError, msgspec.DecodeError):
        return None


def changes(view: RolloutView) -> list[RolloutPoint]:
    """The points where the step, the decision or the reason changed (the verdicts' history)."""
    out: list[RolloutPoint] = []
    for p in view.points:
        if not out or (p.step, p.decision, p.reason) != (out[-1].step, out[-1].decision, out[-1].reason):
            out.append(p)
    return out


W, H, PAD = 640.0, 120.0, 28.0


def chart(view: RolloutView) -> str:
    """The new version's weight and share of requests over time as inline SVG, one dot per point
    coloured by the gate's decision (`circle[data-decision]`)."""
    points = view.points
    if not points:
        return '<svg class="rollout" width="640" height="40"><text x="4" y="24">no gate tick yet</text></svg>'
    t0, t1 = points[0].at, max(points[-1].at, points[0].at + 1e-9)

    def x(t: float) -> float:
        return PAD + (t - t0) / (t1 - t0) * (W - 2 * PAD) if t1 > t0 else PAD

    def y(pct: float) -> float:
        return H - PAD / 2 - pct / 100 * (H - PAD)

    weight = " ".join(f"{x(p.at):.1f},{y(p.weights.get(view.new, 0.0)):.1f}" for p in points)
    share = []
    for p in points:
        total = sum(p.rates.values())
        if total > 0:
            share.append(f"{x(p.at):.1f},{y(100 * p.rates.get(view.new, 0.0) / total):.1f}")
    parts = [
        f'<svg class="rollout" width="{W:.0f}" height="{H:.0f}" viewBox="0 0 {W:.0f} {H:.0f}" '
        f'data-app="{escape(view.app, quote=True)}">',
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{W - PAD}" y2="{y(0):.1f}" stroke="#ccc"/>',
        f'<line x1="{PAD}" y1="{y(100):.1f}" x2="{W - PAD}" y2="{y(100):.1f}" stroke="#eee"/>',
        f'<text x="2" y="{y(100) + 4:.1f}" font-size="10">100%</text>',
        f'<text x="8" y="{y(0) + 4:.1f}" font-size="10">0%</text>',
        f'<polyline class="weight" fill="none" stroke="#4a6fd1" stroke-width="2" points="{weight}"/>',
    ]
    if share:
        parts.append(
            f'<polyline class="share" fill="none" stroke="#8a94a6" stroke-dasharray="3 2" points="{" ".join(share)}"/>'
        )
    for p in points:
        colour = _COLOURS.get(p.decision, "#555")
        title = escape(f"step {p.step + 1}: {p.decision} {p.reason}".strip())
        parts.append(
            f'<circle data-decision="{escape(p.decision, quote=True)}" cx="{x(p.at):.1f}" '
            f'cy="{y(p.weights.get(view.new, 0.0)):.1f}" r="3" fill="{colour}"><title>{title}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)
