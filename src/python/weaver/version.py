"""The app version this process runs: set by packaging in `WEAVER_VERSION`, else "dev"."""

from __future__ import annotations

import os


def version() -> str:
    """The version ID (the PEX's sha256 when packaged), or "dev" when run from source."""
    return os.environ.get("WEAVER_VERSION") or "dev"
