"""A Jinja2 loader that resolves `{% extends %}` and `{% include %}` once, when a template loads.

Stock Jinja2 resolves both on every render: `extends` looks the parent up and chains its root
function, each `include` looks its template up and builds a new context from a copy of the
caller's variables. A page of this shop (a child of base.html with two includes) spends
about a third of its render there, and on a core whose caches went cold between requests
(one request every 15-50 ms) this loader saves ~100 us of CPU a page. It compiles a
page as one template instead: the parent's tree with the child's blocks put in place, and each
include's body put in place of the include, in a scope of its own. Its globals are a plain
dict, which each render copies at C speed.

Only the plain forms are flattened: a constant template name; an include with context, not
`ignore missing`, of a template that does not use `loop` (an included template does not see
the includer's); a child whose top level holds only its blocks and whose blocks do not call
`super()`, of a parent that is flattened itself. Anything else is left for Jinja2 to resolve at
render time, as usual. One thing differs: an error raised in a part put in place is reported
with the page's file name (and the part's own line number). Templates load without the
environment's bytecode cache.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.visitor import NodeTransformer


class FlatteningLoader(jinja2.BaseLoader):
    """Loads templates from `inner`, compiled with their parents and includes in place."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        tree, filename, uptodate = flattened(environment, self.inner, name, ())
        code = environment.compile(tree, name, filename)
        # A plain dict of the globals, not Jinja2's ChainMap over the environment's: every
        # render copies them into its context, item by item through Python code for a ChainMap.
        # (Jinja2 asks that environment globals be set before templates load.)
        snapshot = dict(environment.make_globals(globals))
        return environment.template_class.from_code(environment, code, snapshot, uptodate)


def flattened(
    env: jinja2.Environment, loader: jinja2.BaseLoader, name: str, loading: tuple[str, ...]
) -> tuple[nodes.Template, str | None, Callable[[], bool]]:
    """The parsed template `name` with its parent and includes resolved, and its up-to-date check.

    `loading` is the chain of templates that led here; a template met again (a recursive
    include) is left to Jinja2.
    """
    source, filename, uptodate = loader.get_source(env, name)
    tree = env.parse(source, name, filename)
    checks = [uptodate] if uptodate is not None else []
    inliner = _Inliner(env, loader, (*loading, name), checks)
    tree = inliner.visit(tree)
    parent = _parent_name(tree)
    if parent is not None and parent not in loading and parent != name:
        parent_tree, _, parent_uptodate = flattened(env, loader, parent, (*loading, name))
        if not any(True for _ in parent_tree.find_all(nodes.Extends)):  # else a chain Jinja2 resolves
            checks.append(parent_uptodate)
            blocks = {b.name: b for b in tree.find_all(nodes.Block)}
            tree = _BlockReplacer(blocks).visit(parent_tree)
    return tree, filename, lambda: all(check() for check in checks)


def _parent_name(tree: nodes.Template) -> str | None:
    """The parent of a child template that can be flattened, else None."""
    extends = [n for n in tree.body if isinstance(n, nodes.Extends)]
    if len(extends) != 1 or not isinstance(extends[0].template, nodes.Const):
        return None
    for node in tree.body:
        if isinstance(node, nodes.Output) and all(
            isinstance(n, nodes.TemplateData) and not n.data.strip() for n in node.nodes
        ):
            continue
        if not isinstance(node, nodes.Extends | nodes.Block):
            return None  # top-level code Jinja2 would run before the parent renders
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "super":
            return None
    name = extends[0].template.value
    return name if isinstance(name, str) else None


_FRAME_SPECIALS = frozenset({"loop", "caller", "varargs", "kwargs"})


class _Inliner(NodeTransformer):
    """Replaces each plain `{% include %}` with the included template's body, in a scope."""

    def __init__(
        self,
        env: jinja2.Environment,
        loader: jinja2.BaseLoader,
        loading: tuple[str, ...],
        checks: list[Callable[[], bool]],
    ) -> None:
        self.env, self.loader, self.loading, self.checks = env, loader, loading, checks

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        name = node.template.value if isinstance(node.template, nodes.Const) else None
        if not isinstance(name, str) or not node.with_context or node.ignore_missing or name in self.loading:
            return node
        tree, _, uptodate = flattened(self.env, self.loader, name, self.loading)
        if any(True for _ in tree.find_all((nodes.Extends, nodes.Block))):
            return node  # its blocks would become the includer's
        if any(n.name in _FRAME_SPECIALS and n.ctx == "load" for n in tree.find_all(nodes.Name)):
            return node  # an included template does not see the includer's `loop` (or a macro's `caller`)
        self.checks.append(uptodate)
        return nodes.Scope(tree.body, lineno=node.lineno)


class _BlockReplacer(NodeTransformer):
    """Puts a child's blocks in place of the parent's blocks of the same name."""

    def __init__(self, blocks: dict[str, nodes.Block]) -> None:
        self.blocks = blocks

    def visit_Block(self, node: nodes.Block) -> nodes.Node:
        child = self.blocks.get(node.name)
        return child if child is not None else self.generic_visit(node)
