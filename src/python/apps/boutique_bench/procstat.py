"""CPU time and CPU affinity of processes, from /proc (Linux only)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat the bench uses."""

    pid: int
    ppid: int
    cpu_s: float
    """utime + stime of the process (all its threads), in seconds."""
    start_ticks: int
    """Start time since boot, in clock ticks: with `pid`, names a process unambiguously."""


def read_stat(pid: int) -> ProcStat | None:
    """The process's stat, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("latin-1")
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
    return ProcStat(pid, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, int(fields[19]))


def all_pids() -> list[int]:
    """Every pid in /proc right now."""
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> list[int]:
    """Every live descendant of `root` (not `root` itself), found through parent pids."""
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        st = read_stat(pid)
        if st is not None:
            children.setdefault(st.ppid, []).append(pid)
    out: list[int] = []
    todo = list(children.get(root, []))
    for _ in range(100_000):  # bounded walk
        if not todo:
            break
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(out)


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """utime+stime of each live pid (gone processes are left out)."""
    out: dict[int, float] = {}
    for pid in pids:
        st = read_stat(pid)
        if st is not None:
            out[pid] = st.cpu_s
    return out


def pin(pids: Iterable[int], cpus: set[int]) -> int:
    """Pin every thread of every pid to `cpus`; returns how many threads were pinned.

    sched_setaffinity applies to one thread, so each task of /proc/<pid>/task is pinned.
    """
    n = 0
    for pid in pids:
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            continue
        for tid in tids:
            try:
                os.sched_setaffinity(tid, cpus)
                n += 1
            except OSError:  # the thread ended meanwhile
                pass
    return n


def cpus_allowed(pid: int) -> str:
    """The `Cpus_allowed_list` of a process's main thread, e.g. '1'."""
    try:
        with open(f"/proc/{pid}/status", encoding="latin-1") as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def label(pid: int) -> str:
    """A short name for a process: its weaver replica, else `-m module [first arg]`, else comm."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"WEAVER_REPLICA="):
                    return item.split(b"=", 1)[1].decode(errors="replace")
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return str(pid)
    if "-m" in argv[:-1]:
        i = argv.index("-m")
        module = argv[i + 1].rsplit(".", 1)[-1]
        rest = [a for a in argv[i + 2 : i + 3] if not a.startswith("-")]
        return " ".join([module, *rest])
    return argv[0].rsplit("/", 1)[-1] if argv else str(pid)
