"""Chaos in multi mode: faults between named components on real processes, and replica kills.

Front and Back run in their own groups, 2 replicas each; Back appends every run to a ledger
file, so the tests count how often a call really ran.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import weaver.testing
from weaver.errors import CommunicationError
from weaver.testing.chaosapp.back import Back
from weaver.testing.chaosapp.front import Front
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp

weaver.testing.ensure_generated("weaver.testing.chaosapp")
APP = "weaver.testing.chaosapp"


@asynccontextmanager
async def chaos_app(ledger: Path) -> AsyncIterator[MultiApp]:
    config = {"weaver": {"testing": {"chaosapp": {"back": {"Back": {"ledger": str(ledger)}}}}}}
    async with weaver.testing.start(APP, mode="multi", config=config, faults=True) as app:
        assert isinstance(app, MultiApp)
        yield app


def runs(ledger: Path, what: str) -> list[int]:
    """The pids of the Back replicas that logged `what`, one per run."""
    lines = ledger.read_text(encoding="utf-8").splitlines() if ledger.exists() else []
    return [int(pid) for pid, _, rest in (line.partition(" ") for line in lines) if rest == what]


async def test_faults_between_named_components_take_effect_at_once_and_heal(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    async with chaos_app(ledger) as app:
        front, back = app.get(Front), app.get(Back)
        assert (await front.work("warm")).startswith("ok ")

        # fail_after on a retriable method: it runs, the reply is lost, the retry runs it again.
        rule = app.chaos.fail_after(Back, caller=Front, times=1)
        assert (await front.work("twice")).startswith("ok ")
        assert len(runs(ledger, "work twice")) == 2 and rule.hits == 1
        assert app.chaos.forwarded(Back, "work", caller=Front) == 3  # warm, and twice

        # ...on a non-retriable one: it runs once and the caller gets a CommunicationError.
        app.chaos.fail_after(Back, caller=Front, times=1)
        assert await front.work_once("once") == "CommunicationError"
        assert len(runs(ledger, "work_once once")) == 1

        # Concurrent calls share Front's connections to Back: one lost reply fails one call only.
        app.chaos.fail_after(Back, caller=Front, times=1)
        outcomes = await asyncio.gather(*(front.work_once(f"c{i}") for i in range(10)))
        assert sorted(outcomes)[:1] == ["CommunicationError"] and sum(o.startswith("ok ") for o in outcomes) == 9
        assert all(len(runs(ledger, f"work_once c{i}")) == 1 for i in range(10))

        # fail_before scoped to (Front, Back): Front's calls never reach Back; the test's do.
        app.chaos.fail_before(Back, caller=Front)
        assert await front.work_once("blocked") == "CommunicationError"
        assert runs(ledger, "work_once blocked") == []
        assert app.chaos.forwarded(Back, "work_once", caller=Front) == 11  # "once" and c0..c9
        assert (await back.work("direct")).pid in runs(ledger, "work direct")
        app.chaos.heal(Back, caller=Front)

        # A delay beyond the caller's deadline: a deadline error, and the held call never runs.
        app.chaos.delay(Back, 30.0, caller=Front)
        assert await front.work("late", deadline=0.5) == "DeadlineExceeded"
        await eventually(lambda: app.chaos.held(Back, caller=Front) == 0, timeout=10, what="the cancel")
        assert runs(ledger, "work late") == []

        # A delay on replies: the callee ran on time, the caller still missed its deadline.
        app.chaos.delay(Back, 30.0, caller=Front, replies=True)
        assert await front.work_once("slow reply", deadline=0.5) == "DeadlineExceeded"
        assert len(runs(ledger, "work_once slow reply")) == 1

        # A fault on the test's own calls, then heal restores every route.
        app.chaos.fail_before(Back)
        with pytest.raises(CommunicationError):
            await back.work_once("from the test")
        app.chaos.heal()
        assert (await front.work_once("healed")).startswith("ok ")
        assert (await back.work_once("healed too")).pid in runs(ledger, "work_once healed too")
        assert len(runs(ledger, "work_once healed")) == 1


async def test_a_killed_replica_loses_its_state_runs_init_again_and_the_others_serve(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger"
    async with chaos_app(ledger) as app:
        back = app.get(Back)
        remembered: dict[int, int] = {}

        async def both_remember() -> bool:
            run = await back.remember("x")
            remembered[run.pid] = run.items
            return len(remembered) == 2

        await eventually(both_remember, timeout=10, what="both Back replicas to remember x")
        assert sorted(runs(ledger, "init")) == sorted(remembered)

        killed = app.kill_replica(Back, 0)
        survivor = next(pid for pid in remembered if pid != killed)
        for _ in range(20):  # retriable calls go on: one that hit the dead replica is retried
            run = await back.whoami()
            assert run.pid in (killed, survivor)
        await app.wait_recovered(Back)

        inits = runs(ledger, "init")
        assert len(inits) == 3 and killed in inits
        reborn = inits[-1]
        assert reborn not in remembered  # init ran again, in a new process
        seen: dict[int, int] = {}

        async def reborn_seen() -> bool:
            run = await back.whoami()
            seen[run.pid] = run.items
            return reborn in seen and survivor in seen

        await eventually(reborn_seen, timeout=10, what="the restarted replica to serve")
        assert seen == {reborn: 0, survivor: 1}  # the restarted replica's memory is empty


async def test_faults_need_multi_mode() -> None:
    with pytest.raises(ValueError, match="faults=True needs mode='multi'"):
        async with weaver.testing.start(APP, mode="local", faults=True):
            pass
