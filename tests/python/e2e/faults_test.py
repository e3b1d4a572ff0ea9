"""The fault matrix: kill -9 of each process a deployed app runs on, with load through the proxy.

hello is built with 2 replicas per group; requests run through the app's proxy (the load of
rollout_load.py: two loops of fresh sessions and a pinned one). For each kill the test measures
the failed requests, the time to full recovery (the killed process replaced and healthy, and
requests succeeding), the restarted process, the log line naming it, and at the end that
nothing is left: no process of the state dir, no status or proxy file, the port closed. The
controller's kill is in rollout_test.py (test_killed_controller_then_abort_and_resume). Each
test prints a `FAULT` line with its figures (`-- -s`); docs/fault-matrix.md has a table of them.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from e2e.rollout_load import Load, Result
from e2e.rollout_rig import Build, Weaver, failures, first_deploy, make_builds
from weaver.internal.address import parse_address
from weaver.rollout.proxyhost import read_info
from weaver.runtime import status

RECOVERY_BOUND_S = 30.0


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    return make_builds(tmp_path_factory.mktemp("builds"), replicas=2)


def deployment(weaver: Weaver, version: str) -> status.DeploymentStatus:
    st = status.read(weaver.paths.status(version))
    assert st is not None, f"no status.json for {version[:12]}"
    return st


def replica_pid(weaver: Weaver, version: str, component: str) -> tuple[str, int]:
    """(replica name, pid) of a live replica of the group hosting `component`."""
    st = deployment(weaver, version)
    group = next(g for g in st.groups if any(c.endswith(component) for c in g.components))
    replica = next(r for r in group.replicas if r.pid and r.healthy)
    return replica.replica, replica.pid


def wait_for(what: str, ok: Callable[[], bool], timeout: float = RECOVERY_BOUND_S) -> float:
    """Poll `ok` (an observation of processes and files) until true; returns when, or fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ok():
                return time.time()
        except (AssertionError, status.StatusError, StopIteration):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


def ok_after(load: Load, t: float, count: int = 20) -> bool:
    """`count` requests finished after `t`, the last of them all successful."""
    after = load.since(t)
    return len(after) >= count and all(r.ok for r in after[-count:])


def rss_mib(state_dir: Path) -> float:
    """The summed RSS of every live process of the state dir (the app, its manager, the proxy)."""
    total = 0
    for pid in processes_of(state_dir):
        try:
            with open(f"/proc/{pid}/status", encoding="latin-1") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def report(
    name: str,
    results: list[Result],
    killed: float,
    recovered: float,
    restarted: str,
    line: str,
    rss: tuple[float, float],
) -> None:
    failed = [r for r in failures(results) if r.at >= killed]
    total = len([r for r in results if r.at >= killed])
    print(
        f"FAULT {name}: {len(failed)} of {total} requests failed after the kill; "
        f"recovered in {recovered - killed:.2f}s; restarted {restarted}; RSS {rss[0]:.0f} -> {rss[1]:.0f} MiB; "
        f"log: {line!r}"
    )


def log_line(path_glob: list[Path], needle: str, timeout: float = 10.0) -> str:
    """The first line with `needle` in these logs, waiting for it: the process that writes it may
    log after what the test observed (the keeper prints its restart once the new manager is up)."""
    found: list[str] = []

    def seen() -> bool:
        for path in path_glob:
            lines = path.read_text(errors="replace").splitlines() if path.exists() else []
            found.extend(line.strip() for line in lines if needle in line)
        return bool(found)

    wait_for(f"a log line with {needle!r} in {[str(p) for p in path_glob]}", seen, timeout)
    return found[0]


def processes_of(state_dir: Path) -> list[int]:
    """Live processes started with this state dir in their environment."""
    needle = f"WEAVER_STATE_DIR={state_dir}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    with open(f"/proc/{entry}/stat", "rb") as s:
                        if s.read().split(b") ")[-1][:1] != b"Z":
                            pids.append(int(entry))
        except OSError:
            continue
    return pids


@pytest.fixture(autouse=True)
def nothing_left(weaver: Weaver) -> Iterator[None]:
    """After the rig stopped everything: nothing of it left running or on disk."""
    w = weaver
    yield
    w.close()  # the rig's own teardown closes again: a no-op by then
    wait_for("every process of the test stopped", lambda: not processes_of(w.paths.state_root), timeout=20)
    left = [p for p in w.paths.state_root.rglob("*") if p.name in ("status.json", "proxy.json")]
    assert left == [], left
    with socket.socket() as s, pytest.raises(OSError):
        s.connect(parse_address(w.address, what="public address"))


def test_kill_a_replica(weaver: Weaver, builds: dict[str, Build]) -> None:
    a = builds["A"]
    first_deploy(weaver, a)
    with Load(weaver.address) as load:
        wait_for("load running", lambda: ok_after(load, 0.0))
        name, pid = replica_pid(weaver, a.version, "Greeter")
        before = rss_mib(weaver.paths.state_root)
        killed = time.time()
        os.kill(pid, signal.SIGKILL)
        recovered = wait_for("replica replaced", lambda: _replaced(weaver, a.version, pid))
        recovered = max(recovered, wait_for("requests succeed", lambda: ok_after(load, recovered)))
        results = load.stop()
        after = rss_mib(weaver.paths.state_root)
    line = log_line(sorted((weaver.paths.state_root / "multi" / "managers").glob("*.log")), f"(pid {pid}) exited")
    report("replica (Greeter)", results, killed, recovered, f"{name} (pid {pid})", line, (before, after))
    assert_in_flight_only(results, killed)


