"""The proxy pod starts from the tables the mounted rollout state implies."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from weaver.kuberollout.proxypod import ProxyPodError, saved_tables
from weaver.rollout.state import Deployed, Plan, RolloutState

OLD, NEW = "a" * 64, "b" * 64


def test_tables_from_the_saved_state_and_none_without_one(tmp_path: Path) -> None:
    state = RolloutState(app="shop", new=NEW, old=OLD, phase="shifting", plan=Plan(steps=[10, 100], step_s=5))
    state.versions = {
        OLD: Deployed(version=OLD, pex="v1.pex", backends={"web": "10.0.0.1:8080"}),
        NEW: Deployed(version=NEW, pex="v2.pex", backends={"web": "10.0.0.2:9080"}),
    }
    state.weights = {OLD: 90.0, NEW: 10.0}
    path = tmp_path / "state.json"
    assert saved_tables(path, ["web"]) == {}
    path.write_bytes(msgspec.json.encode(state))
    table = saved_tables(path, ["web"])["web"]
    assert {v: (e.weight, e.backends) for v, e in table.versions.items()} == {
        OLD: (90.0, ["10.0.0.1:8080"]), NEW: (10.0, ["10.0.0.2:9080"]),
    }  # fmt: skip
    path.write_text('{"app": 1}')
    with pytest.raises(ProxyPodError, match=f"the rollout state {path} is corrupt"):
        saved_tables(path, ["web"])
