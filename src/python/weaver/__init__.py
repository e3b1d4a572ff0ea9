"""Service Weaver for Python: write a modular monolith, let the runtime distribute it.

Everything an app author needs is importable from `weaver`:

    class Greeter(weaver.Component):
        async def greet(self, name: str) -> str: ...

    class GreeterImpl(weaver.Implements[Greeter]):
        async def greet(self, name: str) -> str:
            return f"Hello, {name}"
"""

from weaver.component import (
    Component,
    Implements,
    Main,
    Ref,
    WithConfig,
    not_retriable,
    routed,
)
from weaver.config import ConfigError
from weaver.deadline import deadline
from weaver.errors import (
    AppError,
    AppNotFoundError,
    CommunicationError,
    DeadlineExceeded,
    RemoteCallError,
    WeaverError,
)
from weaver.listener import Listener
from weaver.metadata import current_metadata, metadata
from weaver.run import run
from weaver.version import version

__all__ = [
    "AppError",
    "AppNotFoundError",
    "CommunicationError",
    "Component",
    "ConfigError",
    "DeadlineExceeded",
    "Implements",
    "Listener",
    "Main",
    "Ref",
    "RemoteCallError",
    "WeaverError",
    "WithConfig",
    "current_metadata",
    "deadline",
    "metadata",
    "not_retriable",
    "routed",
    "run",
    "version",
]
