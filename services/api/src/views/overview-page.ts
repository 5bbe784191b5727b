import type { CrawlOverview, Overview, StageOverview } from '../overview.js';
import { OVERVIEW_CSS } from './overview-style.js';
import { OVERVIEW_SCRIPT } from './overview-script.js';

/** Escapes text for HTML element content and attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** A number the page's script keeps current: `path` is where it lives in `/api/overview`'s JSON. */
const num = (path: string, n: number, cls = '') =>
  `<span data-k="${esc(path)}"${cls ? ` class="${cls}"` : ''}>${fmt(n)}</span>`;

/**
 * What the page's layout depends on (stages, crawls and their state, failure groups): when the
 * JSON's signature differs, the script reloads the page instead of patching numbers. The script
 * computes the same expression.
 */
export function signature(o: Overview): string {
  return JSON.stringify([
    o.stages.map((s) => s.name),
    o.crawls.map((c) => c.crawlId + (c.finished ? 'f' : 'r')),
    o.failures.byCode.map((g) => `${g.stage}/${g.code}`),
  ]);
}

function spark(path: string, series: number[]): string {
  const max = Math.max(1, ...series);
  const bars = series
    .map((v, i) => {
      const ago = series.length - 1 - i;
      const h = v > 0 ? Math.max(6, Math.round((v / max) * 100)) : 0;
      return `<span style="height:${h}%" title="${ago === 0 ? 'this minute' : `${ago} min ago`}: ${v}"></span>`;
    })
    .join('');
  return `<div class="spark" data-spark="${esc(path)}" aria-label="jobs completed per minute">${bars}</div>`;
}

function stageCard(s: StageOverview, i: number): string {
  const p = `stages.${i}`;
  const cell = (label: string, key: keyof StageOverview['counts'], cls = '') =>
    `<div class="kv${cls}"><dt>${label}</dt><dd>${num(`${p}.counts.${key}`, s.counts[key])}</dd></div>`;
  const lastMinute = s.throughput.perMinute.at(-1) ?? 0;
  return `<article class="card stage${s.backlog > 0 ? ' busy' : ''}" data-queue="${esc(s.name)}" data-busy="${p}.backlog">
  <header><h3>${esc(s.name)}</h3><span class="muted">backlog</span></header>
  <div class="big">${num(`${p}.backlog`, s.backlog)}</div>
  <dl class="counts">
    ${cell('waiting', 'waiting')}${cell('active', 'active')}${cell('delayed', 'delayed')}
    ${cell('completed', 'completed')}${cell('failed', 'failed', s.counts.failed > 0 ? ' bad' : '')}
  </dl>
  <div class="caption">completed per minute, last 15 min</div>
  ${spark(`${p}.throughput.perMinute`, s.throughput.perMinute)}
  <p class="muted small"><span>${num(`${p}.throughput.total`, s.throughput.total)} in 15 min</span>
    <span><span data-k="${p}.throughput.perMinute.${s.throughput.perMinute.length - 1}">${fmt(lastMinute)}</span> this minute</span></p>
</article>`;
}

const when = (iso: string | undefined) => (iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) : '—');

function crawlRow(c: CrawlOverview, i: number): string {
  const p = `crawls.${i}`;
  const pct = Math.round(c.progress * 100);
  const state = c.finished
    ? `<span class="pill ${c.failed > 0 ? 'warn' : 'ok'}"${c.failed > 0 ? ` title="finished with ${c.failed} failed job(s)"` : ''}>finished</span>`
    : `<span class="pill run">running</span>`;
  const seeds = c.seeds.length === 1 ? esc(c.seeds[0]) : `${c.seeds.length} seeds`;
  return `<tr>
  <td><code>${esc(c.crawlId)}</code><div class="muted small seed" title="${esc(c.seeds.join('\n'))}">${seeds}</div></td>
  <td class="when">${when(c.startedAt)}</td>
  <td class="progress">${state}<div class="bar" title="${pct}% of registered jobs finished"><i data-w="${p}.progress" style="width:${pct}%"></i></div>
    <div class="muted small">${num(`${p}.jobs.pending`, c.jobs.pending)} pending of ${num(`${p}.jobs.registered`, c.jobs.registered)}</div></td>
  <td class="n">${num(`${p}.fetched`, c.fetched)}</td><td class="n">${num(`${p}.parsed`, c.parsed)}</td>
  <td class="n">${num(`${p}.indexed`, c.indexed)}</td><td class="n">${num(`${p}.unchanged`, c.unchanged)}</td>
  <td class="n">${num(`${p}.duplicates`, c.duplicates)}</td>
  <td class="n${c.failed > 0 ? ' bad' : ''}">${num(`${p}.failed`, c.failed)}</td>
</tr>`;
}

