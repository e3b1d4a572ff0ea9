"""How to run the `weaver` command again from this process: the PEX we run in, or `python -m weaver`.

Long-lived children (the rollout proxy, detached deployment managers) run the same code as
their parent: `python <the PEX> ...` when inside a PEX (PEX sets `$PEX`), else `python -m weaver`.
"""

from __future__ import annotations

import os
import shutil
import sys

from weaver.internal import statedir
from weaver.internal.files import file_sha256


def weaver_command() -> list[str]:
    """argv prefix that runs the `weaver` CLI with this interpreter and code."""
    pex = os.environ.get("PEX")
    if pex and os.path.isfile(pex):
        return [sys.executable, stable_copy(pex)]
    if pex and os.path.isdir(pex):  # a packed or loose PEX directory
        return [sys.executable, pex]
    return [sys.executable, "-m", "weaver"]


def stable_copy(pex: str) -> str:
    """A copy of a PEX file under the state dir, named by content: children outlive our PEX.

    `pants run` executes tools from a temporary directory that is removed when it exits, while
    the processes started from here (a rollout's proxy, detached managers) keep running.
    """
    dest = statedir.root() / "tools" / f"weaver-{file_sha256(pex)[:16]}.pex"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(pex, tmp)
        tmp.replace(dest)
    return str(dest)


def child_env() -> dict[str, str]:
    """The environment for children: ours, with this process's sys.path when run from source."""
    env = dict(os.environ)
    if not os.environ.get("PEX"):
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p or ".") for p in sys.path)
    return env
