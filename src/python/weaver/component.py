"""The programming model: interfaces, implementations, references and method markers.

An interface subclasses `Component` and declares `async def` methods with `...` bodies. An
implementation subclasses `Implements[Iface]` (and optionally `WithConfig[C]`), declares its
dependencies as `Ref[Other]` fields and its listeners as `Listener` fields; the runtime fills
them before `init()` runs. The code generator reads all of this from source with `ast`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import msgspec

from weaver.log import component_logger

T = TypeVar("T")
C = TypeVar("C", bound=msgspec.Struct)
F = TypeVar("F", bound=Callable[..., Any])


class Component:
    """Base of component interfaces. Subclass it and declare `async def` methods."""


class Main(Component):
    """The interface of the app's root component; the runtime calls `main` once."""

    async def main(self) -> None:
        """Runs until the app stops (it is cancelled on shutdown)."""
        ...


class _RefMarker:
    """Marks a `Ref[T]` annotation so runtimes can find it by introspection too."""


if TYPE_CHECKING:
    Ref = Annotated[T, _RefMarker]
else:

    class Ref:
        """`Ref[Iface]`: a field the runtime fills with a local object or a remote stub."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[item, _RefMarker]


class Implements(Generic[T]):
    """Base of implementations: `class GreeterImpl(weaver.Implements[Greeter])`.

    Gives `self.logger`, tagged with the component's name and replica. Implementations are
    built by the runtime with no arguments; put set-up code in `async def init(self)`.
    """

    _weaver_name: str = ""
    _weaver_logger: logging.LoggerAdapter[logging.Logger] | None = None

    @property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        """A logger whose records carry the component's name and replica id."""
        if self._weaver_logger is None:
            self._weaver_logger = component_logger(self._weaver_name or type(self).__name__, "-")
        return self._weaver_logger


class WithConfig(Generic[C]):
    """Mixin giving `self.config`, decoded from the component's `[<full name>]` TOML section."""

    _weaver_config: Any = None
    _weaver_config_type: type[msgspec.Struct] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if getattr(base, "__origin__", None) is WithConfig:
                cls._weaver_config_type = base.__args__[0]

    @property
    def config(self) -> C:
        """The validated config (defaults when the section is absent)."""
        if self._weaver_config is None:
            if self._weaver_config_type is None:
                raise TypeError(f"{type(self).__name__} has no WithConfig[...] type argument")
            self._weaver_config = self._weaver_config_type()
        value: C = self._weaver_config
        return value


def not_retriable(method: F) -> F:
    """Mark an interface method as executed at most once per call (never retried)."""
    method.__weaver_not_retriable__ = True  # type: ignore[attr-defined]
    return method


def routed(*, by: str) -> Callable[[F], F]:
    """Route calls with the same value of argument `by` (str, int or bytes) to one replica."""

    def mark(method: F) -> F:
        method.__weaver_routed_by__ = by  # type: ignore[attr-defined]
        return method

    return mark