function crawlsTable(o: Overview): string {
  if (o.crawls.length === 0)
    return '<p class="empty">No crawls yet. Start one with <code>pnpm paperline crawl &lt;url&gt;</code>.</p>';
  return `<table><thead><tr><th>crawl</th><th>started (UTC)</th><th>progress</th><th class="n">fetched</th>
<th class="n">parsed</th><th class="n">indexed</th><th class="n">unchanged</th><th class="n">duplicates</th><th class="n">failed</th></tr></thead>
<tbody>${o.crawls.map(crawlRow).join('\n')}</tbody></table>`;
}

function failuresTable(o: Overview): string {
  if (o.failures.byCode.length === 0) return '<p class="empty">No failed jobs.</p>';
  const rows = o.failures.byCode
    .map(
      (g, i) => `<tr><td>${esc(g.stage)}</td><td><code>${esc(g.code)}</code></td>
<td class="n bad">${num(`failures.byCode.${i}.count`, g.count)}</td>
<td class="msg"><div>${esc(g.lastMessage)}</div><div class="muted small">${esc(g.lastUrl)}</div></td><td class="when">${when(g.lastAt)}</td></tr>`,
    )
    .join('\n');
  const sampled =
    o.failures.sampled < o.failures.total
      ? `<p class="muted small">Grouped from the newest ${fmt(o.failures.sampled)} of ${fmt(o.failures.total)} failed jobs.</p>`
      : '';
  return `<table><thead><tr><th>stage</th><th>code</th><th class="n">jobs</th><th>latest error</th><th>at (UTC)</th></tr></thead>
<tbody>${rows}</tbody></table>${sampled}`;
}

/** The overview page: server-rendered, no build step; a tiny script refreshes it every 5 s. */
export function renderOverviewPage(o: Overview): string {
  const tile = (label: string, path: string, n: number, cls = '') =>
    `<div class="tile${cls}"><div class="muted">${label}</div><div class="big">${num(path, n)}</div></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Paperline · overview</title><link rel="icon" href="data:,"><style>${OVERVIEW_CSS}</style></head>
<body data-sig="${esc(signature(o))}">
<header class="top"><div><h1>Paperline</h1><span class="chip" title="queue prefix">${esc(o.prefix)}</span></div>
<nav><a href="/dashboard/">Queue dashboard</a><a href="/metrics">Metrics</a><a href="/openapi.json">API</a>
<span class="muted small">updated <time id="updated">${when(o.generatedAt)}</time><i id="live" class="dot"></i></span></nav></header>
<main>
<section class="tiles">
  ${tile('papers indexed', 'papers.indexed', o.papers.indexed)}
  ${tile('unchanged', 'papers.unchanged', o.papers.unchanged)}
  ${tile('duplicates', 'papers.duplicate', o.papers.duplicate)}
  ${tile('failed jobs', 'failures.total', o.failures.total, o.failures.total > 0 ? ' bad' : '')}
</section>
<h2>Stages</h2>
<section class="stages">${o.stages.map(stageCard).join('\n')}</section>
<h2>Recent crawls</h2>
<section class="card flush">${crawlsTable(o)}</section>
<h2>Failures by error code</h2>
<section class="card flush">${failuresTable(o)}</section>
</main>
<footer class="muted small">Refreshes every 5 s from <a href="/api/overview">/api/overview</a>.</footer>
<script>${OVERVIEW_SCRIPT}</script>
</body></html>`;
}
