"""Install Debian packages a test needs when they are missing (tests use the real program).

On a fresh machine the test command itself brings what its real components need: as root,
`apt-get install` (after one `apt-get update`), serialized across parallel test processes by a
lock file. Where that cannot work (not root, no apt), the test is skipped with the reason
printed, except under CI (`CI=true`), where a missing component fails the run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable

import pytest

_LOCK = "/tmp/weaver-apt.lock"
_UPDATED = "/tmp/weaver-apt.updated"


def _apt(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(
        ["apt-get", "-o", "DPkg::Lock::Timeout=600", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def _unavailable(reason: str) -> None:
    message = f"skipped: {reason}"
    print(message, file=sys.stderr)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must not skip this test)")
    pytest.skip(reason)


def ensure_programs(packages: dict[str, str]) -> None:
    """Make each program (key) available, installing its Debian package (value) if missing."""
    missing = {prog: pkg for prog, pkg in packages.items() if not _found(prog)}
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _unavailable(f"{', '.join(missing)} not installed and apt-get cannot run here (not root)")
    install(sorted(set(missing.values())))
    still = [prog for prog in missing if not _found(prog)]
    if still:
        _unavailable(f"{', '.join(still)} still missing after installing {sorted(set(missing.values()))}")


def install(packages: Iterable[str]) -> None:
    """`apt-get install -y PACKAGES` under a machine-wide lock; `apt-get update` once first."""
    names = list(packages)
    with open(_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(_UPDATED):
            result = _apt(["update"])
            if result.returncode != 0:
                _unavailable(f"apt-get update failed: {result.stderr.strip()[-500:]}")
            open(_UPDATED, "w").close()
        result = _apt(["install", "-y", "--no-install-recommends", *names])
        if result.returncode != 0:
            _unavailable(f"apt-get install {' '.join(names)} failed: {result.stderr.strip()[-500:]}")


def _found(program: str) -> bool:
    return shutil.which(program) is not None or os.path.exists(program)
