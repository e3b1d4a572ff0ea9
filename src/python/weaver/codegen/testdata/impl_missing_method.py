import weaver


class Two(weaver.Component):
    async def one(self) -> int: ...
    async def two(self) -> int: ...


class TwoImpl(weaver.Implements[Two]):
    async def one(self) -> int:
        return 1

# ERROR: impl_missing_method.py:9: TwoImpl does not implement Two.two; add 'async def two(...)'
