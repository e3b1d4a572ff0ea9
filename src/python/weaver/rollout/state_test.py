"""The rollout state file and app names."""

from __future__ import annotations

from pathlib import Path

import pytest

from weaver.rollout.paths import AppPaths, RolloutError, check_app
from weaver.rollout.state import Plan, RolloutState, load, save


def test_state_roundtrip_and_corrupt_file(tmp_path: Path) -> None:
    paths = AppPaths("hello", tmp_path)
    assert load(paths.state) is None
    state = RolloutState(app="hello", new="b", old="a", phase="shifting", plan=Plan(steps=[50, 100], step_s=1))
    state.note("hi", 1.0)
    save(paths.state, state)
    assert load(paths.state) == state
    paths.state.write_text('{"app": "hello", "phase": "flying"}')
    with pytest.raises(RolloutError, match=f"corrupt rollout state {paths.state}"):
        load(paths.state)
    paths.state.write_text("{")
    with pytest.raises(RolloutError, match="corrupt"):
        load(paths.state)
    with pytest.raises(RolloutError, match="app name '../x'"):
        check_app("../x")
