"""Order confirmation emails: rendered from a packaged template and logged, never sent."""

from __future__ import annotations

import logging

import jinja2

from apps.boutique.model import OrderResult

log = logging.getLogger("boutique.email")

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("apps.boutique.logic", "templates"),
    autoescape=True,
    enable_async=False,
)


def render_confirmation(order: OrderResult) -> str:
    """The confirmation email's HTML."""
    return _ENV.get_template("confirmation.html").render(order=order)


class EmailLogic:
    """SendOrderConfirmation: renders the email and logs that it would have been sent."""

    async def send_order_confirmation(self, email: str, order: OrderResult) -> None:
        body = render_confirmation(order)
        log.info("order confirmation for %s to %s (%d bytes)", order.order_id, email, len(body))
