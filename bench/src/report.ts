/** The human summary printed at the end of a run, from the result record alone. */
import type { GcPerPage } from './gc.js';
import type { BenchRecord } from './resultfile.js';
import { TARGETS } from './targets.js';

const fmt = (v: number | null | undefined, d = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d);
const met = (t: { met: boolean | null } | undefined) => (t?.met === null ? '' : t?.met ? 'met' : 'NOT met');
const foundText = (c: { found: number; total: number } | null) =>
  c ? `${c.found}/${c.total} searchable` : '';

function contenderRows(r: BenchRecord): string[][] {
  const { ceiling, peer, pipeline } = r.settings;
  return [
    [
      'pipeline papers/s',
      fmt(r.papersPerSecond, 1),
      `${pipeline.processes} processes, ${foundText(r.found.pipeline)}, ${fmt(r.durationSeconds, 2)} s`,
    ],
    [
      'ceiling papers/s (bulk only)',
      fmt(r.ceilingPapersPerSecond, 1),
      `bulk ${ceiling.bulkSize} × ${ceiling.concurrency}, ${foundText(r.found.ceiling)}`,
    ],
    [
      'peer papers/s (Crawlee)',
      fmt(r.peerPapersPerSecond, 1),
      peer
        ? `${peer.processes} processes × concurrency ${peer.maxConcurrency} (${peer.concurrencyChosenBy}), ${foundText(r.found.peer)}`
        : 'skipped',
    ],
    [
      'ratio to ceiling',
      fmt(r.ratioToCeiling, 3),
      `target ≥ ${TARGETS.ratioToCeiling}: ${met(r.targets.ratioToCeiling)}`,
    ],
    [
      'ratio to peer',
      fmt(r.ratioToPeer, 3),
      `target ≥ ${TARGETS.ratioToPeer}: ${met(r.targets.ratioToPeer)}`,
    ],
    [
      'latency p50 / p99 (ms)',
      `${fmt(r.p50Ms)} / ${fmt(r.p99Ms)}`,
      r.settings.latency
        ? `at ${fmt(r.settings.latency.offeredPapersPerSecond)} papers/s, ${foundText(r.found.latency)}, target p99 ≤ ${TARGETS.p99Ms}: ${met(r.targets.p99Ms)}`
        : 'skipped',
    ],
    [
      'reprocess (papers/s)',
      r.reprocess ? fmt(r.reprocess.papersPerSecond, 1) : '—',
      r.reprocess
        ? `${r.reprocess.papers} papers rewritten, ${fmt(r.reprocess.ratioToCrawl, 2)}× the crawl (target ≥ ${TARGETS.reprocessRatio}: ${met(r.targets.reprocessRatio)}), ${fmt(r.reprocess.cpuMsPerPaper.total, 2)} cpu ms/paper`
        : 'skipped (--reprocess)',
    ],
    recrawlRow('re-crawl, 304s (pages/s)', r.recrawl),
    recrawlRow('re-crawl, whole pages (pages/s)', r.recrawlWholePages),
  ];
}

function recrawlRow(what: string, pass: BenchRecord['recrawl']): string[] {
  return [
    what,
    pass ? fmt(pass.pagesPerSecond, 1) : '—',
    pass
      ? `${pass.notModified} of ${pass.pages} pages answered 304, ${pass.parsedPages ?? '—'} parsed, ${pass.unchangedPapers} papers unchanged, ${fmt(pass.cpuMsPerPage.total, 2)} cpu ms/page`
      : 'skipped (--recrawl)',
  ];
}

function processRows(r: BenchRecord): string[][] {
  const cpu = r.cpuMsPerPaper;
  const rows = Object.keys(r.perStageCpuSeconds).map((k) => [
    `  ${k}`,
    `cpu ${fmt(r.perStageCpuSeconds[k], 1)} s (${fmt(cpu[k], 2)} ms/paper)`,
    `peak rss ${fmt(r.perStagePeakRssMb[k])} MB`,
  ]);
  for (const [k, mb] of Object.entries(r.peerPeakRssMb ?? {}))
    rows.push([`  ${k}`, `${fmt(cpu[k], 2)} ms/paper`, `peak rss ${fmt(mb)} MB`]);
  rows.push([
    'cpu ms per paper',
    `${fmt(cpu.pipelineTotal, 2)} pipeline`,
    `ceiling ${fmt(cpu.ceilingTotal, 2)}, peer ${fmt(cpu.peerTotal, 2)} (with Elasticsearch; the pipeline also Redis); pipeline target ≤ ${TARGETS.cpuMsPerPaper}: ${met(r.targets.cpuMsPerPaper)}`,
  ]);
  rows.push([
    'largest worker rss',
    `${fmt(r.peakRssMb)} MB`,
    `target ≤ ${TARGETS.peakRssMb}: ${met(r.targets.peakRssMb)}`,
  ]);
  return [...rows, ...gcRows(r)];
}

/** `--gc`: each kind's scavenges per page of the crawl, and what they copied. */
function gcRows(r: BenchRecord): string[][] {
  const perPage = (r.detail.pipeline as { gcPerPage?: Record<string, GcPerPage> } | undefined)?.gcPerPage;
  return Object.entries(perPage ?? {}).map(([kind, g]) => [
    `  ${kind} gc per page`,
    `${fmt(g.scavenges, 2)} scavenges, ${fmt(g.scavengePauseMs, 2)} ms paused`,
    `+ ${fmt(g.scavengeHelperMs, 2)} ms in helper threads; ${fmt(g.allocatedKb)} KB allocated, ${fmt(g.survivedKb)} KB copied, ${fmt(g.promotedKb)} KB promoted; ${fmt(g.fullCollections, 3)} full collections (${fmt(g.fullPauseMs, 2)} ms)`,
  ]);
}

export function formatSummary(r: BenchRecord, file: string): string {
  const row = ([a, b, c]: string[]) => `  ${a!.padEnd(34)}${b!.padEnd(32)}${c ?? ''}`;
  const m = r.machine;
  return [
    '',
    `Paperline benchmark — ${r.pages} pages, ${r.papers} distinct papers (${r.finishedAt})`,
    `machine: ${m.cores} cores, ${m.cpuModel}, load ${m.loadavg.start.join(' ')} → ${m.loadavg.end.join(' ')}`,
    row(['metric', 'value', 'note']),
    ...contenderRows(r).map(row),
    ...processRows(r).map(row),
    r.ok ? 'result: ok' : `result: FAILED\n  ${r.failures.join('\n  ')}`,
    `result file: ${file}`,
  ].join('\n');
}
