"""The rollout state in the cluster: saved and loaded, held by one controller at a time."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from lightkube.resources.core_v1 import ConfigMap
from lightkube.types import PatchType

from kube.rig import Cluster
from weaver.kuberollout import store as rolloutstore
from weaver.kuberollout.store import HEARTBEAT, HOLDER, StateStore
from weaver.rollout.paths import RolloutError
from weaver.rollout.state import Plan, RolloutState


def state(app: str) -> RolloutState:
    return RolloutState(app=app, new="b" * 64, old="a" * 64, phase="shifting", plan=Plan(steps=[50, 100], step_s=5))


def notes_of(store: StateStore) -> dict[str, str]:
    cm = store.client.get(ConfigMap, store.name, namespace=store.namespace)
    return dict(cm.metadata.annotations or {})


def test_state_round_trips_and_one_controller_holds_it(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    first, second = StateStore(client, "default", "shop"), StateStore(client, "default", "shop")
    second.holder = "elsewhere pid 1 at 1"  # another machine's controller
    assert first.load() is None
    first.hold()
    try:
        saved = state("shop")
        saved.step = 1
        first.save(saved)
        assert first.load() == saved
        with pytest.raises(RolloutError, match=r"runs the rollout of shop \(ConfigMap default/weaver-rollout-shop"):
            second.hold()
    finally:
        first.release()
    assert HOLDER not in notes_of(first)
    second.hold()  # released: taken at once
    assert notes_of(second)[HOLDER] == "elsewhere pid 1 at 1"
    second.release()


def test_a_stale_or_dead_holder_is_taken_over_and_a_corrupt_state_is_named(kube_cluster: Cluster) -> None:
    client = kube_cluster.client()
    store = StateStore(client, "default", "cart")
    store.hold()
    store.release()
    stale = {HOLDER: "elsewhere pid 7 at 1", HEARTBEAT: f"{time.time() - rolloutstore.STALE_S - 1:.3f}"}
    client.patch(ConfigMap, store.name, {"metadata": {"annotations": stale}}, namespace="default",
                 patch_type=PatchType.MERGE)  # fmt: skip
    store.hold()  # its heartbeat is too old
    store.release()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = {HOLDER: f"{rolloutstore.me().rsplit(' pid ', 1)[0]} pid {gone.stdout.strip()} at 1",
            HEARTBEAT: f"{time.time():.3f}"}  # fmt: skip
    client.patch(ConfigMap, store.name, {"metadata": {"annotations": dead}}, namespace="default",
                 patch_type=PatchType.MERGE)  # fmt: skip
    store.hold()  # fresh heartbeat, but a process on this machine that is gone
    store.release()
    client.patch(ConfigMap, store.name, {"data": {"state.json": '{"app": 3}'}}, namespace="default",
                 patch_type=PatchType.MERGE)  # fmt: skip
    with pytest.raises(RolloutError, match="ConfigMap default/weaver-rollout-cart: corrupt state.json"):
        store.load()
