"""Flags, the health gate, state files, the lock and package checks."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from weaver.proxy.stats import VersionStats
from weaver.rollout import schedule
from weaver.rollout.gate import judge
from weaver.rollout.lock import ControllerLock, holder
from weaver.rollout.package import keep_pex, load_package, parse_listen
from weaver.rollout.paths import AppPaths, RolloutError, check_app
from weaver.rollout.state import Baseline, Gate, Plan, RolloutState, load, save


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


def stats(requests: int, errors: int = 0, p99_ms: float = 5.0) -> VersionStats:
    return VersionStats(requests=requests, status_5xx=errors, status_2xx=requests - errors, p99_us=p99_ms * 1000)


GATE = Gate(error_margin=0.01, latency_margin=1.5, latency_slack_s=0.01, min_requests=20)


def test_gate_waits_for_min_requests_mid_step() -> None:
    assert judge(stats(19, 19), stats(100), None, GATE).decision == "wait"
    # at the step's end, a failing version is judged on what it served
    assert judge(stats(5, 5), stats(100), None, GATE, final=True).decision == "rollback"
    assert judge(None, stats(100), None, GATE, final=True).decision == "ok"


def test_gate_error_margin() -> None:
    assert judge(stats(100, 1), stats(100, 0), None, GATE).decision == "ok"
    verdict = judge(stats(100, 5), stats(100, 0), None, GATE)
    assert verdict.decision == "rollback" and "5/100 requests failed" in verdict.reason
    assert judge(stats(100, 5), stats(100, 5), None, GATE).decision == "ok"  # as bad as the old one


def test_gate_latency_margin_and_slack_at_step_end() -> None:
    assert judge(stats(100, p99_ms=50), stats(100, p99_ms=20), None, GATE, final=True).decision == "rollback"
    # mid-step, latency is not judged (cold starts)
    assert judge(stats(100, p99_ms=50), stats(100, p99_ms=20), None, GATE).decision == "ok"
    # 3x slower but only 4 ms: under the slack
    assert judge(stats(100, p99_ms=6), stats(100, p99_ms=2), None, GATE, final=True).decision == "ok"
    # old without enough requests: its baseline is the reference
    base = Baseline(100, 0.0, 20_000)
    assert judge(stats(100, p99_ms=50), stats(3, p99_ms=1), base, GATE, final=True).decision == "rollback"
    assert "latency not judged" in judge(stats(100, p99_ms=50), None, None, GATE, final=True).reason


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


def fake_pex(path: Path, config: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("weaver_app_info.py", f"APP_NAME = 'hello'\nCONFIG_TOML = {config!r}\n")
    return path


def manifest(path: Path, version: str, listeners: list[str]) -> Path:
    import json

    path.write_text(json.dumps({"app": "hello", "version": version, "components": [{"listeners": listeners}]}))
    return path


def test_package_checks(tmp_path: Path) -> None:
    from weaver.internal.pexinfo import pex_sha256

    pex = fake_pex(tmp_path / "app.pex", '[weaver.listeners.web]\naddress = "127.0.0.1:8080"\n')
    version = pex_sha256(str(pex))
    m = manifest(tmp_path / "m.json", version, ["web"])
    pkg = load_package(pex, m, {})
    assert (pkg.app, pkg.version, pkg.listeners) == ("hello", version, {"web": "127.0.0.1:8080"})
    assert load_package(pex, m, {"web": "127.0.0.1:0"}).listeners == {"web": "127.0.0.1:0"}
    kept = keep_pex(pkg, AppPaths("hello", tmp_path).pex(version))
    assert kept.read_bytes() == pex.read_bytes() and kept.name == f"{version}.pex"
    with pytest.raises(RolloutError, match="is for version 000000000000, but"):
        load_package(pex, manifest(tmp_path / "m2.json", "0" * 64, ["web"]), {})
    with pytest.raises(RolloutError, match="pass --listen api=HOST:PORT"):
        load_package(pex, manifest(tmp_path / "m3.json", version, ["web", "api"]), {})
    with pytest.raises(RolloutError, match="--listen nope: the app has no such listener"):
        load_package(pex, m, {"nope": "127.0.0.1:1"})
    with pytest.raises(RolloutError, match="--pex .*missing.pex: no such file"):
        load_package(tmp_path / "missing.pex", m, {})
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(RolloutError, match="bad.json has no string 'app'"):
        load_package(pex, tmp_path / "bad.json", {})
    with pytest.raises(RolloutError, match="expected NAME=HOST:PORT"):
        parse_listen(["web"])
    with pytest.raises(RolloutError, match="'localhost' is not HOST:PORT"):
        parse_listen(["web=localhost"])
