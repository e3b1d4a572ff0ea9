"""The frontend's output escaping matches Jinja2 autoescaping (markupsafe.escape)."""

import jinja2
import markupsafe
import pytest

from apps.boutique.frontend.render import escape_output, make_env
from apps.boutique.model import Money

TRICKY = ["", "plain", "Tom's <b>\"mug\"</b> & co", "café ₺ ¥", "&amp;", 42, 1.5, None, Money("EUR", 1, 0)]


@pytest.mark.parametrize("value", TRICKY)
def test_escape_output_is_markupsafe_escape(value: object) -> None:
    out = escape_output(value)
    assert type(out) is str and out == str(markupsafe.escape(value))


def test_markup_is_not_escaped_twice() -> None:
    assert escape_output(markupsafe.Markup("<b>x</b>")) == "<b>x</b>"
    assert escape_output(markupsafe.escape("<b>")) == "&lt;b&gt;"


def test_templates_render_as_autoescaped() -> None:
    source = '<a title="{{ t }}">{{ t }}</a>{{ n }}{{ m }}{{ u }}{% for c in cs %}<i>{{ c }}</i>{% endfor %}'
    ctx = {"t": "a'b\"<c>&", "n": 7, "m": markupsafe.Markup("<br>"), "cs": ["<x>", "y"]}
    ours = make_env().from_string(source).render(ctx)
    auto = jinja2.Environment(autoescape=True).from_string(source).render(ctx)
    assert ours == auto
