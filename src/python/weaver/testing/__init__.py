"""Running an app inside a test, in each deployment mode, with fakes.

    @pytest.mark.parametrize("mode", weaver.testing.MODES)
    async def test_greet(mode):
        async with weaver.testing.start("apps.hello", mode=mode) as app:
            g = app.get(Greeter)
            assert (await g.greet("Ada")).count == 1

`local`: every component co-located (calls are direct awaits). `rpc`: every call goes through
the generated codec and error encoding in-process, and each retriable call runs twice, to
expose methods that should be `@weaver.not_retriable`. `multi` (in `ALL_MODES`): components in
subprocesses, 2 replicas per group, as `weaver multi deploy` runs them (see weaver.testing.multimode).
"""

from weaver.testing.generated import ensure_generated
from weaver.testing.start import ALL_MODES, MODES, TestApp, start

__all__ = ["ALL_MODES", "MODES", "TestApp", "ensure_generated", "start"]
