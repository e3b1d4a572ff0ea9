import weaver


class Twice(weaver.Component):
    async def ping(self) -> None: ...


class TwiceA(weaver.Implements[Twice]):
    async def ping(self) -> None: ...


class TwiceB(weaver.Implements[Twice]):
    async def ping(self) -> None: ...

# ERROR: duplicate_impl.py:12: duplicate implementation of weaver.codegen.testdata.duplicate_impl.Twice: TwiceB and TwiceA (
# ruff: noqa: E501
