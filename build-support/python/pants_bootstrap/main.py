"""First-run set-up for ./pants: a private Pants venv, the pex CLI, and `.pants.rc`.

Run by the launcher only when its cache or `.pants.rc` is missing or stale; safe when two
runs start at once (an exclusive lock on the cache entry). Usage:
    python3 build-support/python/pants_bootstrap/main.py BUILDROOT CACHE_DIR
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by the launcher
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pants_bootstrap import machine, rcfile  # noqa: E402
from pants_bootstrap.interpreter import NoInterpreterError, find_python  # noqa: E402
from pants_bootstrap.pins import PANTS_VERSION, PEX_VERSION  # noqa: E402

READY = "ready"
NETWORK_HINT = (
    "The first run downloads pantsbuild.pants=={pants} and pex=={pex} (and their dependencies) "
    "from PyPI; check that this machine reaches PyPI (pip's index and proxy settings), then run ./pants again."
)


class BootstrapError(Exception):
    """Set-up failed; the message says what was needed."""


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    print(f"./pants: {what} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        hint = NETWORK_HINT.format(pants=PANTS_VERSION, pex=PEX_VERSION)
        raise BootstrapError(f"{what} failed (exit {proc.returncode}):\n{tail}\n\n{hint}")


def install_pants(python: str, venv: Path) -> None:
    """A fresh venv holding the pinned Pants (which also brings the pinned pex library)."""
    if venv.exists():
        shutil.rmtree(venv)
    _run([python, "-m", "venv", str(venv)], f"creating a Python venv for Pants with {python}")
    _run([str(venv / "bin" / "pip"), "install", "--quiet", f"pantsbuild.pants=={PANTS_VERSION}"],
         f"installing pantsbuild.pants=={PANTS_VERSION}")


def build_pex_cli(venv: Path, out: Path, quirks: machine.MachineQuirks) -> rcfile.PexCli:
    """The pex CLI Pants expects, built from PyPI instead of downloaded from GitHub."""
    env = dict(os.environ)
    cmd = [str(venv / "bin" / "pex"), f"pex=={PEX_VERSION}", "-c", "pex", "-o", str(out)]
    if quirks.isolate_pip_config:
        env["PIP_CONFIG_FILE"] = os.devnull
    if quirks.ca_bundle:
        cmd += ["--cert", quirks.ca_bundle]
    _run(cmd, f"building the pex {PEX_VERSION} CLI from PyPI", env)
    data = out.read_bytes()
    return rcfile.PexCli(path=str(out), sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def bootstrap(buildroot: Path, entry: Path) -> None:
    """Make `entry` (the versioned cache dir) ready and write `buildroot/.pants.rc`."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    with open(entry.parent / f"{entry.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second launcher waits here, then finds it ready
        venv, pex_file = entry / "venv", entry / f"pex-{PEX_VERSION}.pex"
        if not (entry / READY).exists():
            python = find_python(os.environ, Path.home())
            entry.mkdir(exist_ok=True)
            install_pants(python, venv)
            (entry / "python").write_text(python)
        quirks = machine.detect(os.environ, machine.read_pip_config(str(venv / "bin" / "python")))
        if not pex_file.exists() or not (entry / READY).exists():
            pex = build_pex_cli(venv, pex_file, quirks)
        else:
            data = pex_file.read_bytes()
            pex = rcfile.PexCli(str(pex_file), hashlib.sha256(data).hexdigest(), len(data))
        (entry / READY).write_text(PANTS_VERSION)
        rc = buildroot / ".pants.rc"
        tmp = rc.with_suffix(".rc.tmp")
        tmp.write_text(rcfile.render(quirks, pex))
        tmp.replace(rc)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        bootstrap(Path(argv[1]).resolve(), Path(argv[2]))
    except (NoInterpreterError, BootstrapError) as err:
        print(f"./pants: cannot set up Pants: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
