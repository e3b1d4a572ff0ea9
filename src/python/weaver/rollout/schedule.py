"""Rollout flags as data: durations ("10m", "30s", "500ms") and the step list ("10,25,50,100")."""

from __future__ import annotations

import math
import re

from weaver.rollout.paths import RolloutError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)?\Z")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str, flag: str) -> float:
    """Seconds in `text` (a number with unit ms, s, m or h; bare numbers are seconds)."""
    m = _DURATION.match(text.strip())
    if not m:
        raise RolloutError(f"{flag}: {text!r} is not a duration like 90s, 10m, 1h or 500ms")
    return float(m.group(1)) * _UNIT[m.group(2)]


def parse_steps(text: str, flag: str = "--steps") -> list[float]:
    """The new version's traffic percentages, strictly increasing, each in (0, 100], ending at 100."""
    steps: list[float] = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise RolloutError(f"{flag}: {part.strip()!r} is not a number (expected e.g. 10,25,50,100)") from None
        if not math.isfinite(value) or not 0 < value <= 100:
            raise RolloutError(f"{flag}: step {part.strip()} must be a percentage in (0, 100]")
        if steps and value <= steps[-1]:
            raise RolloutError(f"{flag}: steps must increase ({steps[-1]:g} then {value:g})")
        steps.append(value)
    if steps[-1] != 100:
        raise RolloutError(f"{flag}: the last step must be 100 (the new version takes all traffic), not {steps[-1]:g}")
    return steps


def weights(step_percent: float, old: str | None, new: str) -> dict[str, float]:
    """The table weights at a step: the new version's percentage, the old one the rest."""
    if old is None or step_percent >= 100:
        return {new: 100.0} if old is None else {new: 100.0, old: 0.0}
    return {new: step_percent, old: 100.0 - step_percent}


def format_duration(seconds: float) -> str:
    """Short human form: 1h02m, 10m00s, 4.5s, 250ms."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"
