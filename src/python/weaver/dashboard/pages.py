"""HTML pages of the dashboard: the overview (all deployments), a trace's waterfall, the logs.

The overview refreshes itself with a small inline script that polls `/dashboard.json` every
`POLL_MS` and rewrites the figures in place (graph labels, edge and method rows, node health):
the page keeps its scroll position and nothing flickers, and the JSON is the one programs read
anyway. When the set of deployments, nodes or edges changes, the script reloads the page, since
the graph's layout is drawn on the server. Without JavaScript a `<noscript>` meta refresh does.
"""

from __future__ import annotations

import datetime
import functools

from jinja2 import DictLoader, Environment, select_autoescape

from weaver.dashboard import fmt, svg, templates
from weaver.dashboard import rollout as rolloutmod
from weaver.dashboard.logview import LogQuery
from weaver.dashboard.model import DeploymentView, Overview, short
from weaver.dashboard.waterfall import Waterfall
from weaver.runtime.messages import LogEntry

POLL_MS = 2000
TRACES_SHOWN = 30

SCRIPT = """(() => {
const num = v => v === null ? '-' : String(Number(v.toPrecision(3)));
const ms = v => v === null ? '-' : num(v) + ' ms';
const rate = v => v === null ? '-' : v.toFixed(1) + '/s';
const ratio = v => v === null ? '-' : (100 * v).toFixed(1) + '%';
const shape = o => JSON.stringify(o.deployments.map(d =>
  [d.key, d.graph.nodes.map(n => n.name), d.graph.edges.map(e => e.caller + '>' + e.callee),
   d.components.map(c => c.methods.map(m => m.method))]));
const index = attr => { const m = new Map(); document.querySelectorAll('[' + attr + ']').forEach(
  el => m.set(el.getAttribute(attr), el)); return m; };
const setRow = (row, f) => { if (!row) return;
  const put = (cls, text) => { const c = row.querySelector('.' + cls); if (c) c.textContent = text; };
  put('calls', String(f.calls)); put('rate', rate(f.rate)); put('p50', ms(f.p50_ms));
  put('p99', ms(f.p99_ms)); put('errors', String(f.errors)); put('err', ratio(f.error_ratio)); };
let known = null;
async function poll() {
  try {
    const r = await fetch('/dashboard.json', {cache: 'no-store'});
    const o = await r.json();
    const s = shape(o);
    if (known === null) known = s; else if (s !== known) { location.reload(); return; }
    const edges = index('data-edge'), rows = index('data-row'), nodes = index('data-node');
    for (const d of o.deployments) {
      for (const e of d.graph.edges) {
        const id = d.key + '|' + e.caller + '|' + e.callee, f = e.figures, g = edges.get(id);
        if (g) {
          g.setAttribute('data-calls', String(f.calls));
          g.classList.toggle('errors', !!f.error_ratio);
          g.querySelector('.l1').textContent = f.calls + ' calls · ' + rate(f.rate);
          g.querySelector('.l2').textContent =
            'p50 ' + num(f.p50_ms) + ' · p99 ' + num(f.p99_ms) + ' ms · err ' + ratio(f.error_ratio);
        }
        setRow(rows.get('e|' + id), f);
      }
      for (const c of d.components) {
        for (const m of c.methods) setRow(rows.get('m|' + d.key + '|' + c.name + '|' + m.method), m.figures);
      }
      for (const n of d.graph.nodes) {
        const g = nodes.get(d.key + '|' + n.name);
        if (g) { g.querySelector('.health').textContent = n.healthy + '/' + n.replicas + ' healthy';
                 g.classList.toggle('unhealthy', n.replicas > 0 && n.healthy < n.replicas); }
      }
    }
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    document.body.setAttribute('data-polls', String(1 + Number(document.body.getAttribute('data-polls') || 0)));
  } catch (err) {
    document.getElementById('updated').textContent = 'refresh failed: ' + err;
  }
  setTimeout(poll, POLL_MS);
}
setTimeout(poll, POLL_MS);
})();""".replace("POLL_MS", str(POLL_MS))


def when(t: float) -> str:
    return datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def clock(t: float) -> str:
    return datetime.datetime.fromtimestamp(t).strftime("%H:%M:%S.%f")[:-3]


def _replicas(d: DeploymentView) -> str:
    rs = [r for g in d.groups for r in g.replicas]
    restarts = sum(r.restarts for r in rs)
    return f"{sum(r.healthy for r in rs)}/{len(rs)} healthy" + (f", {restarts} restarts" if restarts else "")


@functools.cache
def _env() -> Environment:
    env = Environment(
        loader=DictLoader(
            {
                "base": templates.BASE,
                "figs": templates.FIGS,
                "rollout": templates.ROLLOUT,
                "overview": templates.OVERVIEW,
                "trace": templates.TRACE,
                "logs": templates.LOGS,
            }
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["short"] = short
    env.globals.update(
        fmt=fmt,
        short=short,
        when=when,
        clock=clock,
        replicas=_replicas,
        graph=lambda d: svg.render(d.key, d.graph),
        rollout_chart=rolloutmod.chart,
        rollout_changes=rolloutmod.changes,
        script=SCRIPT,
    )
    return env


def overview(view: Overview) -> str:
    """The main page: every deployment, its graph, replicas, methods and recent traces."""
    title = ", ".join(d.app for d in view.deployments) or "no deployments"
    return _env().get_template("overview").render(overview=view, title=title, refresh=True, limit=TRACES_SHOWN)


def trace(dep: str, wf: Waterfall) -> str:
    """One trace's waterfall."""
    return _env().get_template("trace").render(dep=dep, wf=wf, title=f"trace {wf.trace_id}", refresh=False)


def logs(dep: str, query: LogQuery, entries: list[LogEntry], components: list[str], error: str = "") -> str:
    """The logs page with its filter form."""
    return _env().get_template("logs").render(
        dep=dep,
        query=query,
        entries=entries,
        components=components,
        error=error,
        levels=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        title=f"logs of {dep}" if dep else "logs",
        refresh=False,
    )
