"""Checks that argument and result types are msgspec-encodable, from source alone.

Accepted: builtins scalars and containers, `None`, typing containers/unions/Optional/Literal/
Annotated, `X | Y`, datetime/uuid/decimal, enums, and app classes that are `msgspec.Struct`,
dataclasses, NamedTuples or TypedDicts whose fields are themselves accepted.
"""

from __future__ import annotations

import ast

from weaver.codegen.sources import Def, Ext, ModRef, Module, ResolveError, SourceIndex

SCALARS = frozenset(
    f"builtins.{n}"
    for n in ("int", "float", "str", "bytes", "bytearray", "bool", "list", "dict", "set", "frozenset", "tuple")
) | frozenset(
    {
        "datetime.datetime",
        "datetime.date",
        "datetime.time",
        "datetime.timedelta",
        "uuid.UUID",
        "decimal.Decimal",
        "msgspec.Raw",
    }
)
_TYPING = ("typing.", "typing_extensions.", "collections.abc.")
GENERICS = frozenset(
    [f"builtins.{n}" for n in ("list", "dict", "set", "frozenset", "tuple")]
    + [
        p + n
        for p in _TYPING
        for n in (
            "List",
            "Dict",
            "Set",
            "FrozenSet",
            "Tuple",
            "Sequence",
            "MutableSequence",
            "Mapping",
            "MutableMapping",
            "Collection",
            "Optional",
            "Union",
        )
    ]
)
LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
STRUCT_BASES = frozenset(
    {"msgspec.Struct", "typing.NamedTuple", "typing.TypedDict", "typing_extensions.TypedDict", "typing.Generic"}
)
ENUM_BASES = frozenset(f"enum.{n}" for n in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"))
DATACLASS = "dataclasses.dataclass"


class TypeChecker:
    """Checks type expressions; `check` returns why one is not encodable, or None."""

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self._done: dict[tuple[str, str], str | None] = {}

    def check(self, module: Module, expr: ast.expr) -> str | None:
        """None if `expr` (an annotation in `module`) is encodable, else the reason."""
        try:
            return self._expr(module, expr)
        except ResolveError as e:
            return str(e)

    def _expr(self, module: Module, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return None
            if isinstance(expr.value, str):
                return self._expr(module, ast.parse(expr.value, mode="eval").body)
            return f"{expr.value!r} is not a type"
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return self._expr(module, expr.left) or self._expr(module, expr.right)
        if isinstance(expr, ast.Subscript):
            return self._generic(module, expr)
        if isinstance(expr, ast.Name | ast.Attribute):
            return self._symbol(self.index.resolve(module, expr), ast.unparse(expr))
        return f"{ast.unparse(expr)!r} is not a type expression"

    def _generic(self, module: Module, expr: ast.Subscript) -> str | None:
        origin = self.index.resolve(module, _base(expr.value))
        args = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
        if isinstance(origin, Ext):
            if origin.name in LITERALS:
                return None
            if origin.name in ANNOTATED:
                return self._expr(module, args[0])
            if origin.name not in GENERICS:
                return f"{ast.unparse(expr.value)} ({origin.name}) is not a generic type msgspec can encode"
        else:
            reason = self._symbol(origin, ast.unparse(expr.value))
            if reason:
                return reason
        for arg in args:
            if isinstance(arg, ast.Constant) and arg.value is Ellipsis:
                continue
            reason = self._expr(module, arg)
            if reason:
                return reason
        return None

    def _symbol(self, sym: Ext | Def | ModRef, text: str) -> str | None:
        if isinstance(sym, Ext):
            if sym.name in SCALARS or sym.name == "builtins.None":
                return None
            if sym.name.startswith(_TYPING) and sym.name.rsplit(".", 1)[1] == "Any":
                return "typing.Any is not allowed: give a concrete type"
            return f"{text} ({sym.name}) is not a type msgspec can encode"
        if isinstance(sym, ModRef):
            return f"{text} is a module, not a type"
        key = (sym.module.name, sym.name)
        if key in self._done:
            return self._done[key]
        self._done[key] = None  # assume fine while checking (recursive types)
        reason = self._def(sym)
        self._done[key] = reason
        return reason

    def _def(self, sym: Def) -> str | None:
        node, module = sym.node, sym.module
        where = f"{module.path}:{node.lineno}"
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            return self._expr(module, node.value)  # a type alias
        if not isinstance(node, ast.ClassDef):
            return f"{sym.name} ({where}) is not a type"
        kinds = {self._kind(module, base) for base in node.bases}
        decorated = any(self._is_dataclass(module, d) for d in node.decorator_list)
        if "enum" in kinds:
            return None
        if "component" in kinds:
            return f"{sym.name} ({where}) is a component; pass data, or hold a weaver.Ref to it"
        if not ("struct" in kinds or decorated):
            return (
                f"{sym.name} ({where}) is not serializable: make it a msgspec.Struct, a "
                "dataclass, an enum, or use builtin types"
            )
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and not _is_classvar(stmt.annotation):
                reason = self._expr(module, stmt.annotation)
                if reason:
                    return f"field {ast.unparse(stmt.target)} of {sym.name} ({module.path}:{stmt.lineno}): {reason}"
        return None

    def _kind(self, module: Module, base: ast.expr) -> str:
        try:
            sym = self.index.resolve(module, _base(base))
        except ResolveError:
            return "unknown"
        if isinstance(sym, Ext):
            if sym.name in STRUCT_BASES:
                return "struct"
            if sym.name in ENUM_BASES:
                return "enum"
            if sym.name == "weaver.Component":
                return "component"
            return "unknown"
        if isinstance(sym, Def) and isinstance(sym.node, ast.ClassDef):
            kinds = {self._kind(sym.module, b) for b in sym.node.bases}
            for kind in ("enum", "component", "struct"):
                if kind in kinds:
                    return kind
            if any(self._is_dataclass(sym.module, d) for d in sym.node.decorator_list):
                return "struct"
        return "unknown"

    def _is_dataclass(self, module: Module, deco: ast.expr) -> bool:
        target = deco.func if isinstance(deco, ast.Call) else deco
        try:
            sym = self.index.resolve(module, target)
        except ResolveError:
            return False
        return isinstance(sym, Ext) and sym.name == DATACLASS


def _base(expr: ast.expr) -> ast.expr:
    """`Foo[int]` -> `Foo` (for generic bases)."""
    return expr.value if isinstance(expr, ast.Subscript) else expr


def _is_classvar(annotation: ast.expr) -> bool:
    text = ast.unparse(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))
