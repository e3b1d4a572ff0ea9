"""Process entry of a proclet: `python -m weaver.runtime.proclet_main <app package>` (from source).

A packaged app reaches the same code through `weaver.app_main` when `WEAVER_PROCLET` is set:
`WEAVER_PROCLET=1` runs a proclet on the inherited pipe fd `WEAVER_PROCLET_FD`;
`WEAVER_PROCLET=describe` prints the app's description as JSON and exits.
`WEAVER_GEN_PATH` (`pkg=dir` entries joined by os.pathsep) lets a from-source child import
`weaver_gen` modules its parent generated outside the source tree.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import sys

import msgspec

from weaver.config import ConfigError
from weaver.internal import envvars
from weaver.internal.loop import new_event_loop

FD_ENV = envvars.PROCLET_FD
GEN_PATH_ENV = envvars.GEN_PATH


def apply_gen_path(value: str | None = None) -> None:
    """Append each `dir` of `pkg=dir` in `$WEAVER_GEN_PATH` to that package's `__path__`.

    Raises `ConfigError` naming a malformed entry.
    """
    value = os.environ.get(GEN_PATH_ENV, "") if value is None else value
    for entry in filter(None, value.split(os.pathsep)):
        package, sep, directory = entry.partition("=")
        if not sep:
            raise ConfigError(f"bad {GEN_PATH_ENV} entry {entry!r}: want package=directory")
        module = importlib.import_module(package)
        if directory not in module.__path__:
            module.__path__.append(directory)
    importlib.invalidate_caches()


def dispatch(app_package: str, mode: str) -> int:
    """Run the proclet mode `mode` ("1" or "describe") for `app_package`; returns exit status."""
    try:
        apply_gen_path()
    except ConfigError as e:
        print(f"weaver: {e}", file=sys.stderr)
        return 2
    if mode == "describe":
        from weaver.runtime.describe import describe

        sys.stdout.write(msgspec.json.encode(describe(app_package)).decode() + "\n")
        return 0
    if mode != "1":
        print(f"weaver: unknown WEAVER_PROCLET mode {mode!r} (want 1 or describe)", file=sys.stderr)
        return 2
    fd_text = os.environ.get(FD_ENV, "")
    if not fd_text.isdigit():
        print(f"weaver: {FD_ENV} must name the inherited pipe fd, got {fd_text!r}", file=sys.stderr)
        return 2
    from weaver import config as configmod
    from weaver.runtime.describe import app_name
    from weaver.runtime.proclet import Proclet
    from weaver.version import version

    sock = socket.socket(fileno=int(fd_text))
    try:
        app = app_name(app_package, configmod.load())
    except configmod.ConfigError as e:
        print(f"weaver: {e}", file=sys.stderr)
        return 2
    replica = f"{os.environ.get('WEAVER_REPLICA', 'r')}:{os.getpid()}"
    proclet = Proclet(app_package, sock, app, version(), replica)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(proclet.run())


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m weaver.runtime.proclet_main <app package>")
    sys.exit(dispatch(args[0], os.environ.get("WEAVER_PROCLET", "1")))


if __name__ == "__main__":
    main()
