"""`python -m apps.boutique_bench.profiled MODULE ARGS...`: run MODULE under cProfile.

Used when `$BOUTIQUE_BENCH_PROFILE` names a directory (`--profile DIR`): the stats are dumped
there as `<label>-<pid>.prof` when the process exits (normally or by SystemExit).
`python -m apps.boutique_bench.profiled --summary DIR` prints the merged top functions.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import runpy
import sys
import time
from pathlib import Path

ENV = "BOUTIQUE_BENCH_PROFILE"


def profile_dir() -> str:
    """The directory profiles go to, or '' when profiling is off."""
    return os.environ.get(ENV, "")


def run_module(module: str, args: list[str]) -> None:
    """Run `module` as __main__ with `args`, profiled into `profile_dir()` (if set)."""
    sys.argv = [module, *args]
    out = profile_dir()
    if not out:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    prof = cProfile.Profile(time.process_time)  # CPU time: not time spent preempted
    prof.enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        prof.disable()
        name = os.environ.get("WEAVER_REPLICA") or module.rsplit(".", 1)[-1]
        Path(out).mkdir(parents=True, exist_ok=True)
        prof.dump_stats(os.path.join(out, f"{name}-{os.getpid()}.prof"))


def summary(directory: str, top: int = 40) -> str:
    """The merged stats of every profile in `directory`, by internal time."""
    files = sorted(str(p) for p in Path(directory).glob("*.prof"))
    if not files:
        return f"no profiles in {directory}"
    import io

    buf = io.StringIO()
    stats = pstats.Stats(files[0], stream=buf)
    for f in files[1:]:
        stats.add(f)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--summary":
        print(summary(sys.argv[2]))
        return
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m apps.boutique_bench.profiled MODULE [ARGS...] | --summary DIR")
    run_module(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    main()
