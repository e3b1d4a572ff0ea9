"""What the generator learns about an app: interfaces, methods, implementations."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from weaver.codegen.sources import Module
from weaver.internal.registry import MAIN


@dataclass
class Param:
    """One method parameter (after `self`)."""

    name: str
    annotation: ast.expr
    default: ast.expr | None
    kwonly: bool


@dataclass
class Method:
    """One interface method."""

    name: str
    line: int
    params: list[Param]
    returns: ast.expr
    retriable: bool = True
    routed_by: str | None = None


@dataclass
class Interface:
    """A component interface (or the built-in `weaver.Main`, with `module` None)."""

    name: str
    """Full name: `<module>.<ClassName>`."""
    short: str
    module: Module | None
    node: ast.ClassDef | None
    methods: list[Method]
    fingerprint: str

    @property
    def where(self) -> str:
        return f"{self.module.path}:{self.node.lineno}" if self.module and self.node else "weaver"


@dataclass
class Impl:
    """A component implementation."""

    iface: str
    module: Module
    node: ast.ClassDef
    ref_fields: dict[str, str] = field(default_factory=dict)
    listeners: list[str] = field(default_factory=list)
    config: ast.expr | None = None

    @property
    def where(self) -> str:
        return f"{self.module.path}:{self.node.lineno}"


@dataclass
class App:
    """Everything found in the given files, plus the implementations they depend on."""

    interfaces: dict[str, Interface] = field(default_factory=dict)
    impls: dict[str, Impl] = field(default_factory=dict)
    """By interface full name."""
    local_modules: list[Module] = field(default_factory=list)
    """The modules given on the command line."""


def main_interface() -> Interface:
    """The built-in `weaver.Main` interface."""
    returns = ast.Constant(value=None)
    return Interface(MAIN, "Main", None, None, [Method("main", 0, [], returns, retriable=False)], "builtin")
