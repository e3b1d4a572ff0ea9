"""The results as a markdown table (ratios to the gRPC baseline), JSON and a plot."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from apps.boutique_bench.bench import VariantResult
from apps.boutique_bench.measure import Point

BASELINE = "grpc"
TARGETS = {"split": (4.0, 3.0), "colocated": (10.0, 15.0)}
"""Issue 7: (CPU/request, median latency) improvement over gRPC at the same offered rate."""


def _ratio(base: float, x: float) -> float | None:
    return base / x if base > 0 and x > 0 else None


def _fx(r: float | None) -> str:
    return "-" if r is None else f"{r:.1f}x"


def baseline_points(results: list[VariantResult]) -> dict[float, Point]:
    base = next((r for r in results if r.name == BASELINE), None)
    return {p.offered_tasks_per_s: p for p in base.points} if base else {}


def table(results: list[VariantResult]) -> str:
    """One row per (variant, offered rate); ratios = gRPC's figure / the variant's."""
    base = baseline_points(results)
    head = (
        "| variant | offered tasks/s | achieved req/s | p50 ms | p99 ms | errors | CPU us/req (app) "
        "| CPU us/req (incl. control plane) | app cores | CPU/req ratio (app / all) "
        "| p50 ratio | p99 ratio | kept up |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.label} | {r.skipped} |" + " |" * 11)
            continue
        for p in r.points:
            b = base.get(p.offered_tasks_per_s)
            cpu = (
                "-"
                if b is None
                else (
                    f"{_fx(_ratio(b.cpu_us_per_req_app, p.cpu_us_per_req_app))} / "
                    f"{_fx(_ratio(b.cpu_us_per_req_all, p.cpu_us_per_req_all))}"
                )
            )
            p50 = "-" if b is None else _fx(_ratio(b.p50_ms, p.p50_ms))
            p99 = "-" if b is None else _fx(_ratio(b.p99_ms, p.p99_ms))
            lines.append(
                f"| {r.label} | {p.offered_tasks_per_s:g} | {p.rps:.1f} | {p.p50_ms:.2f} | {p.p99_ms:.2f} "
                f"| {p.errors} | {p.cpu_us_per_req_app:.0f} | {p.cpu_us_per_req_all:.0f} | {p.app_cores:.2f} "
                f"| {cpu} | {p50} | {p99} | {'yes' if p.kept_up else 'NO'} |"
            )
    return "\n".join(lines)


def max_rates(results: list[VariantResult]) -> str:
    lines = ["| variant | max sustained offered tasks/s (probe) | note |", "|---|---|---|"]
    for r in results:
        if not r.skipped:
            rate = "-" if r.max_rate is None else f"{r.max_rate:.0f}"
            lines.append(f"| {r.label} | {rate} | {r.max_rate_note or '-'} |")
    return "\n".join(lines)


def knees(results: list[VariantResult]) -> str:
    """The knee of every variant (wrk, closed loop), per core of app CPU, with ratios to gRPC's."""
    base = next((r.knee for r in results if r.name == BASELINE and r.knee is not None), None)
    base_per_core = base.per_core if base is not None else None
    lines = [
        "| variant | max req/s | connections | p50 ms | p99 ms | app cores | req/s per core "
        "| per-core ratio | CPU us/req | note |",
        "|" + "---|" * 10,
    ]
    for r in results:
        k = r.knee
        if r.skipped or k is None:
            continue
        b = k.best
        if b is None:
            lines.append(f"| {r.label} | - | - | - | - | - | - | - | - | {k.note} |")
            continue
        per_core = k.per_core
        ratio = _fx(_ratio(per_core, base_per_core)) if per_core and base_per_core else "-"
        lines.append(
            f"| {r.label} | {b.rps:.0f} | {b.connections} | {b.p50_ms:.2f} | {b.p99_ms:.2f} | {b.app_cores:.2f} "
            f"| {per_core or 0:.0f} | {ratio} | {b.cpu_us_per_req:.0f} | {k.note} |"
        )
    return "\n".join(lines)


def targets(results: list[VariantResult]) -> list[str]:
    """One line per target variant: met or missed at each rate (CPU counted incl. control plane)."""
    base = baseline_points(results)
    out = []
    for r in results:
        if r.name not in TARGETS or r.skipped or not base:
            continue
        want_cpu, want_p50 = TARGETS[r.name]
        parts = []
        for p in r.points:
            b = base.get(p.offered_tasks_per_s)
            if b is None:
                continue
            cpu = _ratio(b.cpu_us_per_req_all, p.cpu_us_per_req_all) or 0.0
            p50 = _ratio(b.p50_ms, p.p50_ms) or 0.0
            ok = cpu >= want_cpu and p50 >= want_p50
            parts.append(f"{p.offered_tasks_per_s:g}/s: CPU {cpu:.1f}x, p50 {p50:.1f}x {'met' if ok else 'MISSED'}")
        out.append(
            f"- {r.label} (target >= {want_cpu:g}x less CPU/req, >= {want_p50:g}x lower p50): " + "; ".join(parts)
        )
    return out


