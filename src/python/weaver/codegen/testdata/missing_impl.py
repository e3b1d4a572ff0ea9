import weaver


class Lonely(weaver.Component):
    async def ping(self) -> None: ...

# ERROR: missing_impl.py:4: no implementation of weaver.codegen.testdata.missing_impl.Lonely: add 'class LonelyImpl(weaver.Implements[Lonely])'
# ruff: noqa: E501
