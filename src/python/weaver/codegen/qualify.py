"""Rewrites annotations so generated code can evaluate them from its own module.

A name used in an interface's module becomes an attribute of that module's alias in the
generated file (`Product` -> `_m2.Product`, `t.Product` -> `_m2.t.Product`), so whatever the
interface's module imported is reachable without re-creating its imports. Builtins stay bare.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable

from weaver.codegen.sources import Ext, Module, ResolveError, SourceIndex
from weaver.codegen.typecheck import LITERALS


class Qualifier(ast.NodeTransformer):
    """Transforms one annotation of `module`; `alias(module)` names the module's import."""

    def __init__(self, index: SourceIndex, module: Module, alias: Callable[[Module], str]) -> None:
        self.index = index
        self.module = module
        self.alias = alias

    def text(self, expr: ast.expr) -> str:
        """The rewritten annotation as source text."""
        return ast.unparse(self.visit(copy.deepcopy(expr)))

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.module.defs or node.id in self.module.imports:
            base = ast.Name(id=self.alias(self.module), ctx=ast.Load())
            return ast.Attribute(value=base, attr=node.id, ctx=ast.Load())
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str):  # a forward reference: evaluate it directly
            return self.visit(ast.parse(node.value, mode="eval").body)  # type: ignore[no-any-return]
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        target = node.value
        try:
            sym = self.index.resolve(self.module, target)
        except ResolveError:
            sym = None
        node.value = self.visit(node.value)
        if not (isinstance(sym, Ext) and sym.name in LITERALS):
            node.slice = self.visit(node.slice)
        return node
