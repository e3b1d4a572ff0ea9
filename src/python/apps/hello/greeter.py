"""Greeter: builds a greeting from its config and the Counter."""

from __future__ import annotations

import os

import msgspec

import weaver
from apps.hello.counter import Counter
from apps.hello.messages import Greeting, Hop


class EmptyName(weaver.AppError):
    """The name to greet was empty (keeps its type across remote calls)."""


class Greeter(weaver.Component):
    """Greets people."""

    @weaver.not_retriable  # it increments a counter
    async def greet(self, name: str) -> Greeting:
        """Greet `name` and say how many times they were greeted."""
        ...

    async def preview(self, name: str) -> str:
        """The greeting text without counting it (safe to retry)."""
        ...


class GreeterConfig(msgspec.Struct, kw_only=True):
    """The `[apps.hello.greeter.Greeter]` config section."""

    greeting: str = "Hello"
    punctuation: str = "!"


class GreeterImpl(weaver.Implements[Greeter], weaver.WithConfig[GreeterConfig]):
    """Greets with the configured greeting and counts greetings per name."""

    counter: weaver.Ref[Counter]

    async def init(self) -> None:
        self.logger.info("greeting with %r", self.config.greeting)

    async def greet(self, name: str) -> Greeting:
        text = await self.preview(name)
        count = await self.counter.add(name)
        here = Hop("Greeter", weaver.version(), str(os.getpid()))
        return Greeting(text, count, [here, await self.counter.hop()])

    async def preview(self, name: str) -> str:
        if not name:
            raise EmptyName("name must not be empty")
        return f"{self.config.greeting}, {name}{self.config.punctuation}"
