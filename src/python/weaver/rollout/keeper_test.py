"""The keeper restarts only serving versions whose manager died, on their addresses, with backoff."""

from __future__ import annotations

from pathlib import Path

from weaver.rollout.interfaces import VersionHealth
from weaver.rollout.keeper import Keeper, serving
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.state import Deployed, Plan, RolloutState, save

A, B, C = "a" * 64, "b" * 64, "c" * 64


class Deployer:
    """Status per version (None: never started or stopped cleanly) and the starts asked for."""

    def __init__(self) -> None:
        self.health: dict[str, VersionHealth | None] = {}
        self.starts: list[tuple[str, str, dict[str, str] | None]] = []
        self.fail = False

    def status(self, app: str, version: str) -> VersionHealth | None:
        return self.health.get(version)

    def start(self, app: str, version: str, pex: Path, listeners: dict[str, str] | None = None) -> None:
        self.starts.append((version, str(pex), listeners))
        if self.fail:
            raise RolloutError("weaver multi deploy failed (exit 1): port in use")
        self.health[version] = VersionHealth(True, True)

    def stop(self, app: str, version: str, grace: float) -> None:
        self.health[version] = None


def app_state(tmp: Path) -> AppPaths:
    paths = AppPaths("hello", tmp)
    state = RolloutState(app="hello", new=B, old=A, phase="draining", plan=Plan(steps=[100], step_s=1))
    state.weights, state.draining = {B: 100.0}, [A]
    state.versions = {
        v: Deployed(version=v, pex=f"/kept/{v[:1]}.pex", backends={"web": f"127.0.0.1:{port}"})
        for v, port in ((A, 9001), (B, 9002), (C, 9003))
    }
    state.versions[C].stopped = 5.0
    save(paths.state, state)
    return paths


def test_restarts_a_dead_serving_version_on_its_addresses(tmp_path: Path) -> None:
    paths, deployer = app_state(tmp_path), Deployer()
    deployer.health = {A: VersionHealth(True, True), B: VersionHealth(False, False, detail="manager 77 not running")}
    deployer.health[C] = VersionHealth(False, False)  # stopped: not ours to keep
    keeper = Keeper(paths, deployer)
    lines = keeper.check()
    assert deployer.starts == [(B, "/kept/b.pex", {"web": "127.0.0.1:9002"})]
    assert lines[0] == f"version {B[:12]}: manager 77 not running; restarting it from /kept/b.pex"
    assert lines[1].startswith(f"version {B[:12]}: restarted in ")
    assert keeper.check() == [] and keeper.restarts == 1


def test_failed_restart_backs_off(tmp_path: Path) -> None:
    paths, deployer = app_state(tmp_path), Deployer()
    deployer.health = {A: VersionHealth(False, False, detail="manager 5 not running")}
    deployer.fail = True
    keeper = Keeper(paths, deployer)
    assert "restart failed (weaver multi deploy failed (exit 1): port in use); next try in 1s" in keeper.check()[1]
    assert keeper.check() == []  # within the backoff: no second try yet
    assert len(deployer.starts) == 1


def test_serving_and_unreadable_state(tmp_path: Path) -> None:
    paths = app_state(tmp_path)
    state = RolloutState(app="hello", new=B, old=A, phase="done", plan=Plan(steps=[100], step_s=1))
    assert serving(state) == []
    paths.state.write_text("{")
    lines = Keeper(paths, Deployer()).check()
    assert lines[0].startswith("cannot read the rollout state: corrupt")
