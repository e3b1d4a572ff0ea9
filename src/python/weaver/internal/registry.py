"""The process-wide table of components, filled by generated code at import.

Each `weaver_gen.py` calls `register(Registration(...))` once per component it knows the
implementation of. Runtimes read the table to build the component graph; nothing else
writes to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from weaver.internal.caller import Handler


@dataclass(frozen=True)
class MethodSpec:
    """One method of a component interface as the runtime and transport see it."""

    name: str
    key: int
    """`weaver.internal.keys.method_key(component, name)`."""
    retriable: bool
    routed: str | None = None
    """Name of the argument calls are routed by, or None."""


@dataclass(frozen=True)
class Registration:
    """Everything the runtime needs to know about one component."""

    name: str
    """Full name: `<module>.<InterfaceName>`."""
    iface: type
    impl: type
    refs: tuple[str, ...]
    """Full names of the components this one holds a `Ref` to (the call graph's edges)."""
    listeners: tuple[str, ...]
    config_type: type | None
    fingerprint: str
    methods: tuple[MethodSpec, ...]
    local_stub: Callable[..., object]
    """`local_stub(impl, caller="")`: what a co-located `Ref` holds; `caller` labels its metrics."""
    client_stub: Callable[..., object]
    """`client_stub(transport: Caller, name="")`: a remote `Ref` of caller component `name`."""
    handlers: Callable[[object], dict[int, Handler]]
    ref_fields: Mapping[str, str] = field(default_factory=dict)
    """Field name on the implementation -> full name of the referenced component."""

    @property
    def routed(self) -> bool:
        """True if any method is routed (calls with the same key go to the same replica)."""
        return any(m.routed is not None for m in self.methods)


MAIN = "weaver.Main"
"""Full name of the built-in main interface, as analysed, generated and registered."""

_by_name: dict[str, Registration] = {}
_by_iface: dict[type, Registration] = {}
_mains: dict[type, Registration] = {}
"""Implementations of weaver.Main by impl class: one per app, and tests may load several apps."""


def register(reg: Registration) -> None:
    """Add `reg`; registering the same interface and implementation twice is a no-op."""
    if reg.name == MAIN:
        _mains[reg.impl] = reg
        return
    old = _by_name.get(reg.name)
    if old is not None:
        if old.iface is reg.iface and old.impl is reg.impl:
            return
        raise ValueError(f"component {reg.name} registered twice: by {_qual(old.impl)} and {_qual(reg.impl)}")
    _by_name[reg.name] = reg
    _by_iface[reg.iface] = reg


def registrations() -> Mapping[str, Registration]:
    """All registered components by full name."""
    return _by_name


def for_app(app_package: str) -> dict[str, Registration]:
    """The components of the app whose main package is `app_package`.

    Its main (the `weaver.Main` implemented under the package), the components implemented
    under the package, and everything they reach through refs.
    """
    inside = app_package + "."
    mains = [r for r in _mains.values() if r.impl.__module__.startswith(inside)]
    if len(mains) > 1:
        raise ValueError(f"{app_package} has {len(mains)} implementations of weaver.Main; keep one")
    todo = [r.name for r in _by_name.values() if r.impl.__module__.startswith(inside)]
    out: dict[str, Registration] = {MAIN: mains[0]} if mains else {}
    todo += list(mains[0].refs) if mains else []
    while todo:
        name = todo.pop()
        if name not in out:
            out[name] = get(name)
            todo += out[name].refs
    return out


def find(iface: type) -> Registration:
    """The registration of interface `iface`; a KeyError names what is missing."""
    reg = _by_iface.get(iface)
    if reg is None and iface.__module__ == "weaver.component" and iface.__name__ == "Main":
        if len(_mains) == 1:
            return next(iter(_mains.values()))
    if reg is None:
        raise KeyError(
            f"no component registered for {_qual(iface)}: is its package's weaver_gen imported "
            "and does it have an implementation?"
        )
    return reg


def get(name: str) -> Registration:
    """The registration of component `name` (full name)."""
    reg = _by_name.get(name)
    if reg is None:
        raise KeyError(f"no component named {name} is registered")
    return reg


def _qual(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


__all__ = ["MethodSpec", "Registration", "find", "get", "register", "registrations"]
