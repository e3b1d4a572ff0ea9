"""The generated metered stubs through the codec (`rpc` test mode) and in-process (`local`).

Counts are exact whatever the sampling; 1 in `remote_sample` / `local_sample` calls is timed,
and failures are counted by kind on both sides of a remote call.
"""

from __future__ import annotations

import asyncio

import pytest

import weaver
import weaver.testing
from apps.hello.greeter import EmptyName, Greeter
from weaver.errors import AppError, CommunicationError, DeadlineExceeded
from weaver.internal import callctx
from weaver.metrics import calls
from weaver.metrics.calls import ErrorKind
from weaver.runtime.callmetrics import error_kind

GREETER = "apps.hello.greeter.Greeter"
COUNTER = "apps.hello.counter.Counter"


def figures(caller: str, callee: str, method: str, remote: bool, side: str = "caller") -> tuple[int, int, list[int]]:
    """(calls, timed calls, errors by kind) of one slot now."""
    s = calls.call_slot(caller, callee, method, remote, side)
    return s.calls, sum(s.counts), list(s.errors)


@pytest.mark.parametrize("mode", ["rpc", "local"])
async def test_counts_are_exact_and_one_in_n_calls_is_timed(mode: str) -> None:
    remote = mode == "rpc"
    config = "[weaver.metrics]\nremote_sample = 4\nlocal_sample = 8\n"
    async with weaver.testing.start("apps.hello", mode=mode, config=config) as app:
        greeter = app.get(Greeter)
        edge = (GREETER, COUNTER, "add", remote)
        before, test_edge = figures(*edge), figures("", GREETER, "greet", remote)
        for i in range(20):
            await greeter.greet(f"n{i}")
        with pytest.raises(EmptyName):
            await greeter.greet("")
        n, timed, errors = figures(*edge)
        every = 4 if remote else 8
        assert n - before[0] == 20
        assert timed - before[1] == n // every - before[0] // every
        assert errors == before[2]
        g_calls, _, g_errors = figures("", GREETER, "greet", remote)
        assert g_calls - test_edge[0] == 21 and g_errors[ErrorKind.APP] - test_edge[2][ErrorKind.APP] in (
            (1,) if remote else (0, 1)  # a co-located failure is seen only if that call was timed
        )
        if remote:
            callee = figures("", GREETER, "greet", True, "callee")
            assert callee[0] >= 21 and callee[2][ErrorKind.APP] >= 1


def test_error_kinds() -> None:
    class Oops(AppError):
        pass

    assert error_kind(Oops()) is ErrorKind.APP
    assert error_kind(DeadlineExceeded("late")) is ErrorKind.DEADLINE
    assert error_kind(TimeoutError()) is ErrorKind.DEADLINE
    assert error_kind(CommunicationError("lost")) is ErrorKind.COMMUNICATION
    assert error_kind(weaver.RemoteCallError("KeyError", "x", "there")) is ErrorKind.REMOTE
    assert error_kind(KeyError("x")) is ErrorKind.REMOTE
    assert error_kind(asyncio.CancelledError()) is ErrorKind.COMMUNICATION  # abandoned, no deadline
    token = callctx.deadline.set(callctx.clock.get()() - 1.0)
    try:
        assert error_kind(asyncio.CancelledError()) is ErrorKind.DEADLINE
    finally:
        callctx.deadline.reset(token)


async def test_local_false_keeps_colocated_refs_plain_and_remote_ones_metered() -> None:
    config = "[weaver.metrics]\nlocal = false\n"
    async with weaver.testing.start("apps.hello", mode="local", config=config) as app:
        assert type(app.get(Greeter)).__name__ == "_Greeter_local"
    async with weaver.testing.start("apps.hello", mode="rpc", config=config) as app:
        assert type(app.get(Greeter)).__name__ == "_Greeter_client_metered"


@pytest.mark.parametrize("bad", ["local_sample = 3", "remote_sample = 0", "report_interval = 0.0", "sample = 4"])
async def test_bad_metrics_config_is_an_error_naming_the_key(bad: str) -> None:
    key = bad.split(" ")[0]
    with pytest.raises(weaver.config.ConfigError, match=rf"\[weaver(\.metrics)?\].*{key}"):
        async with weaver.testing.start("apps.hello", mode="local", config=f"[weaver.metrics]\n{bad}\n"):
            pass
