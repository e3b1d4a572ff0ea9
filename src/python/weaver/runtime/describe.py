"""What a deployer must know about an app before placing it: components, refs, listeners, config.

From source the manager imports the app itself; from a PEX it runs the PEX once with
`WEAVER_PROCLET=describe`, which prints this as JSON (the manager never imports app code
from a PEX into its own process).
"""

from __future__ import annotations

import os

import msgspec

from weaver import config as configmod
from weaver.internal import registry
from weaver.internal.appload import load_app
from weaver.version import version


class ComponentInfo(msgspec.Struct, frozen=True):
    refs: list[str]
    listeners: list[str]


class AppInfo(msgspec.Struct, kw_only=True):
    app: str
    version: str
    main_package: str
    components: dict[str, ComponentInfo]
    config_path: str = ""
    """The config file the app reads (`WEAVER_CONFIG`), "" if none."""


def app_name(app_package: str, config: configmod.ConfigDict) -> str:
    """`$WEAVER_APP`, else `[weaver] name`, else the main package's last part."""
    return os.environ.get("WEAVER_APP") or configmod.options(config).name or app_package.rsplit(".", 1)[-1]


def describe(app_package: str, config_path: str | None = None) -> AppInfo:
    """Import the app (its generated code) and describe it."""
    path = config_path or os.environ.get("WEAVER_CONFIG") or ""
    config = configmod.load(path or None)
    load_app(app_package)
    regs = registry.for_app(app_package)
    return AppInfo(
        app=app_name(app_package, config),
        version=version(),
        main_package=app_package,
        components={n: ComponentInfo(sorted(r.refs), sorted(r.listeners)) for n, r in sorted(regs.items())},
        config_path=os.path.abspath(path) if path else "",
    )
