"""The controller lock: one rollout controller per app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from weaver.rollout.lock import ControllerLock, holder
from weaver.rollout.paths import RolloutError


def test_lock_refuses_second_controller(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    assert holder(path) is None
    with ControllerLock(path, "hello"):
        assert holder(path) == os.getpid()
        with pytest.raises(RolloutError, match=f"already running \\(controller pid {os.getpid()}"):
            ControllerLock(path, "hello").acquire()
    assert holder(path) is None
    with ControllerLock(path, "hello"):
        pass
