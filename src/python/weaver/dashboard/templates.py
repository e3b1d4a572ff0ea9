"""The dashboard's Jinja2 templates, kept as Python strings so the wheel and every PEX carry them
as code (no package-data plumbing); `pages` compiles them once, autoescaped."""

from __future__ import annotations

BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }} · weaver dashboard</title>
{% if refresh %}<noscript><meta http-equiv="refresh" content="5"></noscript>{% endif %}
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: baseline; }
header a { color: #cfe0ff; } header h1 { font-size: 18px; margin: 0; }
main { padding: 10px 20px 40px; }
section.deployment { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
h2 { font-size: 17px; margin: 4px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
table { border-collapse: collapse; margin: 4px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #eceef2; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #137333; } .bad { color: #b3261e; font-weight: 600; }
.graph { overflow-x: auto; border: 1px solid #eceef2; border-radius: 6px; background: #fbfcfd; }
svg.callgraph .node rect { fill: #e8f0fe; stroke: #4a6fd1; stroke-width: 1.5; }
svg.callgraph .node.unhealthy rect { fill: #fde7e7; stroke: #b3261e; }
svg.callgraph .node text { text-anchor: middle; font-size: 12px; } svg.callgraph .node .label { font-weight: 600; }
svg.callgraph .node .health { font-size: 10px; fill: #555; }
svg.callgraph .edge path { fill: none; stroke: #8a94a6; stroke-width: 1.4; }
svg.callgraph .edge.errors path { stroke: #b3261e; }
svg.callgraph .edge text { font-size: 10px; text-anchor: middle; fill: #2b3445; paint-order: stroke; stroke: #fbfcfd; stroke-width: 3px; }
.meta { color: #555; font-size: 12px; } code { font-size: 12px; }
.wf { width: 100%; } .wf td.bar { width: 55%; position: relative; }
.wf .span { position: absolute; top: 5px; height: 12px; background: #4a6fd1; border-radius: 2px; min-width: 2px; }
.wf .span.client { background: #7aa0f0; } .wf .span.internal { background: #9fb6e6; } .wf .span.err { background: #b3261e; }
form.filters { display: flex; gap: 10px; align-items: end; margin: 8px 0; } form.filters label { display: flex; flex-direction: column; font-size: 12px; }
td.msg { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; }
</style></head>
<body><header><h1><a href="/dashboard">weaver dashboard</a></h1><span>{{ title }}</span>
<span class="meta" id="updated"></span></header>
<main>{% block main %}{% endblock %}</main>
{% if refresh %}<script>{{ script | safe }}</script>{% endif %}
</body></html>
"""

FIGS = """{% macro figs(f) -%}
<td class="n calls">{{ f.calls }}</td><td class="n rate">{{ fmt.rate(f.rate) }}</td>
<td class="n p50">{{ fmt.ms(f.p50_ms) }}</td><td class="n p99">{{ fmt.ms(f.p99_ms) }}</td>
<td class="n errors">{{ f.errors }}</td><td class="n err">{{ fmt.ratio(f.error_ratio) }}</td>
{%- endmacro %}
{% macro head() -%}
<th class="n">calls</th><th class="n">calls/s</th><th class="n">p50</th><th class="n">p99</th><th class="n">errors</th><th class="n">error ratio</th>
{%- endmacro %}"""

ROLLOUT = """{% macro rollout(r) -%}
<section class="deployment rollout" id="rollout-{{ r.app }}" data-rollout="{{ r.app }}" data-phase="{{ r.phase }}">
<h2>rollout of {{ r.app }}: <code>{{ (r.old or '-')[:12] }}</code> → <code>{{ r.new[:12] }}</code>
<span class="{{ 'bad' if r.phase in ('rolling_back', 'rolled_back', 'aborted') else 'ok' }}">{{ r.phase }}</span></h2>
<p class="meta">started {{ when(r.started) }}{% if r.finished %} · finished {{ when(r.finished) }}{% endif %} ·
steps {{ r.steps | join('%, ') }}%{% if r.step >= 0 %} · step {{ r.step + 1 }}/{{ r.steps | length }}{% endif %}</p>
<table class="split"><tr><th>version</th><th class="n">weight</th></tr>
{% for v, w in r.weights | dictsort %}<tr data-version="{{ v }}"><td><code>{{ v[:12] }}</code>{{ ' (new)' if v == r.new else ' (old)' if v == r.old }}</td>
<td class="n weight">{{ '%g%%' % w }}</td></tr>{% endfor %}</table>
{% if r.verdict %}<p class="verdict">gate: {{ r.verdict }}</p>{% endif %}
<div class="graph">{{ rollout_chart(r) | safe }}</div>
<p class="meta">line: the new version's weight; dashed: its share of proxied requests; dots: the gate's decision per tick
(<span class="ok">pass</span>, hold, <span class="bad">rollback</span>, warming).</p>
<table class="verdicts"><tr><th>time</th><th>step</th><th>split (old / new)</th><th class="n">requests/s (old / new)</th><th>decision</th><th>reason</th></tr>
{% for p in rollout_changes(r)[-50:] | reverse %}<tr class="verdict-row" data-decision="{{ p.decision }}"><td>{{ clock(p.at) }}</td>
<td>{{ p.step + 1 if p.step >= 0 else '-' }}</td>
<td>{{ '%g' % p.weights.get(r.old or '', 0) }} / {{ '%g' % p.weights.get(r.new, 0) }}</td>
<td class="n">{{ '%.1f' % p.rates.get(r.old or '', 0) }} / {{ '%.1f' % p.rates.get(r.new, 0) }}</td>
<td class="{{ 'bad' if p.decision == 'rollback' else 'ok' if p.decision == 'pass' }}">{{ p.decision }}</td><td>{{ p.reason }}</td></tr>{% endfor %}
</table></section>
{%- endmacro %}"""

OVERVIEW = """{% extends "base" %}{% from "figs" import figs, head %}{% from "rollout" import rollout %}{% block main %}
{% for e in overview.errors %}<p class="bad">{{ e }}</p>{% endfor %}
{% for r in overview.rollouts %}{{ rollout(r) }}{% endfor %}
{% if not overview.deployments %}<p>No running deployment.</p>{% endif %}
<table class="versions"><tr><th>app</th><th>version</th><th>health</th><th>replicas</th><th>started</th></tr>
{% for d in overview.deployments %}<tr><td><a href="#{{ d.key }}">{{ d.app }}</a></td><td><code>{{ d.version[:16] }}</code></td>
<td class="{{ 'ok' if d.healthy else 'bad' }}">{{ 'healthy' if d.healthy else 'UNHEALTHY' }}</td>
<td>{{ replicas(d) }}</td><td>{{ when(d.started) }}</td></tr>{% endfor %}</table>
{% for d in overview.deployments %}
<section class="deployment" id="{{ d.key }}" data-deployment="{{ d.key }}">
<h2>{{ d.app }} <code>{{ d.version[:16] }}</code>
<span class="{{ 'ok' if d.healthy else 'bad' }}">{{ 'healthy' if d.healthy else 'UNHEALTHY' }}</span></h2>
<p class="meta">since {{ when(d.started) }} ·
{% for name, addr in d.listeners.items() %}listener {{ name }} <a href="http://{{ addr }}/">{{ addr }}</a> · {% endfor %}
{% if d.metrics %}<a href="http://{{ d.metrics }}/metrics">/metrics</a> · {% endif %}
<a href="/dashboard/logs?dep={{ d.key | urlencode }}">logs</a> ·
rates over {{ '%.0f s' % d.window_s if d.window_s else '(no window yet)' }}</p>
<h3>Call graph</h3>
<div class="graph">{{ graph(d) | safe }}</div>
<table class="edges"><tr><th>caller</th><th>callee</th>{{ head() }}</tr>
{% for e in d.graph.edges %}<tr data-row="e|{{ d.key }}|{{ e.caller }}|{{ e.callee }}">
<td>{{ short(e.caller) }}</td><td>{{ short(e.callee) }}</td>{{ figs(e.figures) }}</tr>{% endfor %}</table>
<h3>Groups and replicas</h3>
<table class="groups"><tr><th>group</th><th>components</th><th>replica</th><th>pid</th><th>health</th><th class="n">restarts</th></tr>
{% for g in d.groups %}{% for r in g.replicas %}<tr>
<td>{{ g.name if loop.first }}</td><td>{{ g.components | map('short') | join(', ') if loop.first }}</td>
<td>{{ r.replica }}</td><td>{{ r.pid }}</td><td class="{{ 'ok' if r.healthy else 'bad' }}">{{ 'healthy' if r.healthy else 'down' }}</td>
<td class="n">{{ r.restarts }}</td></tr>{% endfor %}{% endfor %}</table>
<h3>Methods</h3>
{% for c in d.components if c.methods %}
<table class="methods" data-component="{{ c.name }}"><tr><th colspan="8">{{ c.name }} <span class="meta">group {{ c.group or '-' }}</span></th></tr>
<tr><th>method</th><th>callers</th>{{ head() }}</tr>
{% for m in c.methods %}<tr data-row="m|{{ d.key }}|{{ c.name }}|{{ m.method }}"><td>{{ m.method }}</td>
<td>{{ m.callers | map('short') | join(', ') }}</td>{{ figs(m.figures) }}</tr>{% endfor %}</table>
{% endfor %}
<h3>Recent traces</h3>
{% if not d.traces %}<p class="meta">No trace recorded ([weaver.tracing] sample_ratio).</p>{% endif %}
<table class="traces">{% if d.traces %}<tr><th>root</th><th class="n">spans</th><th class="n">processes</th><th class="n">duration</th><th>error</th><th>trace</th></tr>{% endif %}
{% for t in d.traces[:limit] %}<tr><td>{{ t.root }}</td><td class="n">{{ t.spans }}</td><td class="n">{{ t.processes }}</td>
<td class="n">{{ '%.2f ms' % t.duration_ms }}</td><td class="{{ 'bad' if t.error }}">{{ 'error' if t.error else '' }}</td>
<td><a class="trace" href="/dashboard/trace?dep={{ d.key | urlencode }}&amp;id={{ t.trace_id }}"><code>{{ t.trace_id }}</code></a></td></tr>{% endfor %}</table>
</section>
{% endfor %}
{% endblock %}"""

TRACE = """{% extends "base" %}{% block main %}
<p><a href="/dashboard">← dashboard</a> · <a href="/dashboard/logs?dep={{ dep | urlencode }}&amp;trace_id={{ wf.trace_id }}">logs of this trace</a></p>
{% if not wf.bars %}<p class="bad">Trace {{ wf.trace_id }} is not (or no longer) kept by {{ dep }}.</p>{% else %}
<p class="meta">{{ wf.bars | length }} spans · {{ wf.processes }} processes · {{ '%.2f ms' % wf.duration_ms }}</p>
<table class="wf"><tr><th>span</th><th>process</th><th class="n">start</th><th class="n">duration</th><th>timeline</th></tr>
{% for b in wf.bars %}<tr class="span-row" data-span="{{ b.span_id }}" data-parent="{{ b.parent_id }}">
<td style="padding-left: {{ 10 + 16 * b.depth }}px" title="{{ b.attributes | dictsort | map('join', '=') | join(', ') }}">{{ b.name }} <span class="meta">{{ b.kind }}</span>{% if b.error %} <span class="bad">{{ b.error }}</span>{% endif %}</td>
<td>{{ b.process }}</td><td class="n">{{ '%.3f' % b.start_ms }}</td><td class="n">{{ '%.3f ms' % b.duration_ms }}</td>
<td class="bar"><div class="span {{ b.kind }}{{ ' err' if b.error }}" style="left: {{ '%.2f' % b.left_pct }}%; width: {{ '%.2f' % b.width_pct }}%"></div></td></tr>{% endfor %}
</table>{% endif %}
{% endblock %}"""

LOGS = """{% extends "base" %}{% block main %}
<p><a href="/dashboard">← dashboard</a></p>
<form class="filters" method="get" action="/dashboard/logs"><input type="hidden" name="dep" value="{{ dep }}">
<label>component<input name="component" value="{{ query.component }}" list="components"></label>
<datalist id="components">{% for c in components %}<option value="{{ c }}">{% endfor %}</datalist>
<label>level at least<select name="level"><option value="">any</option>
{% for l in levels %}<option{{ ' selected' if l == query.level }}>{{ l }}</option>{% endfor %}</select></label>
<label>trace id<input name="trace_id" value="{{ query.trace_id }}" size="34"></label>
<button type="submit">filter</button></form>
{% if error %}<p class="bad">{{ error }}</p>{% endif %}
<p class="meta">{{ entries | length }} entries (newest {{ query.limit }} at most)</p>
<table class="logs"><tr><th>time</th><th>level</th><th>component</th><th>replica</th><th>message</th><th>trace</th></tr>
{% for e in entries %}<tr class="log"><td>{{ clock(e.time) }}</td><td class="{{ 'bad' if e.level in ('ERROR', 'CRITICAL') }}">{{ e.level }}</td>
<td>{{ e.component }}</td><td>{{ e.replica }}</td><td class="msg">{{ e.msg }}</td>
<td>{% if e.trace_id %}<a href="/dashboard/trace?dep={{ dep | urlencode }}&amp;id={{ e.trace_id }}"><code>{{ e.trace_id[:8] }}</code></a>{% endif %}</td></tr>{% endfor %}
</table>
{% endblock %}"""
