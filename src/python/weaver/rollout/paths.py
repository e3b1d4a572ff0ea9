"""Where rollout files live: `<state dir>/rollout/<app>/`.

    state.json          the rollout state (state.py), written atomically
    lock                held (fcntl) by the live controller; holds its pid
    proxy.json          the app's proxy process: pid, per-listener public and admin addresses
    proxy.log           its output
    rollout.log         the controllers' log (transitions, rollback reasons)
    versions/<v>.pex    each rolled-out PEX, content-addressed by version (the deployer runs it)

The state dir is `weaver.internal.statedir.root()`, the same one the multiprocess deployer writes
`multi/<app>/<version>/status.json` under.
"""

from __future__ import annotations

import re
from pathlib import Path

from weaver.internal import statedir

APP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


class RolloutError(Exception):
    """A rollout cannot go on; the message says what and where."""


def check_app(app: str) -> str:
    """`app` if it is a safe directory name, else RolloutError."""
    if not APP_NAME.match(app):
        raise RolloutError(f"app name {app!r} must match {APP_NAME.pattern}")
    return app


class AppPaths:
    """The files of one app's rollouts."""

    def __init__(self, app: str, root: Path | None = None) -> None:
        self.app = check_app(app)
        self.state_root = root or statedir.root()
        self.dir = self.state_root / "rollout" / app

    @property
    def state(self) -> Path:
        return self.dir / "state.json"

    @property
    def lock(self) -> Path:
        return self.dir / "lock"

    @property
    def proxy(self) -> Path:
        return self.dir / "proxy.json"

    @property
    def proxy_log(self) -> Path:
        return self.dir / "proxy.log"

    @property
    def log(self) -> Path:
        return self.dir / "rollout.log"

    def pex(self, version: str) -> Path:
        return self.dir / "versions" / f"{version}.pex"

    def status(self, version: str) -> Path:
        """The multiprocess deployer's status.json of one version."""
        return self.state_root / "multi" / self.app / version / "status.json"


def all_apps(root: Path | None = None) -> list[str]:
    """Apps with rollout state."""
    base = (root or statedir.root()) / "rollout"
    return sorted(p.parent.name for p in base.glob("*/state.json")) if base.is_dir() else []
