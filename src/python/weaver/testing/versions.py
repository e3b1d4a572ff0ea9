"""Two builds of an app side by side on one shared datastore: can each read what the other wrote?

During a rollout the old and the new version serve at once, share the app's persistent state, and
a user re-pinned from one to the other must find their data. Versions never call each other, so
this is the one contract between builds that weaver cannot check by itself. Test it like this:

    with versions.side_by_side([old_pex, new_pex], "boutique", tmp_path) as (old, new):
        problems = versions.crossing(old, new, write=add_to_cart, read=view_cart)
    assert problems == [], "\\n".join(map(str, problems))

`side_by_side` starts each PEX under the multiprocess deployer (`weaver multi deploy --detach`,
private listeners, in its own state dir) and stops them all at the end. `crossing` runs your
`write` on one build and your `read` on the other for a fresh key, in both orders, and reports
each read that failed: which build wrote, which could not read, and what it said.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from weaver.internal import envvars
from weaver.internal.pexinfo import pex_sha256
from weaver.internal.selfcmd import child_env, weaver_command
from weaver.runtime import status

START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Running:
    """One build, serving: its version ID and its listeners' addresses (name -> host:port)."""

    version: str
    listeners: dict[str, str]

    def url(self, listener: str) -> str:
        return f"http://{self.listeners[listener]}"


@dataclass(frozen=True)
class Mismatch:
    """A read on one build of what the other build wrote that failed."""

    key: str
    writer: str
    reader: str
    problem: str

    def __str__(self) -> str:
        return (
            f"version {self.reader[:12]} could not read key {self.key!r} written by version "
            f"{self.writer[:12]}: {self.problem}"
        )


def _weaver(args: list[str], state_dir: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**child_env(), envvars.STATE_DIR: str(state_dir)}
    return subprocess.run(
        [*weaver_command(), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd="/", check=False
    )


@contextlib.contextmanager
def side_by_side(pexes: Sequence[Path], app: str, state_dir: Path) -> Iterator[list[Running]]:
    """Start every PEX (all of app `app`) at once; yield them serving; stop them all."""
    started: list[str] = []
    try:
        out = []
        for pex in pexes:
            version = pex_sha256(str(pex))
            done = _weaver(["multi", "deploy", str(pex), "--private-listeners", "--detach"], state_dir, START_TIMEOUT_S)
            started.append(version)
            if done.returncode != 0:
                raise RuntimeError(f"{pex}: weaver multi deploy failed: {(done.stderr or done.stdout)[-2000:]}")
            st = status.read(state_dir / "multi" / app / version / "status.json")
            if st is None:
                raise RuntimeError(f"{pex}: deployed, but no status.json for app {app!r} (is the app name right?)")
            out.append(Running(version, dict(st.listeners)))
        yield out
    finally:
        for version in started:
            _weaver(["multi", "stop", app, "--version", version, "--grace", "1"], state_dir, 60.0)


def crossing(
    a: Running,
    b: Running,
    write: Callable[[Running, str], None],
    read: Callable[[Running, str], str | None],
) -> list[Mismatch]:
    """`write(build, key)` on one build, `read(build, key)` on the other, both orders; `read`
    returns None when it found what was written, else what went wrong."""
    problems = []
    for writer, reader in ((a, b), (b, a)):
        key = f"crossing-{uuid.uuid4().hex[:12]}-{os.getpid()}"
        write(writer, key)
        problem = read(reader, key)
        if problem is not None:
            problems.append(Mismatch(key, writer.version, reader.version, problem))
    return problems
