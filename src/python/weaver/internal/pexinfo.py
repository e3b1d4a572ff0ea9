"""What a packaged app's PEX says about itself: its info module and its version ID.

The Pants plugin generates the `weaver_app_info` module into each app PEX (app name, main
package, embedded config); the version ID is the sha256 of the PEX file, as the manifest records.
"""

from __future__ import annotations

from weaver.internal.files import file_sha256

INFO_MODULE = "weaver_app_info"


def pex_sha256(path: str) -> str:
    """The version ID of a PEX: the sha256 of its bytes."""
    return file_sha256(path)
