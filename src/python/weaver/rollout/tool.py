"""How to run the `weaver` command from here: the tool PEX we run in, or `python -m weaver`.

The controller starts long-lived processes (the proxy, the deployer's managers) with the same
code it runs: `python weaver-tool.pex ...` under Pants (PEX sets `$PEX`), else `python -m weaver`.
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
