"""Where does component X live? The seam between the component host and deployers.

A `Placement` answers, per component, either "here" (None: the host creates it and hands out
its local stub, so calls are direct awaits) or a `Caller` that reaches its replicas
elsewhere (the host hands out the generated client stub over it). The single-process
runtime uses `LocalPlacement`; the multiprocess runtime supplies its own.
"""

from __future__ import annotations

from typing import Protocol

from weaver.internal.caller import Caller


class Placement(Protocol):
    """Decides, for each component, whether calls to it stay in this process."""

    def caller(self, component: str) -> Caller | None:
        """None if `component` is hosted in this process, else a Caller for its replicas."""
        ...


class LocalPlacement:
    """Every component is co-located in this process."""

    def caller(self, component: str) -> Caller | None:
        return None
