"""Jinja2 templates and the filters they use (money formatting as the original)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame

import weaver
from apps.boutique.frontend.flatten import FlatteningLoader
from apps.boutique.model import Money

_escape_str: Callable[[str], str]
try:  # MarkupSafe's C escaper, without wrapping its result in a Markup object
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - pure-Python MarkupSafe

    def _escape_str(s: str) -> str:
        return str(markupsafe.escape(s))

CURRENCY_LOGOS = {"USD": "$", "CAD": "$", "JPY": "¥", "EUR": "€", "TRY": "₺", "GBP": "£"}


def currency_logo(code: str) -> str:
    """The symbol shown for a currency code ("$" for unknown ones)."""
    return CURRENCY_LOGOS.get(code, "$")


def render_money(m: Money) -> str:
    """`<logo><units>.<cents>`, truncating nanos to cents."""
    cents = abs(m.nanos) // 10_000_000
    return f"{currency_logo(m.currency_code)}{m.units}.{cents:02d}"


def escape_output(value: object) -> str:
    """A `{{ value }}` as HTML: what `markupsafe.escape` returns, as a plain str.

    Objects with `__html__` (Markup, `|safe`) are trusted as autoescaping trusts them; anything
    else is converted with str() and its `& < > ' "` escaped.
    """
    if type(value) is str:
        return _escape_str(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_str(str(value))


class _OneYieldPerOutput(CodeGenerator):
    """Compiles each run of template text and `{{ }}` values to one `yield` of their join.

    Jinja2 yields every piece separately, and in a page that extends a base template each yield
    resumes three generator frames (page, base, block): ~170 pieces, ~500 resumptions for a
    product page. Collecting a run of pieces in a list and yielding it joined gives the same
    text. Uses Jinja2's own buffered output (what it does inside `{% set %}` blocks).
    """

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 3:
            super().visit_Output(node, frame)
            return
        buffered = frame.copy()
        buffered.buffer = self.temporary_identifier()
        self.writeline(f"{buffered.buffer} = []")
        super().visit_Output(node, buffered)
        self.writeline(f"yield ''.join({buffered.buffer})")


def make_env() -> jinja2.Environment:
    """The template environment, loading from this package's templates/.

    Templates are loaded once: `auto_reload=False` stops Jinja2 from stat()ing each template
    file (and the ones it extends or includes) on every render to check for edits.

    Every `{{ }}` output is HTML-escaped by `finalize=escape_output` rather than by
    `autoescape=True`: the same escaping, without a Python-level `markupsafe.escape` call and a
    Markup object per value (~0.4 us each, 50-90 values a page). Template text is not escaped
    either way. Caveat of this mode: a macro's output is a plain str, so `{{ macro() }}` would
    be escaped (wrap it in `|safe`); these templates use no macros.
    """
    env = jinja2.Environment(
        loader=FlatteningLoader(jinja2.PackageLoader("apps.boutique.frontend", "templates")),
        autoescape=False,
        finalize=escape_output,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.code_generator_class = _OneYieldPerOutput
    env.filters["money"] = render_money
    env.filters["currency_logo"] = currency_logo
    env.globals["version"] = weaver.version()[:12]  # the footer names the build that rendered the page
    return env


class Renderer:
    """Renders a named template to bytes (templates compiled once, on first use)."""

    def __init__(self) -> None:
        self._env = make_env()
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, name: str, **context: Any) -> bytes:
        template = self._templates.get(name)
        if template is None:
            template = self._templates[name] = self._env.get_template(name)
        return template.render(context).encode()
