"""App sources as parsed modules, and name resolution across them.

Modules are found under the source roots by their dotted names and parsed on demand. A name
resolves either to a definition in an app module (`Def`) or to an external dotted name
(`Ext`, e.g. `msgspec.Struct`, `builtins.str`). The module `weaver` is always external: its
public names are the API the generator recognises.
"""

from __future__ import annotations

import ast
import builtins
import os
from dataclasses import dataclass, field

from weaver.codegen.errors import Problem

EXTERNAL_ROOTS = frozenset({"weaver"})
BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass
class Module:
    """One parsed app module."""

    name: str
    path: str
    """The file as the user named it (used in messages)."""
    tree: ast.Module
    is_package: bool
    defs: dict[str, ast.stmt] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """Local name -> (module, attribute or None for `import module`)."""

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Ext:
    """An external dotted name (a module or an attribute of one)."""

    name: str


@dataclass(frozen=True)
class Def:
    """A module-level definition (class or assignment) in an app module."""

    module: Module
    name: str
    node: ast.stmt


@dataclass(frozen=True)
class ModRef:
    """An app module used as a value (`import apps.x.types as t`)."""

    module: Module


Symbol = Ext | Def | ModRef


class ResolveError(Exception):
    """A name cannot be resolved; the message says which and why."""


class SourceIndex:
    """Finds, parses and caches app modules under `roots`."""

    def __init__(self, roots: list[str]) -> None:
        self.roots = [os.path.normpath(r) for r in roots]
        self._modules: dict[str, Module | None] = {}

    def module_name(self, path: str) -> str:
        """The dotted module name of file `path`, from the deepest root containing it."""
        full = os.path.abspath(path)
        best: str | None = None
        for root in self.roots:
            rel = os.path.relpath(full, os.path.abspath(root))
            if not rel.startswith(".." + os.sep) and rel != ".." and (best is None or len(rel) < len(best)):
                best = rel
        if best is None or not best.endswith(".py"):
            raise ResolveError(f"{path} is not a .py file under a source root ({', '.join(self.roots)})")
        parts = best[:-3].split(os.sep)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def add_file(self, path: str) -> Module:
        """Parse `path` as an app module (the user-facing path is kept for messages)."""
        name = self.module_name(path)
        cached = self._modules.get(name)
        if cached is not None:
            return cached
        module = _parse(name, path, os.path.basename(path) == "__init__.py")
        self._modules[name] = module
        return module

    def load(self, name: str) -> Module | None:
        """The app module `name`, or None if it is external (not under any root)."""
        if name in self._modules:
            return self._modules[name]
        module: Module | None = None
        if name not in EXTERNAL_ROOTS:
            rel = name.replace(".", os.sep)
            for root in self.roots:
                for candidate, is_pkg in ((rel + ".py", False), (os.path.join(rel, "__init__.py"), True)):
                    path = os.path.join(root, candidate)
                    if os.path.isfile(path):
                        module = _parse(name, path, is_pkg)
                        break
                if module is not None:
                    break
            if module is None:  # a namespace package: a directory without __init__.py
                for root in self.roots:
                    if os.path.isdir(os.path.join(root, rel)):
                        path = os.path.join(root, rel)
                        module = Module(name, path, ast.Module(body=[], type_ignores=[]), True)
                        break
        self._modules[name] = module
        return module

    def resolve(self, module: Module, expr: ast.expr) -> Symbol:
        """What `expr` (a Name or dotted Attribute) refers to in `module`."""
        if isinstance(expr, ast.Name):
            return self.lookup(module, expr.id, set())
        if isinstance(expr, ast.Attribute):
            base = self.resolve(module, expr.value)
            if isinstance(base, Ext):
                return Ext(f"{base.name}.{expr.attr}")
            if isinstance(base, ModRef):
                return self.lookup(base.module, expr.attr, set(), as_attribute=True)
            raise ResolveError(f"cannot use attribute {expr.attr!r} of {base.name!r} here")
        raise ResolveError(f"expected a name, got {ast.unparse(expr)!r}")

    def lookup(self, module: Module, name: str, seen: set[tuple[str, str]], as_attribute: bool = False) -> Symbol:
        """Resolve `name` in `module`'s global namespace, following imports."""
        if (module.name, name) in seen:
            raise ResolveError(f"import cycle while resolving {name!r} in {module.name}")
        seen.add((module.name, name))
        if name in module.defs:
            return Def(module, name, module.defs[name])
        if name in module.imports:
            source, attr = module.imports[name]
            if attr is None:
                target = self.load(source)
                return ModRef(target) if target is not None else Ext(source)
            return self._from_import(source, attr, seen)
        if as_attribute:
            sub = self.load(f"{module.name}.{name}") if module.is_package else None
            if sub is not None:
                return ModRef(sub)
            raise ResolveError(f"module {module.name} has no name {name!r}")
        if name in BUILTIN_NAMES:
            return Ext(f"builtins.{name}")
        raise ResolveError(f"name {name!r} is not defined in {module.name}")

    def _from_import(self, source: str, attr: str, seen: set[tuple[str, str]]) -> Symbol:
        target = self.load(source)
        if target is None:
            return Ext(f"{source}.{attr}")
        return self.lookup(target, attr, seen, as_attribute=True)

    def problem(self, module: Module, node: ast.AST, message: str) -> Problem:
        return Problem(module.path, getattr(node, "lineno", 0), message)


def _parse(name: str, path: str, is_package: bool) -> Module:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise ResolveError(f"{path}:{e.lineno}: syntax error: {e.msg}") from e
    module = Module(name, path, tree, is_package)
    package = module.package
    for stmt in tree.body:
        _index(module, stmt, package)
    return module


def _index(module: Module, stmt: ast.stmt, package: str) -> None:
    if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        module.defs[stmt.name] = stmt
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                module.defs[target.id] = stmt
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        module.defs[stmt.target.id] = stmt
    elif isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                module.imports[alias.asname] = (alias.name, None)
            else:
                top = alias.name.split(".")[0]
                module.imports[top] = (top, None)
    elif isinstance(stmt, ast.ImportFrom):
        source = _absolute(stmt, package)
        for alias in stmt.names:
            if alias.name != "*":
                module.imports[alias.asname or alias.name] = (source, alias.name)
    elif isinstance(stmt, ast.If):  # `if TYPE_CHECKING:` imports and the like
        for inner in stmt.body + stmt.orelse:
            _index(module, inner, package)
    elif isinstance(stmt, ast.Try):
        for inner in stmt.body:
            _index(module, inner, package)


def _absolute(stmt: ast.ImportFrom, package: str) -> str:
    if not stmt.level:
        return stmt.module or ""
    parts = package.split(".") if package else []
    if stmt.level > 1:
        parts = parts[: len(parts) - (stmt.level - 1)]
    if stmt.module:
        parts.append(stmt.module)
    return ".".join(parts)
