from typing import Any

import msgspec

import weaver


class Plain:
    x: int


class Holder(msgspec.Struct):
    plain: Plain


class Bad(weaver.Component):
    async def take(self, p: Plain) -> None: ...
    async def give(self) -> list[Holder]: ...
    async def anything(self, x: Any) -> None: ...
    async def callback(self, f: weaver.Component) -> None: ...


class BadImpl(weaver.Implements[Bad]):
    async def take(self, p: Plain) -> None: ...
    async def give(self) -> list[Holder]: ...
    async def anything(self, x: Any) -> None: ...
    async def callback(self, f: weaver.Component) -> None: ...

# ERROR: unserializable.py:17: method Bad.take: parameter 'p' has a type that cannot be serialized: Plain (
# ERROR: unserializable.py:18: method Bad.give: the result type cannot be serialized: field plain of Holder (
# ERROR: unserializable.py:19: method Bad.anything: parameter 'x' has a type that cannot be serialized: typing.Any is not allowed
# ERROR: unserializable.py:20: method Bad.callback: parameter 'f' has a type that cannot be serialized: weaver.Component (weaver.Component) is not a type msgspec can encode
# ruff: noqa: E501
