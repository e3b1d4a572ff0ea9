"""Test support: a wrapper that records which async methods are called on a service, in order."""

from __future__ import annotations

from typing import Any


class Recorder:
    """Wraps an object and appends `name.method` to `log` for each async method called on it."""

    def __init__(self, name: str, inner: Any, log: list[str]) -> None:
        self._name, self._inner, self._log = name, inner, log

    def __getattr__(self, method: str) -> Any:
        fn = getattr(self._inner, method)

        async def call(*args: Any) -> Any:
            self._log.append(f"{self._name}.{method}")
            return await fn(*args)

        return call
