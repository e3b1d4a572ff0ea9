"""Live progress of a rollout: a rich table redrawn every tick on a terminal, plain lines otherwise.

Per version: role, weight, request rate (last tick), and over the current step's window the
requests, error ratio and p50/p99. Events (steps passed, rollbacks and their reasons) print
above the table, or as lines.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from weaver.proxy.stats import Snapshot, VersionStats
from weaver.rollout.schedule import format_duration
from weaver.rollout.state import RolloutState

PLAIN_EVERY = 5.0
"""Seconds between progress lines when stdout is not a terminal."""


def headline(state: RolloutState, now: float) -> str:
    """'hello: step 2/4 (25% to 3f2a...) 12.0s of 30.0s | gate: holding: 12 of 30 samples' or the phase."""
    elapsed = format_duration(max(0.0, now - state.phase_started))
    if state.phase == "shifting":
        n, pct = len(state.plan.steps), state.plan.steps[state.step]
        gate = f" | gate: {state.verdict}" if state.verdict else ""
        return (
            f"{state.app}: step {state.step + 1}/{n} ({pct:g}% to {state.new[:12]}) "
            f"{elapsed} of {format_duration(state.plan.step_s)}{gate}"
        )
    return f"{state.app}: {state.phase} {elapsed}"


def rows(state: RolloutState, window: Snapshot, rates: dict[str, float]) -> list[list[str]]:
    """One row per running version: version, role, weight, req/s, requests, errors, p50, p99."""
    out = []
    for version in state.running():
        role = "new" if version == state.new else "old" if version == state.old else "other"
        weight = state.weights.get(version)
        w = "-" if weight is None else f"{weight:g}%" + (" draining" if version in state.draining else "")
        s = window.versions.get(version, VersionStats())
        out.append(
            [
                version[:12],
                role,
                w,
                f"{rates.get(version, 0.0):.1f}",
                str(s.requests),
                f"{s.error_rate():.2%}",
                f"{s.p50_us / 1000:.1f}ms",
                f"{s.p99_us / 1000:.1f}ms",
            ]
        )
    return out


COLUMNS = ["version", "role", "weight", "req/s", "requests", "errors", "p50", "p99"]


class Display:
    """An Observer for the controller; `close()` when done."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream)
        self.live_mode = self.console.is_terminal if live is None else live
        self.live: Live | None = None
        self.last_plain = 0.0

    def tick(self, state: RolloutState, window: Snapshot, rates: dict[str, float]) -> None:
        now = time.time()
        if not self.live_mode:
            if now - self.last_plain >= PLAIN_EVERY:
                self.last_plain = now
                parts = [f"{r[0]} {r[2]} {r[3]}/s err {r[5]} p50 {r[6]} p99 {r[7]}" for r in rows(state, window, rates)]
                self._line(headline(state, now) + " | " + "; ".join(parts))
            return
        table = Table(title=headline(state, now), title_justify="left")
        for col in COLUMNS:
            table.add_column(col, justify="left" if col in ("version", "role", "weight") else "right")
        for row in rows(state, window, rates):
            table.add_row(*row)
        if self.live is None:
            self.live = Live(table, console=self.console, refresh_per_second=4, transient=False)
            self.live.start()
        else:
            self.live.update(table)

    def event(self, message: str) -> None:
        self._line(message)

    def _line(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        if self.live is not None:
            self.console.print(f"{stamp} {text}", highlight=False, markup=False)
        else:
            print(f"{stamp} {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
