"""Jinja2 templates and the filters they use (money formatting as the original)."""

from __future__ import annotations

from typing import Any

import jinja2

from apps.boutique.model import Money

CURRENCY_LOGOS = {"USD": "$", "CAD": "$", "JPY": "¥", "EUR": "€", "TRY": "₺", "GBP": "£"}


def currency_logo(code: str) -> str:
    """The symbol shown for a currency code ("$" for unknown ones)."""
    return CURRENCY_LOGOS.get(code, "$")


def render_money(m: Money) -> str:
    """`<logo><units>.<cents>`, truncating nanos to cents."""
    cents = abs(m.nanos) // 10_000_000
    return f"{currency_logo(m.currency_code)}{m.units}.{cents:02d}"


def make_env() -> jinja2.Environment:
    """The template environment, loading from this package's templates/.

    Templates are loaded once: `auto_reload=False` stops Jinja2 from stat()ing each template
    file (and the ones it extends or includes) on every render to check for edits.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("apps.boutique.frontend", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["money"] = render_money
    env.globals["currency_logo"] = currency_logo
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