PEER = "http"
"""The other baseline weaver is compared with (issue 18: >= 5x less CPU per request than it)."""


def versus_peer(results: list[VariantResult]) -> list[str]:
    """Per weaver variant and rate: CPU per request and p50 ratios against the FastAPI baseline."""
    peer = next((r for r in results if r.name == PEER and not r.skipped), None)
    if peer is None:
        return []
    at = {p.offered_tasks_per_s: p for p in peer.points}
    out = []
    for r in results:
        if r.name not in TARGETS or r.skipped:
            continue
        parts = []
        for p in r.points:
            b = at.get(p.offered_tasks_per_s)
            if b is not None:
                cpu = _ratio(b.cpu_us_per_req_all, p.cpu_us_per_req_all) or 0.0
                p50 = _ratio(b.p50_ms, p.p50_ms) or 0.0
                parts.append(f"{p.offered_tasks_per_s:g}/s: CPU {cpu:.1f}x, p50 {p50:.1f}x")
        out.append(f"- {r.label} vs {peer.label}: " + "; ".join(parts))
    return out


def where_cpu_goes(results: list[VariantResult]) -> list[str]:
    """Per variant: idle CPU, and CPU per request by process at its highest measured rate."""
    out = []
    for r in results:
        if r.skipped or not r.points:
            continue
        p = r.points[-1]
        top = ", ".join(
            f"{name} {1e6 * cpu / p.requests:.0f}" for name, cpu in list(p.cpu_by_process.items())[:6] if p.requests
        )
        out.append(f"- {r.label}: idle {r.idle_cores:.3f} cores; at {p.offered_tasks_per_s:g}/s, us CPU/req: {top}")
    return out


def markdown(results: list[VariantResult], header: list[str]) -> str:
    parts = ["# Online Boutique: gRPC baseline vs weaver", "", *header, "", table(results), ""]
    if any(r.probe or r.max_rate_note for r in results):
        title = "Max sustainable rate (short steps x1.5 above the highest measured rate):"
        parts += [title, "", max_rates(results), ""]
    if any(r.knee is not None for r in results):
        title = (
            "The knee (wrk 4.1, closed loop, the same task mix, connections doubled until two doublings add "
            "< 5%; wrk times each HTTP request, a redirect being a request of its own; per-core ratio = the "
            "variant's req/s per core / gRPC's):"
        )
        parts += [title, "", knees(results), ""]
    t = targets(results)
    if t:
        parts += ["Targets (issue 7; CPU counted incl. control plane):", "", *t, ""]
    v = versus_peer(results)
    if v:
        parts += ["Against FastAPI+httpx (same rates; higher is better for weaver):", "", *v, ""]
    w = where_cpu_goes(results)
    if w:
        parts += ["Where the CPU goes (busiest processes):", "", *w, ""]
    notes = [f"- {r.name}: {n}" for r in results for n in [*r.notes, *(n for p in r.points for n in p.notes)]]
    if notes:
        parts += ["Notes:", "", *notes, ""]
    return "\n".join(parts)


def to_json(results: list[VariantResult], meta: dict[str, Any]) -> str:
    def point(p: Point) -> dict[str, Any]:
        d = asdict(p)
        d.update(
            cpu_us_per_req_app=round(p.cpu_us_per_req_app, 1),
            cpu_us_per_req_all=round(p.cpu_us_per_req_all, 1),
            app_cores=round(p.app_cores, 3),
        )
        return d

    data = {
        "meta": meta,
        "variants": [
            {
                **{k: v for k, v in asdict(r).items() if k not in ("points", "probe")},
                "points": [point(p) for p in r.points],
                "probe": [point(p) for p in r.probe],
                "knee_per_core": None if r.knee is None or r.knee.per_core is None else round(r.knee.per_core, 1),
            }
            for r in results
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def plot(results: list[VariantResult], path: Path) -> None:
    """p50/p99 latency and CPU per request vs offered rate, one line per variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat, cpu) = plt.subplots(1, 2, figsize=(11, 4.2))
    for r in results:
        if r.skipped or not r.points:
            continue
        rates = [p.offered_tasks_per_s for p in r.points]
        (line,) = lat.plot(rates, [p.p50_ms for p in r.points], marker="o", label=f"{r.label} p50")
        lat.plot(
            rates,
            [p.p99_ms for p in r.points],
            marker="x",
            linestyle="--",
            color=line.get_color(),
            label=f"{r.label} p99",
        )
        cpu.plot(
            rates,
            [p.cpu_us_per_req_all for p in r.points],
            marker="o",
            color=line.get_color(),
            label=f"{r.label} (incl. control plane)",
        )
        cpu.plot(
            rates,
            [p.cpu_us_per_req_app for p in r.points],
            marker=".",
            linestyle=":",
            color=line.get_color(),
            label=f"{r.label} (app)",
        )
    lat.set(xlabel="offered load (tasks/s)", ylabel="latency (ms, log)", yscale="log", title="Latency")
    cpu.set(
        xlabel="offered load (tasks/s)",
        ylabel="CPU us per request (log)",
        yscale="log",
        title="CPU per request, all app processes",
    )
    for ax in (lat, cpu):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
