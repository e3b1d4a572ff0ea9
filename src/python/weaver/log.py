"""Component loggers: standard `logging`, with component and replica on every record."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any


class ComponentLogger(logging.LoggerAdapter[logging.Logger]):
    """Adds `component` and `replica` to each record and prefixes the message with them."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(self.extra or {})
        kwargs["extra"] = {**extra, **kwargs.get("extra", {})}
        return f"[{extra['component']}@{extra['replica']}] {msg}", kwargs


def component_logger(component: str, replica: str) -> ComponentLogger:
    """The logger an implementation of `component` sees as `self.logger`."""
    short = component.rsplit(".", 1)[-1]
    return ComponentLogger(logging.getLogger(f"weaver.app.{component}"), {"component": short, "replica": replica})
