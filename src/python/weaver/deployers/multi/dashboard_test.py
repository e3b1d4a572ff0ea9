"""The multi deployer's dashboard sources: the end of a log file, and managers that do not answer."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import msgspec
import pytest

from weaver.deployers.multi.dashboard import StateDirSource, tail
from weaver.internal import envvars
from weaver.runtime import status
from weaver.runtime.messages import LogEntry
from weaver.runtime.status import DeploymentStatus


def line(i: int) -> bytes:
    entry = LogEntry(app="a", version="v", time=float(i), level="INFO", msg=f"entry {i:04d}")
    return msgspec.json.encode(entry) + b"\n"


def test_tail_reads_whole_lines_of_the_end_and_the_rotated_part(tmp_path: Path) -> None:
    log = tmp_path / "logs.jsonl"
    (tmp_path / "logs.jsonl.1").write_bytes(b"".join(line(i) for i in range(3)))
    log.write_bytes(b"".join(line(i) for i in range(3, 100)) + b"not json\n" + line(100)[:-5])
    size = len(line(0))
    got = [e.time for e in tail(log, max_bytes=10 * size + size // 2)]
    assert got[-1] == 99.0 and 9 <= len(got) - 3 <= 10  # whole entries only: the cut one and junk skipped
    assert got[:3] == [0.0, 1.0, 2.0]
    assert [e.time for e in tail(tmp_path / "none.jsonl")] == []


def test_a_manager_that_does_not_answer_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(envvars.STATE_DIR, str(tmp_path))
    for version, metrics in (("v1", f"127.0.0.1:{port}"), ("v2", "")):
        doc = DeploymentStatus(
            app="hello", version=version, manager_pid=os.getpid(), started=1.0, healthy=True, listeners={},
            groups=[], metrics=metrics,
        )  # fmt: skip
        status.write(tmp_path / "multi" / "hello" / version / "status.json", doc)
    view = StateDirSource().overview()
    assert view.deployments == []
    assert len(view.errors) == 2
    assert view.errors[0].startswith(f"hello@v1: http://127.0.0.1:{port}/dashboard.json: ")
    assert view.errors[1] == "hello@v2: its manager publishes no endpoint"
    assert StateDirSource().spans("hello@v1", "ab" * 16) == []
    assert StateDirSource("other").overview().errors == []


async def test_a_manager_shows_its_apps_rollout_and_the_state_dir_dashboard_relays_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from weaver.dashboard.rollout import RolloutPoint, RolloutView, view_file
    from weaver.deployers.multi.manager import Manager
    from weaver.runtime.describe import AppInfo
    from weaver.runtime.groups import MultiOptions
    from weaver.runtime.launch import LaunchSpec

    monkeypatch.setenv(envvars.STATE_DIR, str(tmp_path))
    info = AppInfo(app="hello", version="v2", main_package="hello", components={})
    manager = Manager(LaunchSpec([sys.executable]), info, [], MultiOptions(), {})
    assert manager.dashboard.overview().rollouts == []  # no rollout of hello yet
    point = RolloutPoint(at=1.0, step=0, weights={"v1": 90.0, "v2": 10.0}, rates={"v2": 3.0}, decision="hold")
    view = RolloutView(app="hello", old="v1", new="v2", phase="shifting", step=0, steps=[10, 100],
                       weights={"v1": 90.0, "v2": 10.0}, verdict="holding: 3 of 30", points=[point])  # fmt: skip
    view_file(tmp_path, "hello").parent.mkdir(parents=True)
    view_file(tmp_path, "hello").write_bytes(msgspec.json.encode(view))
    assert manager.dashboard.overview().rollouts == [view]
    await manager.start()
    try:
        relayed = await asyncio.to_thread(StateDirSource("hello").overview)  # it blocks: the manager must answer
        assert relayed.errors == [] and relayed.rollouts == [view]  # through the manager's /dashboard.json
    finally:
        await manager.stop(grace=0.1)
