"""The manager's supervision, in process: a replica that keeps crashing is restarted with backoff.

The replica is a real child process that exits at once with status 3; the manager's own
envelopes, log store and status file are used as in `weaver multi`, under a temporary state dir.
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from weaver.deployers.multi.manager import Manager
from weaver.internal.procs import pid_alive
from weaver.runtime import status
from weaver.runtime.describe import AppInfo
from weaver.runtime.groups import Group, MultiOptions
from weaver.runtime.launch import LaunchSpec
from weaver.runtime.messages import LogEntry
from weaver.testing.eventually import eventually


def crashing_manager(tmp_path: Path) -> Manager:
    spec = LaunchSpec([sys.executable, "-c", "import sys; sys.exit(3)"])
    info = AppInfo(app="crashy", version="v1", main_package="crashy", components={})
    group = Group("Crash", ["crashy.Crash"], replicas=1)
    return Manager(spec, info, [group], MultiOptions(health_interval=0.2), {}, directory=tmp_path / "deployment")


def manager_notes(path: Path) -> list[str]:
    entries = [msgspec.json.decode(line, type=LogEntry) for line in path.read_bytes().splitlines() if line]
    return [e.msg for e in entries if e.source == "manager"]


async def test_a_crashing_replica_is_restarted_with_growing_backoff(tmp_path: Path) -> None:
    manager = crashing_manager(tmp_path)
    await manager.start()
    try:
        await eventually(lambda: manager.replicas_of("crashy.Crash")[0].restarts >= 4, timeout=30, what="four restarts")
        published = status.read(manager.dir / "status.json")
        assert published is not None and not published.healthy
    finally:
        await manager.stop(grace=0.5)
    notes = manager_notes(manager.dir / "logs.jsonl")
    delays = [n.rsplit("restarting in ", 1)[1] for n in notes if "exited with status 3" in n]
    assert delays[:4] == ["0.2s", "0.4s", "0.8s", "1.6s"], notes
    assert all(n.startswith("replica Crash.0 (pid ") for n in notes[:4]), notes
    assert not (manager.dir / "status.json").exists()  # removed at a clean stop
    last = manager.replicas_of("crashy.Crash")[0]
    assert last.pid == 0 or not pid_alive(last.pid)  # nothing left running
