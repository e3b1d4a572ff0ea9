"""Where multiprocess deployments keep their state, and the status.json they publish.

Under the state dir (`weaver.internal.statedir`), a deployment of (app,
version) owns `multi/<app>/<version>/`: `status.json` (written atomically, removed at a clean
stop), `logs.jsonl` (structured entries of every replica), `manager.log` (a detached manager's
own output), `config.toml` (an inline config), `stop.json` (a stop request's grace period).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weaver.internal.files import atomic_write
from weaver.internal.procs import pid_alive
from weaver.internal.statedir import root
from weaver.runtime import status
from weaver.runtime.status import DeploymentStatus

log = logging.getLogger("weaver.multi")

_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")


def deployment_dir(app: str, version: str) -> Path:
    """`<root>/multi/<app>/<version>`; app and version must be safe path parts."""
    for what, value in (("app", app), ("version", version)):
        if not _SAFE.match(value) or value in (".", ".."):
            raise ValueError(f"{what} {value!r} cannot name a state directory (use letters, digits, . _ -)")
    return root() / "multi" / app / version


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON to `path` atomically (write a temp file, then rename)."""
    atomic_write(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


@dataclass(frozen=True)
class Deployment:
    """A deployment's directory, its last published status, and whether its manager runs."""

    dir: Path
    status: DeploymentStatus
    alive: bool


def listed(app: str | None = None) -> list[Deployment]:
    """Every deployment (of `app` if given) with a status.json, sorted by app and start time.

    An unreadable status.json is left out with a warning naming the file and the bad field.
    """
    found = []
    for path in sorted((root() / "multi").glob("*/*/status.json")):
        if app is not None and path.parent.parent.name != app:
            continue
        try:
            st = status.read(path)
        except status.StatusError as e:
            log.warning("skipping a deployment: %s", e)
            continue
        if st is not None:
            found.append(Deployment(path.parent, st, pid_alive(st.manager_pid)))
    found.sort(key=lambda d: (d.status.app, d.status.started))
    return found


def log_files(app: str | None = None) -> list[Path]:
    """Every deployment's logs.jsonl (of `app` if given), live or not."""
    pattern = f"{app}/*/logs.jsonl" if app else "*/*/logs.jsonl"
    return sorted((root() / "multi").glob(pattern))
