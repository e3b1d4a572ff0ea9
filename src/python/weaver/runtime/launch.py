"""How a deployer starts the app's processes: the same PEX, or `proclet_main` from source.

A `LaunchSpec` is the command line plus the environment every replica shares (app, version,
config). `describe` learns the app's components: in-process from source, by running the PEX
with `WEAVER_PROCLET=describe` otherwise.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from dataclasses import dataclass, field

import msgspec

from weaver.errors import WeaverError
from weaver.internal import envvars
from weaver.runtime.describe import AppInfo
from weaver.runtime.describe import describe as describe_here

DESCRIBE_TIMEOUT = 60.0


class LaunchError(WeaverError):
    """The app could not be described or started (names the command and its stderr)."""


@dataclass
class LaunchSpec:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    app_package: str = ""
    """Set when running from source (the manager may import the app itself)."""

    def environ(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **self.env, **extra}


def from_pex(pex: str, config_path: str | None = None) -> LaunchSpec:
    """Run the packaged app file `pex` (with the interpreter running weaver if it is not executable)."""
    path = os.path.abspath(pex)
    if not os.path.isfile(path):
        raise LaunchError(f"{pex}: no such file")
    argv = [path] if os.access(path, os.X_OK) else [sys.executable, path]
    env = {"WEAVER_CONFIG": os.path.abspath(config_path)} if config_path else {}
    return LaunchSpec(argv, env)


def from_source(app_package: str, config_path: str | None = None, version: str | None = None) -> LaunchSpec:
    """Run `python -m weaver.runtime.proclet_main <app_package>` with this process's sys.path."""
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "WEAVER_VERSION": version or os.environ.get("WEAVER_VERSION") or "dev",
    }
    if config_path:
        env["WEAVER_CONFIG"] = os.path.abspath(config_path)
    return LaunchSpec([sys.executable, "-m", "weaver.runtime.proclet_main", app_package], env, app_package)


def generated_path() -> str:
    """`pkg=dir` entries for imported `weaver_gen` modules that live outside their package dir."""
    entries = []
    for name, module in list(sys.modules.items()):
        if not name.endswith(".weaver_gen") or not getattr(module, "__file__", None):
            continue
        package = sys.modules.get(name.rsplit(".", 1)[0])
        gen_dir = os.path.dirname(str(module.__file__))
        home = os.path.dirname(str(getattr(package, "__file__", "") or ""))
        if package is not None and gen_dir != home:
            entries.append(f"{package.__name__}={gen_dir}")
    return os.pathsep.join(sorted(entries))


async def describe(spec: LaunchSpec) -> AppInfo:
    """The app's components and config, as its replicas will see them."""
    if spec.app_package:
        saved = {k: os.environ.get(k) for k in spec.env}
        os.environ.update(spec.env)
        try:
            importlib.invalidate_caches()
            info = describe_here(spec.app_package)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        gen = generated_path()  # the app's weaver_gen is imported now
        if gen:
            spec.env[envvars.GEN_PATH] = gen
        return info
    proc = await asyncio.create_subprocess_exec(
        *spec.argv,
        env=spec.environ(WEAVER_PROCLET="describe"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(DESCRIBE_TIMEOUT):
            out, err = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise LaunchError(f"{' '.join(spec.argv)}: describe took over {DESCRIBE_TIMEOUT:.0f}s") from None
    tail = err.decode(errors="replace").strip()[-2000:]
    if proc.returncode != 0:
        raise LaunchError(f"{' '.join(spec.argv)} (WEAVER_PROCLET=describe) exited {proc.returncode}: {tail}")
    try:
        return msgspec.json.decode(out.strip().splitlines()[-1], type=AppInfo)
    except (msgspec.DecodeError, IndexError) as e:
        raise LaunchError(f"{' '.join(spec.argv)}: cannot read its description ({e}); stderr: {tail}") from None
