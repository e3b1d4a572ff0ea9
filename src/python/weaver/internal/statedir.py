"""The per-user directory where weaver keeps deployment and rollout state.

`$WEAVER_STATE_DIR` if set, else `${XDG_STATE_HOME:-~/.local/state}/weaver`: the multiprocess
deployer keeps `multi/`, the rollout controller `rollout/`, the commands `tools/` under it.
"""

from __future__ import annotations

import os
from pathlib import Path

from weaver.internal import envvars


def root() -> Path:
    """The state directory (not created here)."""
    explicit = os.environ.get(envvars.STATE_DIR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "weaver"
