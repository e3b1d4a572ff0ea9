"""The real proxy process behind ProxyFront: start, reuse, tables, summed stats, stop."""

from __future__ import annotations

import http.client
import http.server
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from weaver.internal.address import parse_address
from weaver.internal.procs import pid_alive
from weaver.rollout.paths import AppPaths, RolloutError
from weaver.rollout.proxyclient import ProxyFront
from weaver.rollout.proxyhost import read_info
from weaver.rollout.state import Deployed, Plan, RolloutState, save
from weaver.rollout.tables import Entry


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"ok"
        status = 500 if self.path == "/fail" else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def backends() -> Iterator[list[str]]:
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield [f"127.0.0.1:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def front(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProxyFront]:
    monkeypatch.setenv("WEAVER_STATE_DIR", str(tmp_path))
    f = ProxyFront(AppPaths("web"))
    yield f
    f.stop(grace=0)


def get(address: str, path: str, version: str | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection(*parse_address(address, what="front address"), timeout=5)
    conn.request("GET", path, headers={"Weaver-Version": version} if version else {})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, r.getheader("Weaver-Version") or ""


def test_proxy_process_serves_tables_and_sums_stats(front: ProxyFront, backends: list[str]) -> None:
    bound = front.ensure({"a": "127.0.0.1:0", "b": "127.0.0.1:0"})
    info = read_info(front.paths)
    assert info is not None and pid_alive(info.pid, reap=True)
    front.apply({"v1": Entry(100, {"a": backends[0], "b": backends[1]}), "v2": Entry(0, {"a": backends[1]})})
    for _ in range(3):
        assert get(bound["a"], "/") == (200, "v1")
        assert get(bound["b"], "/fail")[1] == "v1"
    assert get(bound["a"], "/", version="v2") == (200, "v2")
    assert get(bound["b"], "/", version="v2")[0] == 503  # v2 has no backend on listener b
    snap = front.snapshot()
    assert snap.versions["v1"].requests == 6 and snap.versions["v1"].status_5xx == 3
    assert snap.versions["v2"].requests == 2
    # a second front (another controller) reuses the same process
    again = ProxyFront(front.paths)
    assert again.ensure({"a": bound["a"]}) == {"a": bound["a"]}
    assert read_info(front.paths) == info
    # An address from the app's config gives way to the running proxy's; an explicit --listen does not.
    assert again.ensure({"a": "127.0.0.1:1"}) == {"a": bound["a"]}
    with pytest.raises(RolloutError, match="serves a on .*, not 127.0.0.1:1"):
        again.ensure({"a": "127.0.0.1:1"}, explicit={"a"})
    with pytest.raises(RolloutError, match="has no listener 'c'"):
        again.ensure({"c": "127.0.0.1:0"})
    assert front.stop(grace=0)
    assert not pid_alive(info.pid, reap=True) and read_info(front.paths) is None


def test_restarted_proxy_serves_the_saved_state(front: ProxyFront, backends: list[str]) -> None:
    state = RolloutState(app="web", new="v2", old="v1", phase="shifting", plan=Plan(steps=[100], step_s=1))
    state.versions = {"v1": Deployed(version="v1", pex="", backends={"a": backends[0]})}
    state.weights = {"v1": 100.0}
    save(front.paths.state, state)
    bound = front.ensure({"a": "127.0.0.1:0"})
    assert get(bound["a"], "/") == (200, "v1")


def test_proxy_that_cannot_bind_says_why(front: ProxyFront, backends: list[str]) -> None:
    with pytest.raises(RolloutError, match="did not start: .*web.*(in use|Errno)"):
        front.ensure({"a": backends[0]})


def test_killed_worker_is_restarted_by_the_guard_on_the_same_sockets(front: ProxyFront, backends: list[str]) -> None:
    state = RolloutState(app="web", new="v1", old=None, phase="done", plan=Plan(steps=[100], step_s=1))
    state.versions = {"v1": Deployed(version="v1", pex="", backends={"a": backends[0]})}
    state.weights = {"v1": 100.0}
    save(front.paths.state, state)
    bound = front.ensure({"a": "127.0.0.1:0"})
    assert get(bound["a"], "/") == (200, "v1")
    before = read_info(front.paths)
    assert before is not None and before.worker and before.worker != before.pid
    os.kill(before.worker, signal.SIGKILL)
    # the next request waits in the guard's listen backlog until the new worker, which starts from
    # the saved state's table, accepts it
    assert get(bound["a"], "/") == (200, "v1")
    after = read_info(front.paths)
    assert after is not None and after.pid == before.pid and after.worker != before.worker
    assert front.snapshot().versions["v1"].requests == 1  # the front found the new worker's admin
    log = front.paths.proxy_log.read_text()
    # killed within FAST_EXIT_S of its start: the first backoff step
    assert f"guard: proxy worker pid {before.worker} killed by signal 9; restart 1 in 0.1s" in log
