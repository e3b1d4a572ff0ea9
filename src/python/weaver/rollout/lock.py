"""One live controller per app: an exclusive `fcntl.flock` on `rollout/<app>/lock`.

The kernel drops the lock when the controller's process dies (however it dies), so a stale
lock never blocks `resume`. The file holds the holder's pid, to say who has it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from weaver.rollout.paths import RolloutError


class ControllerLock:
    """Held for the life of a controller; `with ControllerLock(path, app):`."""

    def __init__(self, path: Path, app: str) -> None:
        self.path = path
        self.app = app
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise RolloutError naming the pid that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RolloutError(
                f"a rollout of {self.app} is already running (controller pid {holder(self.path) or '?'}, "
                f"lock {self.path}); wait for it, or stop it and use `weaver rollout resume|abort {self.app}`"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> ControllerLock:
        self.acquire()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def holder(path: Path) -> int | None:
    """The pid of the live controller holding the lock, None if nobody holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 32).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