def assert_in_flight_only(results: list[Result], killed: float) -> None:
    """Stated for a replica's kill: Greeter.greet is not retriable (it counts), so a call that was
    in flight on the killed replica fails (a 500 from Main), at most one per load loop; every other
    call goes to the group's other replica."""
    failed = failures(results)
    assert len(failed) <= 3 and all(r.status == 500 and r.at >= killed for r in failed), failed


def _replaced(weaver: Weaver, version: str, pid: int) -> bool:
    replicas = [r for g in deployment(weaver, version).groups for r in g.replicas]
    return all(r.healthy and r.pid and r.pid != pid for r in replicas)


def test_kill_the_manager(weaver: Weaver, builds: dict[str, Build]) -> None:
    a = builds["A"]
    first_deploy(weaver, a)
    with Load(weaver.address) as load:
        wait_for("load running", lambda: ok_after(load, 0.0))
        pid = deployment(weaver, a.version).manager_pid
        before = rss_mib(weaver.paths.state_root)
        killed = time.time()
        os.kill(pid, signal.SIGKILL)
        recovered = wait_for("a new manager, healthy", lambda: _healthy_new_manager(weaver, a.version, pid))
        recovered = max(recovered, wait_for("requests succeed", lambda: ok_after(load, recovered)))
        results = load.stop()
        after = rss_mib(weaver.paths.state_root)
    line = log_line([weaver.paths.proxy_log], f"manager {pid} not running; restarting")
    report("manager", results, killed, recovered, f"manager (pid {pid}) and its replicas", line, (before, after))
    # Stated: the version is down from the kill until the keeper's restart is healthy (its check
    # every second, then a cold start of every replica); requests in that window fail (a 500 from
    # a main replica whose Greeter died first, then the proxy's 502), and only those.
    failed = failures(results)
    assert failed and all(killed <= r.at <= recovered for r in failed), [r for r in failed if r.at > recovered][:3]
    assert recovered - killed < RECOVERY_BOUND_S


def _healthy_new_manager(weaver: Weaver, version: str, old: int) -> bool:
    st = deployment(weaver, version)
    return st.manager_pid != old and st.healthy


def test_kill_the_proxy_worker(weaver: Weaver, builds: dict[str, Build]) -> None:
    a = builds["A"]
    first_deploy(weaver, a)
    with Load(weaver.address) as load:
        wait_for("load running", lambda: ok_after(load, 0.0))
        info = read_info(weaver.paths)
        assert info is not None
        before = rss_mib(weaver.paths.state_root)
        killed = time.time()
        os.kill(info.worker, signal.SIGKILL)
        recovered = wait_for("a new worker", lambda: _new_worker(weaver, info.worker))
        recovered = max(recovered, wait_for("requests succeed", lambda: ok_after(load, recovered)))
        results = load.stop()
        after = rss_mib(weaver.paths.state_root)
    line = log_line([weaver.paths.proxy_log], f"proxy worker pid {info.worker} killed by signal 9")
    report("proxy worker", results, killed, recovered, f"proxy worker (pid {info.worker})", line, (before, after))
    # Stated: only the requests the worker had in flight fail (at most one per load loop); new
    # connections wait in the guard's backlog.
    assert len(failures(results)) <= 3


def _new_worker(weaver: Weaver, old: int) -> bool:
    info = read_info(weaver.paths)
    return info is not None and info.worker not in (0, old)


def test_kill_a_new_replica_mid_rollout(weaver: Weaver, builds: dict[str, Build]) -> None:
    a, b = builds["A"], builds["B"]
    first_deploy(weaver, a)
    with Load(weaver.address) as load:
        controller = weaver.start_deploy(b, "--steps", "50,100", "--duration", "12s")
        weaver.wait_state(lambda s: s.phase == "shifting" and s.new == b.version)
        wait_for("B serving", lambda: any(r.version == b.version and r.ok for r in load.since(0.0)))
        name, pid = replica_pid(weaver, b.version, "Greeter")
        before = rss_mib(weaver.paths.state_root)
        killed = time.time()
        os.kill(pid, signal.SIGKILL)
        recovered = wait_for("replica replaced", lambda: _replaced(weaver, b.version, pid))
        after = rss_mib(weaver.paths.state_root)  # both versions still run
        out, _ = controller.communicate(timeout=120)
        results = load.stop()
    assert controller.returncode == 0, out
    state = weaver.state()
    assert (state.phase, state.live) == ("done", b.version), state.reason
    line = log_line(sorted((weaver.paths.state_root / "multi" / "managers").glob("*.log")), f"(pid {pid}) exited")
    restarted = f"{name} of B (pid {pid})"
    report("new version's replica mid-rollout", results, killed, recovered, restarted, line, (before, after))
    assert_in_flight_only(results, killed)  # and the gate did not roll back for them
