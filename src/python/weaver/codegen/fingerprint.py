"""Interface fingerprints: a hash of what the generated code depends on.

The generator stores each interface's fingerprint in `weaver_gen.py`; at import the generated
code recomputes it from the interface's current source and refuses to run when they differ,
so stale generated code fails loudly instead of mis-encoding calls. Docstrings, comments,
bodies and formatting do not count; names, signatures, annotations and decorators do.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap

from weaver.errors import WeaverError


class StaleCodeError(WeaverError, RuntimeError):
    """The generated code was made from a different version of an interface."""


def fingerprint(cls: ast.ClassDef) -> str:
    """The fingerprint of interface class `cls`."""
    lines = [f"class {cls.name}({', '.join(ast.unparse(b) for b in cls.bases)})"]
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            kind = "async def" if isinstance(stmt, ast.AsyncFunctionDef) else "def"
            returns = ast.unparse(stmt.returns) if stmt.returns else ""
            decorators = "".join(f"@{ast.unparse(d)} " for d in stmt.decorator_list)
            lines.append(f"{decorators}{kind} {stmt.name}({ast.unparse(stmt.args)}) -> {returns}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def fingerprint_source(source: str, name: str) -> str:
    """The fingerprint of class `name` in `source` (the class's own source is enough)."""
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return fingerprint(node)
    raise ValueError(f"class {name} not found in the given source")


def check(iface: type, expected: str, regenerate: str) -> None:
    """Raise `StaleCodeError` if `iface` changed since its code was generated.

    Skipped when the source is unavailable (e.g. a bytecode-only deployment).
    """
    try:
        source = inspect.getsource(iface)
    except (OSError, TypeError):
        return
    actual = fingerprint_source(source, iface.__name__)
    if actual != expected:
        raise StaleCodeError(
            f"generated code for {iface.__module__}.{iface.__qualname__} is stale: the interface "
            f"changed since weaver_gen.py was generated (fingerprint {expected}, now {actual}). "
            f"Regenerate it: {regenerate}"
        )
