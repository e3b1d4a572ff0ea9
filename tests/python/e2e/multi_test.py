"""`weaver multi` end to end: hello over subprocesses, replica crashes, versions, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import weaver
import weaver.testing
from apps.hello.counter import Counter
from apps.hello.greeter import Greeter
from weaver.internal.appload import load_app
from weaver.runtime import launch
from weaver.runtime.proclet_main import GEN_PATH_ENV
from weaver.testing.multimode import MultiApp

COLOCATED = '[weaver]\ncolocate = [["apps.hello.greeter.Greeter", "apps.hello.counter.Counter"]]\n'


async def http_get(address: str, path: str, timeout: float = 5.0) -> int:
    """Status of GET `path` on a fresh connection (raises ConnectionError if cut)."""
    host, port = address.rsplit(":", 1)
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            head = await reader.readline()
            if not head:
                raise ConnectionResetError("closed before a response")
            return int(head.split()[1])
        finally:
            writer.close()


async def test_replica_killed_mid_traffic_is_restarted_and_calls_succeed_or_fail_cleanly() -> None:
    async with weaver.testing.start("apps.hello", mode="multi") as app:
        assert isinstance(app, MultiApp)
        address = app.listener("hello").address
        greeter = app.get(Greeter)
        outcomes: dict[str, int] = {}
        stop = asyncio.Event()

        async def http_loop() -> None:  # not retriable (greet counts): 200, or a clean 500 / cut connection
            for i in range(2000):
                if stop.is_set():
                    return
                try:
                    status = await http_get(address, f"/hello?name=u{i % 7}")
                    key = str(status)
                except ConnectionError:
                    key = "cut"
                outcomes[key] = outcomes.get(key, 0) + 1

        async def rpc_loop() -> None:  # retriable: every call must succeed
            for i in range(5000):
                if stop.is_set():
                    return
                async with weaver.deadline(5):
                    assert await greeter.preview(f"p{i}") == f"Hello, p{i}!"
                outcomes["preview"] = outcomes.get("preview", 0) + 1

        loops = [asyncio.create_task(http_loop()), asyncio.create_task(rpc_loop())]
        try:
            await asyncio.sleep(0.5)
            killed = [app.kill_replica(Greeter, 0)]
            await app.wait_recovered(Greeter, timeout=30)
            killed.append(app.kill_replica("weaver.Main", 1))
            await app.wait_recovered("weaver.Main", timeout=30)
            await asyncio.sleep(0.3)
        finally:
            stop.set()
            async with asyncio.timeout(20):
                await asyncio.gather(*loops)
        assert set(outcomes) <= {"200", "500", "cut", "preview"}, outcomes
        assert outcomes.get("200", 0) > 20 and outcomes.get("preview", 0) > 20, outcomes
        assert outcomes.get("500", 0) + outcomes.get("cut", 0) <= 10, outcomes
        pids = {r.pid for g in app.manager.status().groups for r in g.replicas}
        assert not pids & set(killed)
        restarts = {g.name: sum(r.restarts for r in g.replicas) for g in app.manager.status().groups}
        assert restarts == {"Counter": 0, "Greeter": 1, "Main": 1}, restarts
        assert await http_get(address, "/hello?name=after") == 200


async def test_versions_do_not_talk_and_colocated_calls_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from weaver.testing.multimode import start_multi

    config = weaver.config.parse(COLOCATED)
    monkeypatch.setenv("WEAVER_VERSION", "v1")
    async with start_multi("apps.hello", config, {}, replicas=1) as v1:
        monkeypatch.setenv("WEAVER_VERSION", "v2")
        async with start_multi("apps.hello", config, {}, replicas=1) as v2:
            got = await v1.get(Greeter).greet("Ada")
            assert [h.version for h in got.hops] == ["v1", "v1"]
            assert got.hops[0].replica == got.hops[1].replica  # Greeter and Counter share a process
            # A v2 caller given v1's addresses (a control-plane mix-up) is refused at the handshake.
            v2.placement.update(v1.manager.routing())
            with pytest.raises(weaver.errors.CommunicationError, match="version mismatch: peer runs hello@v2"):
                async with weaver.deadline(5):
                    await v2.get(Counter).add("Ada")  # not retriable: the refusal itself surfaces
            with pytest.raises(weaver.DeadlineExceeded):  # retriable: retried until the deadline, never served
                async with weaver.deadline(0.5):
                    await v2.get(Counter).get("Ada")
            v2.placement.update(v2.manager.routing())  # its own replicas serve it
            assert (await v2.get(Greeter).greet("Ada")).hops[0].version == "v2"


@pytest.fixture
def fake_pex(tmp_path: Path) -> Path:
    """An executable standing in for a packaged hello PEX: runs weaver.app_main with a weaver_app_info."""
    info = tmp_path / "info"
    info.mkdir()
    config = '[weaver]\nname = "hello"\n[weaver.listeners.hello]\naddress = "127.0.0.1:0"\n[multi]\nreplicas = 1\n'
    (info / "weaver_app_info.py").write_text(
        f"APP_NAME = 'hello'\nMAIN_PACKAGE = 'apps.hello'\nCONFIG_TOML = {config!r}\n"
    )
    pex = tmp_path / "hello.pex"
    path = os.pathsep.join([str(info), *(p for p in sys.path if p)])
    pex.write_text(
        f'#!/bin/sh\nPEX="$0" PYTHONPATH={path!r} exec {sys.executable} -c '
        "'import weaver.app_main as m; m.main()' \"$@\"\n"
    )
    pex.chmod(0o755)
    return pex


def test_cli_deploy_status_logs_stop(fake_pex: Path, tmp_path: Path) -> None:
    load_app("apps.hello")  # so that generated_path() can point the children at its weaver_gen
    env = {
        **os.environ,
        "WEAVER_STATE_DIR": str(tmp_path / "state"),
        GEN_PATH_ENV: launch.generated_path(),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    env.pop("WEAVER_VERSION", None)
    env.pop("WEAVER_CONFIG", None)

    def weaver_cmd(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "weaver", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(tmp_path),
        )

    deployed = weaver_cmd("multi", "deploy", str(fake_pex), "--detach", "--timeout", "40")
    try:
        assert deployed.returncode == 0, deployed.stderr
        assert "listener hello: http://127.0.0.1:" in deployed.stdout
        again = weaver_cmd("multi", "deploy", str(fake_pex), "--detach", "--timeout", "20")
        assert again.returncode == 1 and "already deployed" in again.stderr
        status = json.loads(weaver_cmd("multi", "status", "--json").stdout)
        assert len(status) == 1 and status[0]["healthy"] and status[0]["app"] == "hello"
        version = status[0]["version"]
        assert len(version) == 64  # the sha256 of the "PEX"
        assert [len(g["replicas"]) for g in status[0]["groups"]] == [1, 1, 1]
        table = weaver_cmd("multi", "status").stdout
        assert "Greeter" in table and "healthy" in table
        logs = weaver_cmd("multi", "logs", "component=Greeter", "greeting").stdout
        assert "greeting with 'Hello'" in logs
        bad = weaver_cmd("multi", "logs", "colour=red")
        assert bad.returncode == 2 and "unknown field 'colour'" in bad.stderr
    finally:
        stopped = weaver_cmd("multi", "stop", "hello", "--grace", "1", timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(weaver_cmd("multi", "status", "--json").stdout) == []
    assert weaver_cmd("multi", "stop", "hello").returncode == 1
    _assert_no_process_of(env["WEAVER_STATE_DIR"], version)


def _assert_no_process_of(state_dir: str, version: str) -> None:
    """No process left with our WEAVER_VERSION in its environment (bounded wait)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        left = []
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if f"WEAVER_VERSION={version}".encode() in environ and f"WEAVER_STATE_DIR={state_dir}".encode() in environ:
                left.append(int(entry))
        if not left:
            return
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"processes left running: {left}")
