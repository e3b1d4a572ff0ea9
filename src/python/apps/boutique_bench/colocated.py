"""`python -m apps.boutique_bench.colocated --config FILE`: `python -m apps.boutique`, plus
`$WEAVER_GEN_PATH` applied so that generated code kept outside the source tree is found."""

from __future__ import annotations

import cProfile
import os
import time

import weaver
from apps.boutique_bench.profiled import profile_dir
from weaver.runtime.proclet_main import apply_gen_path


def main() -> None:
    apply_gen_path()
    out = profile_dir()
    if not out:
        weaver.run("apps.boutique")
        return
    prof = cProfile.Profile(time.process_time)  # CPU time: not time spent preempted
    prof.enable()
    try:
        weaver.run("apps.boutique")
    finally:
        prof.disable()
        os.makedirs(out, exist_ok=True)
        prof.dump_stats(os.path.join(out, f"colocated-{os.getpid()}.prof"))


if __name__ == "__main__":
    main()
