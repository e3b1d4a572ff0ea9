"""The entry point of a packaged app PEX (`./app.pex`): which app, which version, which config.

The Pants plugin generates a `weaver_app_info` module into the PEX (app name, main package,
embedded TOML config). The version ID is the sha256 of the PEX file itself, computed here once
per process and exported as `WEAVER_VERSION` so that every child process agrees with it.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

from weaver.errors import AppNotFoundError, WeaverError
from weaver.internal.pexinfo import INFO_MODULE, pex_sha256
from weaver.run import run


def app_info() -> ModuleType:
    """The generated module describing this PEX's app."""
    try:
        return importlib.import_module(INFO_MODULE)
    except ModuleNotFoundError:
        raise AppNotFoundError(
            f"no {INFO_MODULE} module: this entry point runs apps packaged by `pants package` "
            "(a `weaver_app` target); from source, use `weaver.run(\"<app package>\")`."
        ) from None


def embedded_config_path(name: str, version: str, text: str) -> str:
    """Write the embedded config to a per-version file (child processes read it by path)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "weaver" / "configs"
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"{name}-{version[:16]}.toml"
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return str(path)


def prepare_environment() -> ModuleType:
    """Export WEAVER_APP, WEAVER_VERSION and (unless given) WEAVER_CONFIG for this process tree."""
    info = app_info()
    pex = os.environ.get("PEX")
    if not os.environ.get("WEAVER_VERSION"):
        os.environ["WEAVER_VERSION"] = pex_sha256(pex) if pex else "dev"
    os.environ.setdefault("WEAVER_APP", info.APP_NAME)
    if info.CONFIG_TOML and not os.environ.get("WEAVER_CONFIG") and "--config" not in sys.argv:
        os.environ["WEAVER_CONFIG"] = embedded_config_path(
            info.APP_NAME, os.environ["WEAVER_VERSION"], info.CONFIG_TOML
        )
    return info


def main() -> None:
    """Run the packaged app in a single process (deployers run the same file in their modes).

    The command entry point: a `WeaverError` becomes a one-line message and exit status 1.
    """
    try:
        info = prepare_environment()
    except WeaverError as e:
        sys.exit(f"weaver: {e}")
    mode = os.environ.get("WEAVER_PROCLET")
    if mode == "kube":  # a weaver pod (weaver.deployers.kube.pod): the envelope, which starts the proclet
        from weaver.deployers.kube.pod import main as pod_main

        sys.exit(pod_main())
    if mode == "kube-proxy":  # the app's version-pinning proxy pod (weaver.kuberollout.proxypod)
        from weaver.kuberollout.proxypod import main as proxy_main

        sys.exit(proxy_main())
    if mode:  # started by a deployer (weaver.runtime.proclet_main)
        from weaver.runtime.proclet_main import dispatch

        sys.exit(dispatch(info.MAIN_PACKAGE, mode))
    run(info.MAIN_PACKAGE)
