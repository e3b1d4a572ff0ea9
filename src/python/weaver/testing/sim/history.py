"""What happened in one simulated run, in order, with virtual timestamps.

Every line is plain text built only from deterministic values (virtual time, op numbers,
method names, reprs of arguments and results), so the same `(seed, workload)` gives the same
history byte for byte.
"""

from __future__ import annotations

from contextvars import ContextVar

current_op: ContextVar[int | None] = ContextVar("weaver_sim_op", default=None)
"""Index of the workload op whose call chain is running (set per client task)."""


class History:
    """An append-only list of events: `<virtual time> <op> <text>`."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def record(self, now: float, text: str) -> None:
        op = current_op.get()
        tag = "  -  " if op is None else f"op{op:<3d}"
        self.lines.append(f"{now:12.6f}s {tag} {text}")

    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")

    def __len__(self) -> int:
        return len(self.lines)
