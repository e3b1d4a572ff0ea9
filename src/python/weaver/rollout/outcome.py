"""What every rollout command does around the controller: its log file and its final word.

Shared by `weaver rollout` (one machine) and `weaver kube rollout` (a cluster), so both write
the same log lines and end with the same message and exit status.
"""

from __future__ import annotations

import logging
import sys

from weaver.rollout.controller import short
from weaver.rollout.paths import AppPaths
from weaver.rollout.state import RolloutState

ROLLED_BACK = 3  # the exit status of a rollout its gate rolled back


def log_to(paths: AppPaths) -> None:
    """Send the `weaver.rollout` log to the app's rollout log file (and not to the terminal)."""
    log = logging.getLogger("weaver.rollout")
    paths.dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(paths.log)
    handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def report(final: RolloutState) -> int:
    """Print how the rollout ended; the exit status: 0 done, ROLLED_BACK when rolled back."""
    live = short(final.live)
    if final.phase == "rolled_back":
        print(f"ROLLED BACK to {live}: {final.reason}", file=sys.stderr)
        return ROLLED_BACK
    listen = ", ".join(f"{k}=http://{v}" for k, v in final.listeners.items())
    print(f"{final.phase}: {live} serves {final.app} on {listen or '(no listeners)'}")
    return 0
