"""How to run the `weaver` command again from this process: the PEX we run in, or `python -m weaver`.

Long-lived children (the rollout proxy, detached deployment managers) run the same code as
their parent: `python <the PEX> ...` when inside a PEX (PEX sets `$PEX`), else `python -m weaver`.
"""

from __future__ import annotations

import os
import sys


def weaver_command() -> list[str]:
    """argv prefix that runs the `weaver` CLI with this interpreter and code."""
    pex = os.environ.get("PEX")
    if pex and os.path.isfile(pex):
        return [sys.executable, pex]
    return [sys.executable, "-m", "weaver"]


def child_env() -> dict[str, str]:
    """The environment for children: ours, with this process's sys.path when run from source."""
    env = dict(os.environ)
    if not os.environ.get("PEX"):
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p or ".") for p in sys.path)
    return env
