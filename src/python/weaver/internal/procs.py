"""Whether a process is alive, asked the way every supervisor here must ask it."""

from __future__ import annotations

import os


def pid_alive(pid: int, *, reap: bool = False) -> bool:
    """True if `pid` runs.

    An exited child that was not waited for is a zombie and answers signal 0 as if alive: with
    `reap`, such a child of ours is reaped first and reads as dead. Callers that hold a `Popen`
    for the pid and want its exit status must not reap (its `poll()` would then report 0).
    """
    if pid <= 0:
        return False  # 0 and negatives name process groups, never one process
    if reap:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return False
        except ChildProcessError:
            pass  # not our child: only signal 0 can tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True
