"""Where multiprocess deployments keep their state, and the status.json they publish.

Under the state dir (`weaver.internal.statedir`), a deployment of (app,
version) owns `multi/<app>/<version>/`: `status.json` (written atomically, removed at a clean
stop), `logs.jsonl` (structured entries of every replica), `manager.log` (a detached manager's
own output), `config.toml` (an inline config), `stop.json` (a stop request's grace period).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from weaver.internal.files import atomic_write
from weaver.internal.procs import pid_alive
from weaver.internal.statedir import root

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


def deployments(app: str | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(dir, status) of every deployment with a readable status.json, sorted by app, start time."""
    base = root() / "multi"
    found = []
    for path in sorted(base.glob("*/*/status.json")):
        if app is not None and path.parent.parent.name != app:
            continue
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(status, dict):
            status["alive"] = pid_alive(int(status.get("manager_pid", 0)))
            found.append((path.parent, status))
    found.sort(key=lambda d: (str(d[1].get("app")), float(d[1].get("started", 0))))
    yield from found


def log_files(app: str | None = None) -> list[Path]:
    """Every deployment's logs.jsonl (of `app` if given), live or not."""
    pattern = f"{app}/*/logs.jsonl" if app else "*/*/logs.jsonl"
    return sorted((root() / "multi").glob(pattern))
