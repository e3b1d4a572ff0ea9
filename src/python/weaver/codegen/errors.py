"""Errors found in app sources, each naming file:line and what to do."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from weaver.errors import WeaverError


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place in the sources."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class CodegenError(WeaverError):
    """The sources have one or more problems; `str()` lists them, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems so one run reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, node: ast.AST | int, message: str) -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", 0)
        self.items.append(Problem(path, line, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise CodegenError(self.items)
