import weaver


class Sync(weaver.Component):
    def ping(self) -> None: ...


class SyncImpl(weaver.Implements[Sync]):
    def ping(self) -> None: ...

# ERROR: non_async.py:5: method Sync.ping must be declared 'async def'
