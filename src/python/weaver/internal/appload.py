"""Loading an app: importing its generated `weaver_gen` module, which registers its components."""

from __future__ import annotations

import importlib

from weaver.errors import AppNotFoundError


def load_app(app_package: str) -> None:
    """Import `<app_package>.weaver_gen`; AppNotFoundError (saying how to generate it) if absent."""
    try:
        importlib.import_module(f"{app_package}.weaver_gen")
    except ModuleNotFoundError as e:
        if e.name != f"{app_package}.weaver_gen":
            raise
        raise AppNotFoundError(
            f"{app_package}.weaver_gen not found: generate it with "
            f"`python -m weaver generate --root <source root> <{app_package} dir>/*.py`"
        ) from None
