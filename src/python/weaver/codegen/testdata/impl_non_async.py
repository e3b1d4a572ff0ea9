import weaver


class Pinger(weaver.Component):
    async def ping(self) -> None: ...


class PingerImpl(weaver.Implements[Pinger]):
    def ping(self) -> None: ...

    def init(self) -> None: ...

# ERROR: impl_non_async.py:9: PingerImpl.ping must be 'async def' like Pinger.ping
# ERROR: impl_non_async.py:11: PingerImpl.init must be 'async def'
