"""Flags, the health gate, state files, the lock and package checks."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from weaver.proxy.stats import VersionStats, bucket_of, percentile_us
from weaver.rollout import schedule
from weaver.rollout.gate import EARLY, Reference, Verdict, Window, judge
from weaver.rollout.lock import ControllerLock, holder
from weaver.rollout.package import keep_pex, load_package, parse_listen
from weaver.rollout.paths import AppPaths, RolloutError, check_app
from weaver.rollout.state import Gate, Plan, RolloutState, load, save
from weaver.rollout.stats_tests import fisher_greater
from weaver.rollout.warmup import parse_paths, targets


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


def stats(requests: int, errors: int = 0, ms: float = 5.0, tail: int = 0, tail_ms: float = 50.0) -> VersionStats:
    """`requests` answered in `ms`, `tail` of them in `tail_ms` instead."""
    s = VersionStats(requests=requests, status_5xx=errors, status_2xx=requests - errors)
    s.latency = {bucket_of(ms / 1000): requests - tail}
    if tail:
        s.latency[bucket_of(tail_ms / 1000)] = tail
    s.p50_us, s.p99_us = percentile_us(s.latency, 0.5), percentile_us(s.latency, 0.99)
    return s


GATE = Gate(min_requests=30)


def check(new: VersionStats, ref: Reference | None, gate: Gate, *, final: bool, overdue: bool = False) -> Verdict:
    """The gate on a window where every judged sample of the new version is from this step."""
    return judge(Window(new, ref), Window(new, ref), gate, stage_samples=new.requests, final=final, overdue=overdue)

OLD = Reference(stats(1000, 2))


def test_gate_holds_until_min_samples_then_obeys_on_hold_timeout() -> None:
    assert check(stats(12), OLD, GATE, final=False) == Verdict("wait", "judging: 12 of 30 samples")
    assert check(stats(12), OLD, GATE, final=True) == Verdict("hold", "holding: 12 of 30 samples")
    promoted = check(stats(12), OLD, GATE, final=True, overdue=True)
    assert promoted == Verdict("pass", "unjudged: 12 of 30 samples (on_hold_timeout=promote)")
    strict = Gate(min_requests=30, on_hold_timeout="rollback")
    assert check(stats(12), OLD, strict, final=True, overdue=True).decision == "rollback"
    # a failing version is rolled back on what it served, even under min_requests
    assert check(stats(12, 12), OLD, GATE, final=False).decision == "rollback"


def test_gate_errors_by_fisher_with_floor() -> None:
    verdict = check(stats(1000, 41), OLD, GATE, final=True)
    assert verdict == Verdict("rollback", "errors 4.1% (41/1000) vs old 0.2% (2/1000), p < 0.001")
    # significant but within the floor of 0.5%: ignored
    assert check(stats(10_000, 50), Reference(stats(10_000, 5)), GATE, final=True).decision == "pass"
    # as bad as the old one: not worse
    assert check(stats(1000, 40), Reference(stats(1000, 41)), GATE, final=True).decision == "pass"
    # mid-step the bar is alpha / EARLY: 3/100 vs 0/1000 is p ~ 0.0007, not enough yet
    assert fisher_greater(3, 100, 0, 1000) > GATE.alpha / EARLY
    assert check(stats(100, 3), Reference(stats(1000)), GATE, final=False).decision == "wait"
    assert check(stats(100, 3), Reference(stats(1000)), GATE, final=True).decision == "rollback"


def test_gate_errors_without_old_traffic_against_the_floor() -> None:
    verdict = check(stats(100, 5), None, GATE, final=True)
    assert verdict.decision == "rollback" and "vs floor 0.5% (no old traffic to compare)" in verdict.reason
    passed = check(stats(100, 1), None, GATE, final=True)
    assert passed.decision == "pass" and "latency not judged: 0 old requests" in passed.reason


def test_gate_latency_rank_test_and_floor() -> None:
    old = Reference(stats(200, ms=8.0))
    verdict = check(stats(100, ms=11.0), old, GATE, final=True)
    assert verdict == Verdict("rollback", "p50 10.6 ms vs old 7.5 ms, rank test p < 0.001")
    # 2x slower but under the 2 ms floor
    fast = Reference(stats(200, ms=0.5))
    assert check(stats(100, ms=1.0), fast, GATE, final=True).decision == "pass"
    # mid-step latency is not judged
    assert check(stats(100, ms=11.0), old, GATE, final=False).decision == "wait"


def test_gate_latency_tail_test() -> None:
    old = Reference(stats(1000, ms=8.0, tail=5, tail_ms=20.0))
    verdict = check(stats(300, ms=8.0, tail=15, tail_ms=40.0), old, GATE, final=True)
    over = "15/300 requests over 8.2 ms vs 5/1000, p < 0.001"
    assert verdict == Verdict("rollback", f"p99 44.8 ms vs old 8.2 ms: {over}")
    same = check(stats(300, ms=8.0, tail=2, tail_ms=20.0), old, GATE, final=True)
    assert same == Verdict(
        "pass", "p99 8.2 ms vs old 8.2 ms, errors 0.0% (0/300) vs old 0.0% (0/1000): not worse at 99%"
    )


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


def test_warming_up_judges_errors_only() -> None:
    window = Window(stats(8, 8), OLD)
    assert judge(window, None, GATE, stage_samples=0, final=False, warming="warming up").decision == "rollback"
    healthy = Window(stats(8), OLD)
    waiting = judge(healthy, None, GATE, stage_samples=0, final=False, warming="warming up")
    assert waiting == Verdict("wait", "warming up")
    held = judge(healthy, None, GATE, stage_samples=0, final=True, warming="warming up")
    assert held == Verdict("hold", "holding: warming up")


def test_warmup_paths() -> None:
    assert parse_paths(["/", "web=/cart?x=1", "/a?b=c"]) == [(None, "/"), ("web", "/cart?x=1"), (None, "/a?b=c")]
    assert [t.address for t in targets(["/"], {"web": "127.0.0.1:1"})] == ["127.0.0.1:1"]
    with pytest.raises(RolloutError, match="--warmup-path 'cart': expected"):
        parse_paths(["cart"])
    with pytest.raises(RolloutError, match="has listeners api, web; write NAME=/"):
        targets(["/"], {"web": "127.0.0.1:1", "api": "127.0.0.1:2"})
    with pytest.raises(RolloutError, match="no listener 'api'"):
        targets(["api=/"], {"web": "127.0.0.1:1"})
