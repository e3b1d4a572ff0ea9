"""The soak's 60-second version: the split shop under steady load grows within the bounds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from apps.boutique_bench.__main__ import split_unavailable
from apps.boutique_bench.soak import BOUNDS, SoakReport, analyse, slope_per_min

TIMEOUT_S = 240.0


def test_slope_per_minute() -> None:
    assert slope_per_min([(0, 1.0), (30, 2.0), (60, 3.0)]) == 2.0
    assert slope_per_min([(0, 5.0)]) == 0.0


def test_analyse_names_what_grew() -> None:
    from apps.boutique_bench.soak import ProcSample, Sample

    samples = [
        Sample(t, {"cart": ProcSample(rss_kib=100_000 + int(t) * 500, fds=20 + int(t) // 10, threads=3)}, 1000, 3)
        for t in (0.0, 30.0, 60.0, 90.0)
    ]
    report = SoakReport(1.5, 10.0, requests=100, samples=samples)
    analyse(report, 1, BOUNDS)
    assert report.violations == ["cart: RSS grows 29.30 MiB/min > 4.0", "cart: open fds 23 -> 29 (bound +2)"]


def test_one_minute_soak_keeps_its_bounds(tmp_path: Path) -> None:
    why = split_unavailable()
    assert not why, why  # the split shop runs from source on every machine with the repo
    out = tmp_path / "soak.json"
    cmd = [sys.executable, "-m", "apps.boutique_bench.soak", "--minutes", "1", "--rate", "10", "--every", "10",
           "--warmup", "2", "--check", "--json", str(out)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    print(proc.stdout[-4000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["requests"] > 300 and data["errors"] == 0 and data["violations"] == []
    assert len(data["samples"]) >= 6 and len(data["growth"]) == 12  # the manager and 11 proclets
