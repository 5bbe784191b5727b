/**
 * The figures tables of README.md and bench/README.md, rendered from the result files alone
 * (`pnpm bench:tables`). Each table is followed by how its figures are measured.
 */
import type { BenchRecord } from './resultfile.js';
import { resultFileName } from './resultfile.js';
import { AT_MOST_TARGETS, TARGETS } from './targets.js';

/** The issue's size: always has a row, even before any run of it was recorded. */
export const HEADLINE_PAGES = 2000;

type Count = { found: number; total: number } | null;

const int = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : Math.round(v).toString();
const dec = (v: number | null | undefined, d: number) => (v === null || v === undefined ? '—' : v.toFixed(d));
const found = (c: Count) => (c ? `${c.found}/${c.total}` : '—');
const when = (r: BenchRecord) => `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
const commit = (r: BenchRecord) =>
  r.commit ? `${r.commit.short}${r.commit.dirty ? ' (dirty)' : ''}` : 'no git';

export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A link to the result file, relative to the markdown file at `base` ('' or '../'). */
const runLink = (r: BenchRecord, base: string) => `[${when(r)}](${base}results/${resultFileName(r)})`;

const peerText = (r: BenchRecord) =>
  r.settings.peer
    ? `${int(r.peerPapersPerSecond)} (${r.settings.peer.processes} × ${r.settings.peer.maxConcurrency})`
    : '—';
const latencyText = (r: BenchRecord) =>
  r.settings.latency
    ? `${int(r.p50Ms)} / ${int(r.p99Ms)} at ${int(r.settings.latency.offeredPapersPerSecond)}/s`
    : '—';
/** `--reprocess`: papers/s, its ratio to the crawl's, and CPU per paper rewritten, everything included. */
const reprocessText = (r: BenchRecord) =>
  r.reprocess
    ? `${int(r.reprocess.papersPerSecond)} (${dec(r.reprocess.ratioToCrawl, 2)}), ${dec(r.reprocess.cpuMsPerPaper.total, 2)}`
    : '—';
/** `--recrawl`: pages/s and CPU per page, everything included, answered 304 / with whole pages. */
const recrawlText = (r: BenchRecord) =>
  [r.recrawl, r.recrawlWholePages]
    .map((p) => (p ? `${int(p.pagesPerSecond)}, ${dec(p.cpuMsPerPage.total, 2)}` : '—'))
    .join(' / ');
/** Papers/s, and the worker groups when more than one ran (`--groups`) or chained (`--chain`). */
const groupsText = (r: BenchRecord) => {
  const groups = r.settings.pipeline.groups ?? 1;
  const shape = [
    ...(groups > 1 ? [`${groups} worker groups`] : []),
    ...(r.settings.pipeline.chained ? ['stages chained'] : []),
  ];
  return shape.length > 0 ? `${int(r.papersPerSecond)} (${shape.join(', ')})` : int(r.papersPerSecond);
};
const cpuText = (r: BenchRecord) =>
  ['pipelineTotal', 'peerTotal', 'ceilingTotal'].map((k) => dec(r.cpuMsPerPaper[k], 2)).join(' / ');

/**
 * A run that stands for its commit: it passed, from committed code, with the workers' default
 * environment (no trial settings) and, where any run of its N measured them, the peer and the
 * latency phase too.
 */
function isHeadline(r: BenchRecord, complete: boolean): boolean {
  return (
    r.ok &&
    r.commit !== null &&
    !r.commit.dirty &&
    Object.keys(r.settings.env).length === 0 &&
    (!complete || (r.peerPapersPerSecond !== null && r.p99Ms !== null))
  );
}

/**
 * The run that stands for several runs of one commit at one N: the median by ratio to the peer
 * (by papers/s where no peer ran), the lower of the middle two of an even count. On a shared
 * machine the same code made 1.26 to 1.95 times the peer within ten minutes; one lucky or unlucky
 * run must not be the headline.
 */
export function medianRun(runs: readonly BenchRecord[]): BenchRecord {
  const key = (r: BenchRecord) => r.ratioToPeer ?? r.papersPerSecond;
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** A size's headline: the median of its latest commit's headline runs, and how many there were. */
interface Headline {
  run: BenchRecord;
  of: number;
}

/**
 * Per N, newest N first, the median headline run ({@link isHeadline}, {@link medianRun}) of the
 * latest commit that has one; the headline N always has a row. Records are in time order.
 */
export function headlinePerSize(records: BenchRecord[]): Array<[number, Headline | undefined]> {
  const completeSizes = new Set(records.filter((r) => isHeadline(r, true)).map((r) => r.pages));
  const headlines = records.filter((r) => isHeadline(r, completeSizes.has(r.pages)));
  const sizes = new Set([HEADLINE_PAGES, ...headlines.map((r) => r.pages)]);
  return [...sizes]
    .sort((a, b) => b - a)
    .map((pages): [number, Headline | undefined] => {
      const atSize = headlines.filter((r) => r.pages === pages);
      const latest = atSize.at(-1);
      if (!latest) return [pages, undefined];
      const ofCommit = atSize.filter((r) => r.commit!.hash === latest.commit!.hash);
      return [pages, { run: medianRun(ofCommit), of: ofCommit.length }];
    });
}

const SUMMARY_HEADER = [
  'N (papers)',
  'run',
  'pipeline papers/s',
  'ceiling papers/s',
  'peer papers/s (procs × concurrency)',
  'ratioToCeiling',
  'ratioToPeer',
  'p50 / p99 ms',
  'CPU ms/paper: pipeline / peer / ceiling',
  'largest worker RSS MB',
];

function summaryRow(pages: number, h: Headline | undefined, base: string): string[] {
  if (!h) return [String(pages), `no result yet for N = ${pages}`, ...SUMMARY_HEADER.slice(2).map(() => '')];
  const r = h.run;
  return [
    `${r.pages} (${r.papers})`,
    `${runLink(r, base)}, ${commit(r)}${h.of > 1 ? `, the median of its ${h.of} runs` : ''}`,
    groupsText(r),
    int(r.ceilingPapersPerSecond),
    peerText(r),
    dec(r.ratioToCeiling, 2),
    dec(r.ratioToPeer, 2),
    latencyText(r),
    cpuText(r),
    int(r.peakRssMb),
  ];
}

const HOW_MEASURED = `How each figure is measured:
- **papers/s**: distinct papers ÷ (the site's first listing request → the first \`_count\` that sees them all).
  The pipeline keeps its product refresh settings and is polled every 100 ms; the ceiling and the peer
  load with \`refresh_interval: -1\` and no replicas, then refresh once.
- **ceiling**: the pipeline's own documents, pre-serialized, bulk-indexed by the bench at the batch size and
  concurrency that were fastest in a calibration. **peer**: Crawlee \`CheerioCrawler\` processes (as many
  as the pipeline's cores), each with a share of the pages, at the per-process concurrency that was
  fastest in a calibration.
- **ratioToCeiling / ratioToPeer**: pipeline papers/s ÷ ceiling / peer papers/s (targets ≥ ${TARGETS.ratioToCeiling} / ≥ ${TARGETS.ratioToPeer}).
- **p50 / p99**: fetch → searchable at the offered steady rate, over every paper of the offered pages
  (the run fails if one never becomes searchable).
- **CPU ms/paper**: utime + stime over the timed window ÷ papers; the pipeline counts its four workers,
  Elasticsearch and Redis, the peer its processes and Elasticsearch, the ceiling Elasticsearch and its client.
  Elasticsearch and Redis are shared, so other users' load is included.
- **RSS**: the largest \`VmRSS\` of a worker, sampled every 250 ms during the crawl and the latency phase.`;

/** README.md's Performance table: per N, the median headline run of the latest commit. */
export function renderSummary(records: BenchRecord[], base = 'bench/'): string {
  const rows = headlinePerSize(records).map(([pages, h]) => summaryRow(pages, h, base));
  return `${mdTable(SUMMARY_HEADER, rows)}\n\n${HOW_MEASURED}\n\nEvery run, per process figures and settings: \`bench/README.md\`.`;
}

const RUNS_HEADER = [
  'run (UTC)',
  'commit',
  'N',
  'machine: cores, load',
  'pipeline',
  'ceiling',
  'peer (procs × conc.)',
  'ratio to ceiling / peer',
  'p50 / p99 ms',
  'found: pipeline, ceiling, peer, latency',
  'CPU ms/paper: pipeline / peer / ceiling',
  'reprocess papers/s (× crawl), CPU ms/paper',
  're-crawl, unchanged: pages/s, CPU ms/page (304s / whole pages)',
  'result',
];

function runRow(r: BenchRecord): string[] {
  return [
    runLink(r, ''),
    commit(r),
    String(r.pages),
    `${r.machine.cores}, ${r.machine.loadavg.start[0] ?? '—'} → ${r.machine.loadavg.end[0] ?? '—'}`,
    groupsText(r),
    int(r.ceilingPapersPerSecond),
    peerText(r),
    `${dec(r.ratioToCeiling, 2)} / ${dec(r.ratioToPeer, 2)}`,
    latencyText(r),
    [r.found.pipeline, r.found.ceiling, r.found.peer, r.found.latency].map(found).join(', '),
    cpuText(r),
    reprocessText(r),
    recrawlText(r),
    r.ok ? 'ok' : `**failed**: ${r.failures.join('; ')}`,
  ];
}

/** Every recorded run, newest first. */
function runsTable(records: BenchRecord[]): string {
  if (records.length === 0)
    return 'No recorded run yet: `pnpm bench --record` writes one into `bench/results/`.';
  return mdTable(RUNS_HEADER, [...records].reverse().map(runRow));
}

const WORKERS = ['fetcher', 'parser', 'deduplicator', 'indexer'] as const;

const WORKERS_HEADER = [
  'run (UTC)',
  'commit',
  'N',
  'load',
  'papers/s',
  'CPU ms/paper: fetcher / parser / deduplicator / indexer',
  'workers / Elasticsearch / Redis / total',
  'papers index: search / get ms',
  'largest worker RSS MB',
  'environment (PAPERLINE_*, MALLOC_*, NODE_OPTIONS)',
];

/** What the crawl spent in searches and realtime gets of the papers index (`esIndexStats`). */
function papersIndexLookups(r: BenchRecord): string {
  const pipeline = r.detail.pipeline as
    { esIndexStats?: Record<string, { searchMs?: number; getMs?: number }> } | undefined;
  const papers = Object.entries(pipeline?.esIndexStats ?? {}).find(([name]) =>
    name.startsWith('papers'),
  )?.[1];
  return papers ? `${int(papers.searchMs)} / ${int(papers.getMs)}` : '—';
}

/** The worker that peaked highest, and its peak. */
function largestRss(r: BenchRecord): string {
  const peaks = WORKERS.flatMap((w) =>
    r.perStagePeakRssMb[w] === undefined ? [] : [[w, r.perStagePeakRssMb[w]!] as const],
  );
  if (peaks.length === 0) return '—';
  const [worker, mb] = peaks.reduce((a, b) => (b[1] > a[1] ? b : a));
  return `${int(mb)} (${worker})`;
}

function workersRow(r: BenchRecord): string[] {
  const c = r.cpuMsPerPaper;
  const env = Object.entries(r.settings.env).map(([k, v]) => `\`${k}=${v}\``);
  return [
    runLink(r, ''),
    commit(r),
    String(r.pages),
    `${r.machine.loadavg.start[0] ?? '—'} → ${r.machine.loadavg.end[0] ?? '—'}`,
    groupsText(r),
    r.settings.pipeline.chained
      ? `chained in one process: ${dec(c.pipeline, 2)}`
      : WORKERS.map((w) => dec(c[w], 2)).join(' / '),
    [c.pipelineWorkers, c.pipelineElasticsearch, c.pipelineRedis, c.pipelineTotal]
      .map((v) => dec(v, 2))
      .join(' / '),
    papersIndexLookups(r),
    largestRss(r),
    env.length > 0 ? env.join(' ') : 'defaults',
  ];
}

/** Every passing run's workers, newest first: what to compare when a setting or the code changed. */
function workersTable(records: BenchRecord[]): string {
  const passing = records.filter((r) => r.ok);
  if (passing.length === 0) return 'No passing run recorded yet.';
  return mdTable(WORKERS_HEADER, [...passing].reverse().map(workersRow));
}

const WORKERS_HOW = [
  'The same runs as above, by worker: CPU ms per paper of each stage process and of the pipeline as a whole',
  '(utime + stime over the crawl ÷ papers), the time the crawl spent in searches and realtime gets of the papers',
  'index (Elasticsearch `_stats`, `query_time_in_millis` and `get.time_in_millis`: the deduplicator’s look-ups and',
  'the bench’s `_count` polls), the largest `VmRSS` of any worker (sampled every 250 ms during the',
  'crawl and the latency phase), and the tuning environment the run was given (`defaults`: none). Runs of one',
  'commit moved by a quarter between each other on this shared machine; compare settings across several runs.',
].join('\n');

const ROLES: Record<string, string> = {
  fetcher: 'pipeline worker',
  parser: 'pipeline worker',
  deduplicator: 'pipeline worker',
  indexer: 'pipeline worker',
  pipeline: 'pipeline worker: the four stages chained (`--chain`), worker groups added up',
  embedder: 'pipeline worker (its stage is off in the crawl)',
  pipelineElasticsearch: 'Elasticsearch, during the crawl',
  pipelineRedis: 'Redis, during the crawl',
  pipelineTotal: '**pipeline total**',
  ceilingClient: 'the bench sending the ceiling’s bulks',
  ceilingElasticsearch: 'Elasticsearch, during the ceiling load',
  ceilingTotal: '**ceiling total**',
  peerElasticsearch: 'Elasticsearch, during the peer crawl',
  peerTotal: '**peer total**',
};

/** CPU ms per paper and peak RSS of every process of one run. */
function processTable(r: BenchRecord): string {
  const rss = { ...r.perStagePeakRssMb, ...(r.peerPeakRssMb ?? {}) };
  const rows = Object.entries(r.cpuMsPerPaper)
    .filter(([k]) => k !== 'pipelineWorkers' && k !== 'peerProcesses')
    .map(([k, v]) => [k, ROLES[k] ?? 'peer process', dec(v, 3), int(rss[k])]);
  return mdTable(['process', 'what', 'CPU ms/paper', 'peak RSS MB'], rows);
}

const indexText = (i: BenchRecord['settings']['pipeline']['index']) =>
  `${i.replicas} replicas, refresh ${i.refreshInterval}${i.backfill && i.backfill.docsPerSecond > 0 ? ` (${i.backfill.refreshInterval} above ${i.backfill.docsPerSecond} docs/s)` : ''}${i.refreshAtEnd ? ', one refresh at the end' : ''}`;

/** The settings each contender ran with in one run. */
function settingsTable(r: BenchRecord): string {
  const { pipeline: p, ceiling: c, peer } = r.settings;
  const trials = (t: Array<Record<string, number>>, key: string, rate: string) =>
    t.map((x) => `${x[key]}: ${int(x[rate])}`).join(', ');
  const rows = [
    [
      'pipeline',
      p.chained
        ? `${p.processes} (per group: the four stages chained in one, the embedder)`
        : `${p.processes} (one per stage)`,
      `fetch ${p.concurrency.fetch}, parse ${p.concurrency.parse}, dedupe ${p.concurrency.dedupe}, index ${p.concurrency.index}`,
      `${p.bulk.size} docs or ${p.bulk.waitMs} ms`,
      indexText(p.index),
      'product defaults and PAPERLINE_* environment',
    ],
    [
      'ceiling',
      String(c.processes),
      `${c.concurrency} bulk requests in flight`,
      `${c.bulkSize} docs`,
      indexText(c.index),
      `fastest of ${c.calibration.length} trials on a sample`,
    ],
  ];
  if (peer)
    rows.push([
      'peer',
      String(peer.processes),
      `CheerioCrawler ${peer.maxConcurrency} per process, ${peer.bulkConcurrency} bulk requests in flight per process`,
      `${peer.bulkSize} docs (the ceiling’s)`,
      indexText(peer.index),
      peer.concurrencyChosenBy === 'given'
        ? 'given (--peer-concurrency)'
        : `fastest per-process concurrency, papers/s: ${trials(peer.calibration, 'maxConcurrency', 'papersPerSecond')}`,
    ]);
  return mdTable(['contender', 'processes', 'concurrency', 'bulk', 'index', 'chosen by'], rows);
}

function targetsTable(r: BenchRecord): string {
  const rows = Object.entries(r.targets).map(([k, t]) => [
    k,
    AT_MOST_TARGETS.has(k) ? `≤ ${t.target}` : `≥ ${t.target}`,
    t.value === null ? '—' : String(Math.round(t.value * 1000) / 1000),
    t.met === null ? '—' : t.met ? 'met' : '**not met**',
  ]);
  return mdTable(['target', 'goal', 'value', ''], rows);
}

/**
 * The run the detail tables show: the headline run at the headline N (the median of its latest
 * commit's, {@link headlinePerSize}), else the latest passing run at that N, else the latest run.
 */
function featured(records: BenchRecord[]): BenchRecord | undefined {
  const headline = headlinePerSize(records).find(([pages]) => pages === HEADLINE_PAGES)?.[1]?.run;
  const ok = records.filter((r) => r.ok);
  return headline ?? ok.filter((r) => r.pages === HEADLINE_PAGES).pop() ?? ok.pop();
}

function featuredSections(r: BenchRecord | undefined): string {
  if (!r) return `No result yet for N = ${HEADLINE_PAGES}.`;
  const m = r.machine;
  return [
    `Run ${runLink(r, '')} at ${commit(r)}, N = ${r.pages}: ${m.cores} cores (${m.cpuModel}), ${m.memGb} GB,`,
    `Node ${m.node}, Elasticsearch ${m.elasticsearch}, Redis ${m.redis}; 1-minute load ${m.loadavg.start[0]} at the start, ${m.loadavg.end[0]} at the end.`,
    '',
    '#### Per process',
    '',
    processTable(r),
    '',
    'CPU ms/paper: the process’s utime + stime (`/proc/<pid>/stat`; Elasticsearch from `/proc` when local, Redis from `INFO cpu`) over its contender’s timed window, ÷ that contender’s papers. Peak RSS: the largest `VmRSS`, sampled every 250 ms.',
    '',
    '#### Settings each contender ran with',
    '',
    settingsTable(r),
    '',
    '#### Targets',
    '',
    targetsTable(r),
  ].join('\n');
}

const EMBED_HOW = `How the embedding figures are measured (\`--embed\`): each variant starts one embedder process
with \`PAPERLINE_EMBED_BATCH\` × \`PAPERLINE_EMBED_CONCURRENCY\`, waits until its model is loaded, then runs
\`embed --missing\` (the operation \`paperline embed --missing\` runs) over papers indexed with the embed stage
off: the first variant the crawl's, each next one those of N further listing pages crawled just before it.
- **papers/s**: papers embedded ÷ (the operation's start → its crawl finished, the index refreshed).
- **CPU ms/paper**: the embedder's utime + stime over that window ÷ papers.
- **RSS**: the embedder's \`VmRSS\` once the model is loaded, before the first job (start), after the last
  paper (end), and the largest sample every 250 ms.`;

/** Every run with embedding figures, newest first: one row per embedder variant. */
function embedTable(records: BenchRecord[]): string {
  const rows = [...records]
    .reverse()
    .flatMap((r) =>
      (r.embed ?? []).map((e) => [
        runLink(r, ''),
        commit(r),
        `${r.machine.loadavg.start[0] ?? '—'} → ${r.machine.loadavg.end[0] ?? '—'}`,
        `${e.batch} × ${e.concurrency}`,
        `${e.papers}/${e.found}`,
        dec(e.papersPerSecond, 1),
        dec(e.embedderCpuMsPerPaper, 1),
        `${int(e.embedderRssMb.start)} → ${int(e.embedderRssMb.end)} (${int(e.embedderRssMb.peak)})`,
      ]),
    );
  if (rows.length === 0) return 'No recorded run with `--embed` yet.';
  return mdTable(
    [
      'run (UTC)',
      'commit',
      'load',
      'batch × concurrency',
      'embedded/found',
      'papers/s',
      'embedder CPU ms/paper',
      'embedder RSS MB: start → end (peak)',
    ],
    rows,
  );
}

/** bench/README.md's figures: every run, then the per-process detail of the featured run. */
export function renderBenchFigures(records: BenchRecord[]): string {
  return [
    '### Every recorded run (newest first)',
    '',
    runsTable(records),
    '',
    HOW_MEASURED,
    '',
    '### Workers per run: CPU, memory and tuning (newest first)',
    '',
    workersTable(records),
    '',
    WORKERS_HOW,
    '',
    '### Embedding throughput and the embedder’s memory (`--embed`, newest first)',
    '',
    embedTable(records),
    '',
    EMBED_HOW,
    '',
    `### Detail of the headline run at N = ${HEADLINE_PAGES} (the median of the latest commit's runs; else the latest passing run)`,
    '',
    featuredSections(featured(records)),
  ].join('\n');
}
