"""What a packaged app's PEX says about itself: its info module and its version ID.

The Pants plugin generates the `weaver_app_info` module into each app PEX (app name, main
package, embedded config); the version ID is the sha256 of the PEX file, as the manifest records.
"""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

from weaver.internal.files import file_sha256

INFO_MODULE = "weaver_app_info"


class PexInfoError(ValueError):
    """The file is not a PEX that `pants package` built for a weaver app."""


def pex_sha256(path: str) -> str:
    """The version ID of a PEX: the sha256 of its bytes."""
    return file_sha256(path)


def embedded_config_text(pex: Path) -> str:
    """The TOML text packaged in the PEX's info module ("" if none), read without running the PEX."""
    try:
        with zipfile.ZipFile(pex) as z:
            source = z.read(f"{INFO_MODULE}.py").decode()
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        raise PexInfoError(f"{pex}: not a weaver app PEX ({e})") from None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CONFIG_TOML" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return ""
