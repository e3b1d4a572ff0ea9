"""`with weaver.metadata(tenant="acme"):` attaches a small string map to every call made inside.

The map travels with remote calls (the transport carries it in the request header) and is simply
visible to co-located ones; a callee reads it with `weaver.current_metadata()`. Nested blocks add
to (and may override) the outer map; leaving a block restores it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from weaver.internal import callctx


@contextmanager
def metadata(**values: str) -> Iterator[None]:
    """Add `values` to the metadata of every call made inside the block."""
    for key, value in values.items():
        if not isinstance(value, str):
            raise TypeError(f"weaver.metadata({key}=...): values must be str, not {type(value).__name__}")
    token = callctx.metadata.set({**(callctx.metadata.get() or {}), **values})
    try:
        yield
    finally:
        callctx.metadata.reset(token)


def current_metadata() -> Mapping[str, str]:
    """The metadata of the call being served (or set by enclosing `metadata` blocks); read-only."""
    return MappingProxyType(callctx.metadata.get() or {})
