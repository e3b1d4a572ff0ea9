"""Rollout flags: durations, steps and the weights of each step."""

from __future__ import annotations

import pytest

from weaver.rollout import schedule
from weaver.rollout.paths import RolloutError


def test_durations() -> None:
    assert schedule.parse_duration("10m", "--duration") == 600
    assert schedule.parse_duration("1.5s", "--duration") == 1.5
    assert schedule.parse_duration("250ms", "--x") == 0.25
    assert schedule.parse_duration("90", "--x") == 90
    with pytest.raises(RolloutError, match="--drain-timeout: '10 minutes' is not a duration"):
        schedule.parse_duration("10 minutes", "--drain-timeout")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("10,x,100", "'x' is not a number"),
        ("50,25,100", "steps must increase"),
        ("0,100", r"must be a percentage in \(0, 100\]"),
        ("10,50", "the last step must be 100"),
        ("10,nan,100", "percentage"),
    ],
)
def test_bad_steps(text: str, error: str) -> None:
    with pytest.raises(RolloutError, match=error):
        schedule.parse_steps(text)


def test_steps_and_weights() -> None:
    assert schedule.parse_steps("10, 25,50,100") == [10, 25, 50, 100]
    assert schedule.weights(25, "a", "b") == {"b": 25, "a": 75}
    assert schedule.weights(100, "a", "b") == {"b": 100, "a": 0}
    assert schedule.weights(10, None, "b") == {"b": 100}
