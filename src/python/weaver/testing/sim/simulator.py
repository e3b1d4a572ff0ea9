"""`Simulator`: runs seeded workloads against an app on a `SimLoop`, checks invariants.

A run is fixed by `(seed, n_ops)` and, when shrunk, by which ops and faults it keeps:
separate generators derived from the seed choose the ops and arguments, the scheduling of
ready callbacks, network latencies and faults. Ops are dealt round robin to `clients`
concurrent clients. Invariants run after each op completes; `final` ones after the last op,
once in-flight handlers have finished.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from weaver import config as configmod
from weaver.errors import AppError, WeaverError
from weaver.internal import callctx, registry
from weaver.internal.appload import load_app
from weaver.testing.sim.faults import Faults, Injector
from weaver.testing.sim.history import History, current_op
from weaver.testing.sim.loop import SimLoop
from weaver.testing.sim.workload import Ctx, Invariant, Op
from weaver.testing.sim.world import World

DRAIN_LIMIT = 3600.0
"""Virtual seconds the end of a run waits for in-flight handlers before final invariants."""


@dataclass(frozen=True)
class Run:
    """The outcome of one run."""

    seed: int
    n_ops: int
    keep_ops: tuple[int, ...] | None
    keep_faults: tuple[str, ...] | None
    history: str
    failure: str | None
    ops_run: int
    faults: tuple[str, ...]
    """Labels of the faults injected (`<op>.<n>`)."""
    virtual_time: float
    wall_time: float
    steps: int

    def replay_args(self) -> str:
        """The call that reproduces this run exactly."""
        extra = ""
        if self.keep_ops is not None:
            extra += f", keep_ops={list(self.keep_ops)}"
        if self.keep_faults is not None:
            extra += f", keep_faults={list(self.keep_faults)}"
        return f"run(seed={self.seed}, n_ops={self.n_ops}{extra})"


class SimulationFailure(AssertionError):
    """A seed broke an invariant; the message has the seed, history and shrunk run."""

    def __init__(self, message: str, run: Run, shrunk: Run) -> None:
        super().__init__(message)
        self.run = run
        self.shrunk = shrunk


class _Broken(Exception):
    pass


@dataclass
class Simulator:
    """Simulates `app` (its main package) under `ops`, `faults`, with `invariants`."""

    app: str
    ops: Sequence[Op]
    invariants: Sequence[Invariant] = ()
    final: Sequence[Invariant] = ()
    faults: Faults = field(default_factory=Faults)
    clients: int = 2
    config: Mapping[str, Any] | str | None = None
    setup: Any = None
    """Optional `async setup(ctx)` run before the workload (not faulted)."""

    def __post_init__(self) -> None:
        if not self.ops:
            raise ValueError(f"Simulator({self.app!r}): ops must name at least one Op")
        if self.clients < 1:
            raise ValueError(f"Simulator({self.app!r}): clients must be >= 1, got {self.clients}")
        load_app(self.app)
        self._regs = registry.for_app(self.app)
        cfg = self.config
        self._config = configmod.parse(cfg, "<simulation config>") if isinstance(cfg, str) else dict(cfg or {})

    def plan(self, seed: int, n_ops: int) -> list[tuple[Op, tuple[Any, ...]]]:
        """The ops and arguments of run `seed` (drawn before the run starts)."""
        rng = random.Random(f"{seed}:workload")
        weights = [op.weight for op in self.ops]
        return [(op, op.args(rng)) for op in rng.choices(self.ops, weights, k=n_ops)]

    def run(
        self,
        seed: int,
        n_ops: int = 50,
        keep_ops: Iterable[int] | None = None,
        keep_faults: Iterable[str] | None = None,
    ) -> Run:
        """One run; never raises for an app bug (see `Run.failure`)."""
        kept_ops = None if keep_ops is None else tuple(sorted(keep_ops))
        kept_faults = None if keep_faults is None else tuple(sorted(keep_faults))
        plan = list(enumerate(self.plan(seed, n_ops)))
        if kept_ops is not None:
            plan = [p for p in plan if p[0] in kept_ops]
        history = History()
        injector = Injector(self.faults, seed, None if kept_faults is None else frozenset(kept_faults))
        loop = SimLoop(random.Random(f"{seed}:schedule"))
        world = World(self._regs, self._config, injector, random.Random(f"{seed}:net"), history)
        ctx = Ctx(world)
        done: list[int] = []
        wall = time.perf_counter()
        failure: str | None = None
        try:
            loop.run_until_complete(self._main(world, ctx, plan, done))
        except _Broken as e:
            failure = str(e)
        except Exception as e:  # noqa: BLE001 - a crash of the app or workload is a failure too
            failure = f"{type(e).__name__}: {e}"
            history.record(loop.time(), f"run aborted: {failure}")
        finally:
            self._close(loop, world)
        return Run(seed, n_ops, kept_ops, kept_faults, history.text(), failure, len(done),
                   tuple(injector.injected), loop.time(), time.perf_counter() - wall, loop.steps)

    async def _main(self, world: World, ctx: Ctx, plan: list[tuple[int, tuple[Op, tuple[Any, ...]]]],
                    done: list[int]) -> None:
        callctx.clock.set(asyncio.get_running_loop().time)
        budget, world.injector.faults = world.injector.faults, Faults(budget=0, rate=0.0)
        await world.start()
        if self.setup is not None:
            await self.setup(ctx)
        world.injector.faults = budget
        queues = [plan[i :: self.clients] for i in range(self.clients)]
        clients = [asyncio.create_task(self._client(world, ctx, q, done)) for q in queues if q]
        try:
            await asyncio.gather(*clients)
        finally:
            for c in clients:
                c.cancel()
        current_op.set(None)
        limit = world.now() + DRAIN_LIMIT
        while world.busy() and world.now() < limit:
            await asyncio.sleep(0.01)
        world.record("workload done")
        self._check(ctx, self.invariants, "invariant")
        self._check(ctx, self.final, "final invariant")

    async def _client(self, world: World, ctx: Ctx, queue: list[tuple[int, tuple[Op, tuple[Any, ...]]]],
                      done: list[int]) -> None:
        for index, (op, args) in queue:
            current_op.set(index)
            world.record(f"start {op.name}{_args(args)}")
            try:
                result = await op.fn(ctx, *args)
            except (WeaverError, AppError) as e:
                world.record(f"failed {type(e).__name__}: {e}")
            except AssertionError as e:
                world.record(f"op check failed: {e}")
                raise _Broken(f"op {index} {op.name}{_args(args)} failed its check: {e}") from None
            else:
                world.record(f"ok {result!r}")
            done.append(index)
            self._check(ctx, self.invariants, "invariant")

    def _check(self, ctx: Ctx, checks: Sequence[Invariant], what: str) -> None:
        for check in checks:
            try:
                check(ctx)
            except AssertionError as e:
                ctx.world.record(f"{what} {check.__name__} broken: {e}")
                raise _Broken(f"{what} {check.__name__} broken: {e}") from None

    def _close(self, loop: SimLoop, world: World) -> None:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(world.host.shutdown())
        loop.close()

    def check(self, seeds: Iterable[int], n_ops: int = 50, shrink: bool = True) -> list[Run]:
        """Run each seed; raise `SimulationFailure` (seed, history, shrunk run) at the first failure.

        Pinning a failing seed as a regression test is one line: `sim.check([1234])`.
        """
        from weaver.testing.sim.shrink import shrink as shrink_run

        runs = []
        for seed in seeds:
            run = self.run(seed, n_ops)
            if run.failure is not None:
                small = shrink_run(self, run) if shrink else run
                raise SimulationFailure(report(run, small), run, small)
            runs.append(run)
        return runs


def report(run: Run, small: Run) -> str:
    """The failure report: seed, failure, full history, and the shrunk run with its history."""
    parts = [
        f"simulation of seed {run.seed} failed: {run.failure}",
        f"replay: sim.{run.replay_args()}",
        f"history ({run.ops_run} ops, faults {list(run.faults)}):",
        run.history,
    ]
    if small is not run:
        parts += [
            f"shrunk to {small.ops_run} ops and {len(small.faults)} faults: {small.failure}",
            f"replay: sim.{small.replay_args()}",
            small.history,
        ]
    return "\n".join(parts)


def _args(args: tuple[Any, ...]) -> str:
    return "(" + ", ".join(repr(a) for a in args) + ")"
