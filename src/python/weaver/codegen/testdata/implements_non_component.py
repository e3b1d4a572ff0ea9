import weaver


class NotAComponent:
    async def ping(self) -> None: ...


class Impl(weaver.Implements[NotAComponent]):
    async def ping(self) -> None: ...

# ERROR: implements_non_component.py:8: Impl implements NotAComponent, which is not a component interface
