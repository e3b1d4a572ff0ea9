"""Finds a working CPython 3.9 for Pants: override variable, PATH, then pyenv's versions."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from pants_bootstrap.pins import PANTS_VERSION, PYTHON_FOR_PANTS

OVERRIDE_VAR = "WEAVER_PANTS_PYTHON"

VersionProbe = Callable[[str], "tuple[int, int] | None"]
"""Runs an interpreter and returns its (major, minor), or None if it does not run."""


class NoInterpreterError(Exception):
    """No usable CPython 3.9 was found; the message says how to get one."""


def probe_version(executable: str) -> tuple[int, int] | None:
    """Ask the interpreter itself: shims (pyenv) may exist on PATH and still refuse to run."""
    try:
        out = subprocess.run(
            [executable, "-c", "import sys, platform; print(platform.python_implementation(),"
             " sys.version_info[0], sys.version_info[1])"],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3 or parts[0] != "CPython":
        return None
    return int(parts[1]), int(parts[2])


def _which(name: str, path: str) -> str | None:
    for folder in path.split(os.pathsep):
        candidate = Path(folder or ".") / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name))


def pyenv_candidates(env: Mapping[str, str], home: Path) -> list[str]:
    """pyenv's installed 3.9.x interpreters, newest first."""
    root = Path(env.get("PYENV_ROOT") or home / ".pyenv")
    major, minor = PYTHON_FOR_PANTS
    versions = root / "versions"
    if not versions.is_dir():
        return []
    found = [
        d for d in versions.iterdir()
        if re.fullmatch(rf"{major}\.{minor}\.\d+", d.name) and (d / "bin" / f"python{major}.{minor}").exists()
    ]
    found.sort(key=lambda d: _version_key(d.name), reverse=True)
    return [str(d / "bin" / f"python{major}.{minor}") for d in found]


def find_python(
    env: Mapping[str, str], home: Path, probe: VersionProbe = probe_version
) -> str:
    """The interpreter Pants will run on, or NoInterpreterError saying how to get one."""
    want = PYTHON_FOR_PANTS
    wanted = f"{want[0]}.{want[1]}"
    override = env.get(OVERRIDE_VAR)
    if override:
        got = probe(override)
        if got != want:
            what = "does not run" if got is None else f"is Python {got[0]}.{got[1]}"
            raise NoInterpreterError(f"{OVERRIDE_VAR}={override} {what}; Pants {PANTS_VERSION} needs CPython {wanted}.")
        return override
    candidates: list[str] = []
    on_path = _which(f"python{wanted}", env.get("PATH", ""))
    if on_path:
        candidates.append(on_path)
    candidates.extend(pyenv_candidates(env, home))
    for candidate in candidates:
        if probe(candidate) == want:
            return candidate
    tried = ", ".join(candidates) or "nothing (no python3.9 on PATH, no pyenv versions)"
    raise NoInterpreterError(
        f"Pants {PANTS_VERSION} runs only on CPython {wanted}; tried {tried}.\n"
        f"Install one (`pyenv install {wanted}`, or your OS package `python{wanted}`), "
        f"or point {OVERRIDE_VAR} at a python{wanted} executable."
    )

