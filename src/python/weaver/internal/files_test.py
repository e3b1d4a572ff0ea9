"""Atomic writes, digests and liveness, on real files and processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from weaver.internal.files import atomic_write, file_sha256
from weaver.internal.procs import pid_alive


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_file_sha256_matches_hashlib_across_pieces(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8193  # more than two 1 MiB pieces
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_pid_alive_reaps_a_zombie_child_only_when_asked() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    assert pid_alive(child.pid)
    assert child.stdin is not None
    child.stdin.close()
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    assert pid_alive(child.pid)  # signal 0 cannot tell a zombie from a live process
    assert not pid_alive(child.pid, reap=True)
    assert not pid_alive(child.pid)
    child.wait(timeout=30)


def test_pid_alive_rejects_process_groups() -> None:
    assert not pid_alive(0) and not pid_alive(-1)
