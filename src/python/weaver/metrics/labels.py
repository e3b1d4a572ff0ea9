"""Label types for `*Map` metrics: frozen dataclasses or frozen msgspec Structs of str fields.

Checked once at declaration, so a call only checks the value's type.
"""

from __future__ import annotations

import dataclasses
import re
import typing

import msgspec

_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
RESERVED = frozenset({"le", "quantile"})


def check_name(name: str) -> None:
    """Raises ValueError unless `name` is a valid Prometheus metric name."""
    if not _NAME.match(name):
        raise ValueError(f"metric name {name!r} must match [a-zA-Z_:][a-zA-Z0-9_:]*")


def label_names(cls: type, *, metric: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The field names of label type `cls`, checked; ValueError/TypeError names the problem."""
    where = f"metric {metric!r}: label type {getattr(cls, '__name__', cls)!r}"
    if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
        if not cls.__struct_config__.frozen:
            raise TypeError(f"{where} must be frozen (msgspec.Struct, frozen=True)")
        names = tuple(cls.__struct_fields__)
    elif dataclasses.is_dataclass(cls) and isinstance(cls, type):
        if not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
            raise TypeError(f"{where} must be frozen (@dataclass(frozen=True))")
        names = tuple(f.name for f in dataclasses.fields(cls))
    else:
        raise TypeError(f"{where} must be a frozen dataclass or frozen msgspec.Struct")
    if not names:
        raise ValueError(f"{where} has no fields; use the plain metric instead of a *Map")
    hints = typing.get_type_hints(cls)
    for n in names:
        if hints.get(n) is not str:
            raise TypeError(f"{where}: field {n!r} must be annotated `str`, got {hints.get(n)!r}")
        if not _LABEL.match(n) or n.startswith("__") or n in RESERVED or n in extra:
            raise ValueError(f"{where}: field {n!r} is not allowed as a label name")
    return names


def values(obj: object, names: tuple[str, ...]) -> tuple[str, ...]:
    """The label values of `obj` in `names` order."""
    return tuple(getattr(obj, n) for n in names)
