"""Finds interfaces and implementations in parsed modules and checks them.

Every problem is collected with its file:line and a hint, so one run reports them all.
"""

from __future__ import annotations

import ast
import os

from weaver.codegen.errors import Problems
from weaver.codegen.fingerprint import fingerprint
from weaver.codegen.model import App, Impl, Interface, Method, Param, main_interface
from weaver.codegen.sources import Def, Ext, Module, ResolveError, SourceIndex
from weaver.codegen.typecheck import TypeChecker
from weaver.internal.registry import MAIN

ROUTING_TYPES = frozenset({"builtins.str", "builtins.int", "builtins.bytes"})


class Analyzer:
    """Builds an `App` from modules, reporting problems to `problems`."""

    def __init__(self, index: SourceIndex, problems: Problems) -> None:
        self.index = index
        self.problems = problems
        self.types = TypeChecker(index)
        self.app = App()
        self._scanned: set[str] = set()

    def run(self, modules: list[Module]) -> App:
        self.app.local_modules = modules
        impls: list[tuple[Module, ast.ClassDef, ast.expr]] = []
        for module in modules:
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef):
                    kind = self._classify(module, node)
                    if kind == "interface":
                        self._interface(module, node)
                    elif isinstance(kind, ast.expr):
                        impls.append((module, node, kind))
        for module, node, arg in impls:
            self._impl(module, node, arg)
        for iface in list(self.app.interfaces.values()):
            if iface.module in modules and iface.name not in self.app.impls:
                self._find_impl(iface)
        for impl in list(self.app.impls.values()):
            if impl.module in modules:
                for field_name, target in impl.ref_fields.items():
                    if target not in self.app.impls:
                        self._find_impl(self.app.interfaces[target], impl, field_name)
        return self.app

    def _classify(self, module: Module, node: ast.ClassDef) -> str | ast.expr | None:
        """ "interface", the `X` of `Implements[X]`, or None."""
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            try:
                sym = self.index.resolve(module, target)
            except ResolveError:
                continue
            if isinstance(sym, Ext) and sym.name == "weaver.Component":
                return "interface"
            if isinstance(sym, Ext) and sym.name == "weaver.Implements" and isinstance(base, ast.Subscript):
                return base.slice
        return None

    def _interface_of(self, module: Module, expr: ast.expr) -> Interface | None:
        """The interface `expr` names, parsing its module if needed; None if not one."""
        try:
            sym = self.index.resolve(module, expr)
        except ResolveError:
            return None
        if isinstance(sym, Ext):
            if sym.name == MAIN:
                return self.app.interfaces.setdefault(MAIN, main_interface())
            return None
        if not (isinstance(sym, Def) and isinstance(sym.node, ast.ClassDef)):
            return None
        name = f"{sym.module.name}.{sym.name}"
        if name not in self.app.interfaces:
            if self._classify(sym.module, sym.node) != "interface":
                return None
            self._interface(sym.module, sym.node)
        return self.app.interfaces[name]

    def _interface(self, module: Module, node: ast.ClassDef) -> None:
        name = f"{module.name}.{node.name}"
        if name in self.app.interfaces:
            return
        methods = [m for stmt in node.body if (m := self._method(module, node, stmt))]
        self.app.interfaces[name] = Interface(name, node.name, module, node, methods, fingerprint(node))

    def _method(self, module: Module, cls: ast.ClassDef, stmt: ast.stmt) -> Method | None:
        def add(message: str) -> None:
            self.problems.add(module.path, stmt, message)

        if isinstance(stmt, ast.FunctionDef):
            add(f"method {cls.name}.{stmt.name} must be declared 'async def' (component methods are coroutines)")
            return None
        if not isinstance(stmt, ast.AsyncFunctionDef):
            return None
        where = f"{cls.name}.{stmt.name}"
        if stmt.name.startswith("_"):
            add(f"method {where}: interface methods must be public (drop the leading underscore)")
            return None
        args = stmt.args
        if args.vararg or args.kwarg:
            add(f"method {where}: *args and **kwargs are not supported; name each parameter")
        positional = args.posonlyargs + args.args
        if not positional or positional[0].arg != "self":
            add(f"method {where}: the first parameter must be 'self'")
            return None
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = list(zip(positional, defaults, strict=True))[1:]
        pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
        params: list[Param] = []
        for i, (arg, default) in enumerate(pairs):
            kwonly = i >= len(positional) - 1
            if arg.annotation is None:
                add(f"method {where}: parameter {arg.arg!r} needs a type annotation")
                continue
            if default is not None and not _is_literal(default):
                add(f"method {where}: default of {arg.arg!r} must be a literal (number, string, None, ...)")
            reason = self.types.check(module, arg.annotation)
            if reason:
                add(f"method {where}: parameter {arg.arg!r} has a type that cannot be serialized: {reason}")
            params.append(Param(arg.arg, arg.annotation, default, kwonly))
        if stmt.returns is None:
            add(f"method {where} needs a return annotation ('-> None' if it returns nothing)")
            returns: ast.expr = ast.Constant(value=None)
        else:
            returns = stmt.returns
            reason = self.types.check(module, returns)
            if reason:
                add(f"method {where}: the result type cannot be serialized: {reason}")
        method = Method(stmt.name, stmt.lineno, params, returns)
        for deco in stmt.decorator_list:
            self._decorator(module, where, method, deco)
        return method

    def _decorator(self, module: Module, where: str, method: Method, deco: ast.expr) -> None:
        target = deco.func if isinstance(deco, ast.Call) else deco
        try:
            sym = self.index.resolve(module, target)
        except ResolveError as e:
            self.problems.add(module.path, deco, f"method {where}: decorator: {e}")
            return
        name = sym.name if isinstance(sym, Ext) else ""
        if name == "weaver.not_retriable" and not isinstance(deco, ast.Call):
            method.retriable = False
        elif name == "weaver.routed" and isinstance(deco, ast.Call):
            by = [k.value for k in deco.keywords if k.arg == "by"]
            if len(by) != 1 or deco.args or not isinstance(by[0], ast.Constant) or not isinstance(by[0].value, str):
                self.problems.add(module.path, deco, f'method {where}: write @weaver.routed(by="<argument name>")')
                return
            method.routed_by = by[0].value
            self._check_router(module, where, method, deco)
        else:
            self.problems.add(
                module.path,
                deco,
                f"method {where}: unsupported decorator @{ast.unparse(deco)} "
                "(interface methods take only @weaver.not_retriable and @weaver.routed)",
            )

    def _check_router(self, module: Module, where: str, method: Method, deco: ast.expr) -> None:
        param = next((p for p in method.params if p.name == method.routed_by), None)
        if param is None:
            names = ", ".join(p.name for p in method.params) or "none"
            self.problems.add(
                module.path,
                deco,
                f"method {where}: routed by unknown argument {method.routed_by!r} (arguments: {names})",
            )
            return
        try:
            annotation = param.annotation
            sym = self.index.resolve(module, annotation) if isinstance(annotation, ast.Name | ast.Attribute) else None
        except ResolveError:
            sym = None
        if not (isinstance(sym, Ext) and sym.name in ROUTING_TYPES):
            self.problems.add(
                module.path,
                deco,
                f"method {where}: routing argument {param.name!r} has type "
                f"{ast.unparse(param.annotation)}; a router key must be str, int or bytes",
            )

    def _impl(self, module: Module, node: ast.ClassDef, arg: ast.expr) -> None:
        iface = self._interface_of(module, arg)
        if iface is None:
            self.problems.add(
                module.path,
                node,
                f"{node.name} implements {ast.unparse(arg)}, which is not a "
                "component interface (a class subclassing weaver.Component)",
            )
            return
        old = self.app.impls.get(iface.name)
        if old is not None:
            if old.node is not node:
                self.problems.add(
                    module.path,
                    node,
                    f"duplicate implementation of {iface.name}: {node.name} "
                    f"and {old.node.name} ({old.where}); keep exactly one",
                )
            return
        impl = Impl(iface.name, module, node)
        self.app.impls[iface.name] = impl
        for base in node.bases:
            if isinstance(base, ast.Subscript) and self._is(module, base.value, "weaver.WithConfig"):
                impl.config = base.slice
                reason = self.types.check(module, base.slice)
                if reason:
                    self.problems.add(module.path, base, f"{node.name}: config type cannot be decoded: {reason}")
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                self._field(impl, stmt.target.id, stmt.annotation, stmt)
        self._check_methods(impl, iface)

    def _field(self, impl: Impl, name: str, annotation: ast.expr, stmt: ast.stmt) -> None:
        module = impl.module
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = ast.parse(annotation.value, mode="eval").body
        if isinstance(annotation, ast.Subscript) and self._is(module, annotation.value, "weaver.Ref"):
            arg = annotation.slice
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                arg = ast.parse(arg.value, mode="eval").body
            target = self._interface_of(module, arg)
            if target is None or target.name == MAIN:
                ref = f"Ref[{ast.unparse(annotation.slice)}]"
                self.problems.add(
                    module.path,
                    stmt,
                    f"field {impl.node.name}.{name}: {ref} "
                    "does not name a component interface (a class subclassing weaver.Component)",
                )
            else:
                impl.ref_fields[name] = target.name
        elif self._is(module, annotation, "weaver.Listener"):
            impl.listeners.append(name)

    def _check_methods(self, impl: Impl, iface: Interface) -> None:
        defined = {s.name: s for s in impl.node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        bases = [b.value if isinstance(b, ast.Subscript) else b for b in impl.node.bases]
        only_weaver_bases = all(self._is(impl.module, b, "weaver.Implements", "weaver.WithConfig") for b in bases)
        for method in iface.methods:
            stmt = defined.get(method.name)
            if isinstance(stmt, ast.FunctionDef):
                self.problems.add(
                    impl.module.path,
                    stmt,
                    f"{impl.node.name}.{method.name} must be 'async def' like {iface.short}.{method.name}",
                )
            elif stmt is None and only_weaver_bases:
                self.problems.add(
                    impl.module.path,
                    impl.node,
                    f"{impl.node.name} does not implement "
                    f"{iface.short}.{method.name}; add 'async def {method.name}(...)'",
                )
        for hook in ("init", "shutdown"):
            if isinstance(defined.get(hook), ast.FunctionDef):
                self.problems.add(impl.module.path, defined[hook], f"{impl.node.name}.{hook} must be 'async def'")

    def _is(self, module: Module, expr: ast.expr, *names: str) -> bool:
        try:
            sym = self.index.resolve(module, expr)
        except ResolveError:
            return False
        return isinstance(sym, Ext) and sym.name in names

    def _find_impl(self, iface: Interface, user: Impl | None = None, field_name: str = "") -> None:
        """Find `iface`'s implementation in its package's directory tree, or report it missing."""
        if iface.name == MAIN:
            return
        assert iface.module is not None and iface.node is not None
        package_dir = os.path.dirname(iface.module.path)
        for path in sorted(_py_files(package_dir)):
            if path in self._scanned:
                continue
            self._scanned.add(path)
            module = self.index.add_file(path)
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef):
                    arg = self._classify(module, node)
                    if isinstance(arg, ast.expr) and (found := self._names_interface(module, arg)):
                        self.app.impls.setdefault(found, Impl(found, module, node))
        if iface.name in self.app.impls:
            return
        if user is None:
            self.problems.add(
                iface.module.path,
                iface.node,
                f"no implementation of {iface.name}: add "
                f"'class {iface.short}Impl(weaver.Implements[{iface.short}])' in its package",
            )
        else:
            self.problems.add(
                user.module.path,
                user.node,
                f"{user.node.name}.{field_name} refers to {iface.name}, which has no implementation in its package",
            )

    def _names_interface(self, module: Module, expr: ast.expr) -> str | None:
        """The full name `expr` refers to, if it is an interface already known (no new checks)."""
        try:
            sym = self.index.resolve(module, expr)
        except ResolveError:
            return None
        if isinstance(sym, Def):
            name = f"{sym.module.name}.{sym.name}"
            return name if name in self.app.interfaces else None
        return None


def _is_literal(expr: ast.expr) -> bool:
    try:
        ast.literal_eval(expr)
    except ValueError:
        return False
    return True


def _py_files(directory: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__", "testdata")))
        out += [os.path.join(dirpath, f) for f in filenames if is_source(f)]
    return out


def is_source(filename: str) -> bool:
    """Whether a file is app source the generator reads (not tests or generated code)."""
    return (
        filename.endswith(".py")
        and filename != "weaver_gen.py"
        and filename != "conftest.py"
        and not filename.endswith("_test.py")
        and not filename.startswith("test_")
    )
