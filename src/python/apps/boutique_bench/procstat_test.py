"""procstat against real child processes."""

from __future__ import annotations

import os
import subprocess
import sys

from apps.boutique_bench import procstat


def test_descendants_cpu_and_pin() -> None:
    sleeper = "import time; time.sleep(30)"
    code = f"import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', {sleeper!r}]); time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        kids: list[int] = []
        for _ in range(100):
            kids = procstat.descendants(proc.pid)
            if kids:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert len(kids) == 1
        assert set(procstat.descendants(os.getpid())) >= {proc.pid, *kids}
        cpu = procstat.cpu_seconds([proc.pid, *kids, 2**22 + 1])
        assert set(cpu) == {proc.pid, *kids}
        cpus = sorted(os.sched_getaffinity(0))
        assert procstat.pin([proc.pid], {cpus[-1]}) >= 1
        assert procstat.cpus_allowed(proc.pid) == str(cpus[-1])
    finally:
        proc.kill()
        proc.wait()
        for pid in procstat.descendants(proc.pid):
            os.kill(pid, 9)
