import msgspec

import weaver


class Data(msgspec.Struct):
    x: int


class Svc(weaver.Component):
    async def ping(self) -> None: ...


class SvcImpl(weaver.Implements[Svc]):
    data: weaver.Ref[Data]

    async def ping(self) -> None: ...

# ERROR: ref_non_component.py:15: field SvcImpl.data: Ref[Data] does not name a component interface
