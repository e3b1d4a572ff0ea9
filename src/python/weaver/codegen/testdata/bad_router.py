import weaver


class Routed(weaver.Component):
    @weaver.routed(by="user")
    async def unknown(self, user_id: str) -> None: ...

    @weaver.routed(by="score")
    async def wrong_type(self, score: float) -> None: ...

    @weaver.routed("user_id")
    async def positional(self, user_id: str) -> None: ...


class RoutedImpl(weaver.Implements[Routed]):
    async def unknown(self, user_id: str) -> None: ...
    async def wrong_type(self, score: float) -> None: ...
    async def positional(self, user_id: str) -> None: ...

# ERROR: bad_router.py:5: method Routed.unknown: routed by unknown argument 'user' (arguments: user_id)
# ERROR: bad_router.py:8: method Routed.wrong_type: routing argument 'score' has type float; a router key must be str, int or bytes
# ERROR: bad_router.py:11: method Routed.positional: write @weaver.routed(by="<argument name>")
# ruff: noqa: E501
