/**
 * The result of a run (the result file and the `--json` line), built from what each phase measured:
 * the settings each contender ran with, every figure, and the failures that make the run fail.
 */
import { WORKER_KINDS } from '@paperline/contracts';
import type { PaperlineConfig } from '@paperline/core/config';
import type { BenchArgs } from './args.js';
import type { CeilingResult } from './ceiling.js';
import type { EmbedResult } from './embed.js';
import { BULK_LOAD_SETTINGS, templateIndexSettings } from './infra.js';
import { CHAINED_KINDS, workerMalloc, workerNodeArgs } from './workers.js';
import type { LatencyResult } from './latency.js';
import type { PeerCalibration, PeerResult } from './peer.js';
import type { ServiceCpu, ThroughputResult } from './pipeline.js';
import { checkTarget, type TargetName, type TargetResult } from './targets.js';
import type { RecrawlResult } from './recrawl.js';
import type { ReprocessResult } from './reprocess.js';
import type { BenchRecord } from './resultfile.js';

/** What the phases measured. */
export interface Measured {
  args: BenchArgs;
  cfg: PaperlineConfig;
  /** Distinct papers of the crawled pages (from the site's model). */
  expected: number;
  thr: ThroughputResult;
  /** The reprocessing phase, with `--reprocess`. */
  rep: ReprocessResult | undefined;
  /** The re-crawl phase's passes, with `--recrawl` (answered 304, then with whole pages). */
  recrawl: RecrawlResult[];
  /** The embedding phase, with `--embed`: one result per embedder variant. */
  emb: EmbedResult[] | undefined;
  lat: LatencyResult | undefined;
  ceiling: CeilingResult;
  peer: PeerResult | undefined;
  /** Undefined when the peer was skipped or its concurrency given. */
  peerCalibration: PeerCalibration | undefined;
}

/** Where and when. */
export interface RunMeta {
  run: string;
  startedAt: string;
  finishedAt: string;
  commit: BenchRecord['commit'];
  machine: BenchRecord['machine'];
  detail: Record<string, unknown>;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const roundAll = (o: Record<string, number>, round = r1) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** A percentile in whole ms; null when there was nothing to measure. */
const ms = (x: number | undefined): number | null =>
  x !== undefined && Number.isFinite(x) ? Math.round(x) : null;

/** Every way the run fell short: a contender or the latency phase that did not reach every document. */
export function failuresOf(m: Measured): string[] {
  const f: string[] = [];
  const short = (who: string, c: { found: number; total: number } | null) => {
    if (c && c.found < c.total) f.push(`${who} made ${c.found} of ${c.total} papers searchable`);
  };
  const found = foundOf(m);
  short('pipeline', found.pipeline);
  if (m.thr.crawl.failed > 0) f.push(`pipeline: ${m.thr.crawl.failed} crawl jobs failed`);
  if (m.rep && m.rep.papers < m.thr.papers)
    f.push(`reprocess rewrote ${m.rep.papers} of the crawl's ${m.thr.papers} papers`);
  if (m.rep && m.rep.crawl.failed > 0) f.push(`reprocess: ${m.rep.crawl.failed} jobs failed`);
  for (const r of m.recrawl) f.push(...recrawlFailures(r));
  for (const e of m.emb ?? []) {
    const who = `embed (batch ${e.batch} × concurrency ${e.concurrency})`;
    if (e.papers < e.found) f.push(`${who} embedded ${e.papers} of ${e.found} papers`);
    if (e.crawl.failed > 0) f.push(`${who}: ${e.crawl.failed} jobs failed`);
  }
  short('ceiling', found.ceiling);
  short('peer', found.peer);
  short('latency phase', found.latency);
  return f;
}

/**
 * A re-crawl of unchanged pages fetches each once and parses and writes nothing, whether the site
 * answers 304 or the very bytes archived.
 */
function recrawlFailures(r: RecrawlResult): string[] {
  const who = r.wholePages ? 'recrawl (whole pages)' : 'recrawl';
  const answered304 = r.wholePages ? 0 : r.pages;
  const f: string[] = [];
  if (r.notModified !== answered304)
    f.push(`${who}: ${r.notModified} of ${r.pages} pages answered 304, ${answered304} expected`);
  if (r.crawl.fetched < r.pages) f.push(`${who}: ${r.crawl.fetched} of ${r.pages} pages fetched`);
  if (r.crawl.indexed > 0) f.push(`${who}: ${r.crawl.indexed} papers written, none expected`);
  if (r.crawl.parsed > 0) f.push(`${who}: ${r.crawl.parsed} pages parsed, none expected`);
  if (r.crawl.failed > 0) f.push(`${who}: ${r.crawl.failed} jobs failed`);
  return f;
}

export function foundOf(m: Measured): BenchRecord['found'] {
  return {
    pipeline: { found: m.thr.papers, total: m.expected },
    ceiling: { found: m.ceiling.papers, total: m.ceiling.expected },
    peer: m.peer ? { found: m.peer.papers, total: m.peer.expected } : null,
    latency: m.lat ? { found: m.lat.found, total: m.lat.total } : null,
  };
}

/** CPU ms per paper of each process and service over its contender's timed window, and the totals. */
export function cpuMsPerPaper({ thr, ceiling, peer }: Measured): Record<string, number> {
  const per = (seconds: number, papers: number) => (1000 * seconds) / papers;
  const workers = sum(Object.values(thr.cpuSeconds));
  const { esSeconds, redisSeconds } = thr.services;
  const peerProcesses = peer
    ? Object.entries(peer.perProcess).map(([k, p]) => [k, p.cpuSeconds] as const)
    : [];
  const out: Record<string, number> = {
    ...Object.fromEntries(Object.entries(thr.cpuSeconds).map(([k, v]) => [k, per(v, thr.papers)])),
    pipelineWorkers: per(workers, thr.papers),
    pipelineElasticsearch: per(esSeconds, thr.papers),
    pipelineRedis: per(redisSeconds, thr.papers),
    pipelineTotal: per(workers + esSeconds + redisSeconds, thr.papers),
    ceilingClient: per(ceiling.clientCpuSeconds, ceiling.papers),
    ceilingElasticsearch: per(ceiling.esCpuSeconds, ceiling.papers),
    ceilingTotal: per(ceiling.esCpuSeconds + ceiling.clientCpuSeconds, ceiling.papers),
  };
  if (peer) {
    for (const [k, s] of peerProcesses) out[k] = per(s, peer.papers);
    out.peerProcesses = per(peer.cpuSeconds, peer.papers);
    out.peerElasticsearch = per(peer.esCpuSeconds, peer.papers);
    out.peerTotal = per(peer.cpuSeconds + peer.esCpuSeconds, peer.papers);
  }
  return roundAll(out, r3);
}

const bulkLoadIndex = {
  replicas: BULK_LOAD_SETTINGS.number_of_replicas,
  refreshInterval: '-1',
  refreshAtEnd: true,
};

function pipelineSettings(
  cfg: PaperlineConfig,
  groups: number,
  chain: boolean,
): BenchRecord['settings']['pipeline'] {
  const t = templateIndexSettings();
  return {
    processes: (chain ? WORKER_KINDS.length - CHAINED_KINDS.length + 1 : WORKER_KINDS.length) * groups,
    groups,
    chained: chain,
    concurrency: cfg.concurrency,
    bulk: cfg.bulk,
    maxBacklog: cfg.maxBacklog,
    hostIntervalMs: cfg.hostIntervalMs,
    enrich: cfg.enrich,
    nodeArgs: workerNodeArgs(),
    malloc: workerMalloc(),
    index: {
      replicas: replicasOnOneNode(t),
      refreshInterval: String(t.refresh_interval ?? '1s'),
      refreshAtEnd: false,
      backfill: cfg.backfill,
    },
  };
}

/** The replicas the template gives an index on this one-node cluster: a count, or a range's lower end. */
function replicasOnOneNode(t: Record<string, unknown>): number {
  if (t.number_of_replicas !== undefined) return Number(t.number_of_replicas);
  const range = t.auto_expand_replicas;
  return typeof range === 'string' ? Number(range.split('-')[0]) : 1;
}

function peerSettings(m: Measured): BenchRecord['settings']['peer'] {
  if (!m.peer) return null;
  return {
    processes: m.peer.processes,
    maxConcurrency: m.peer.maxConcurrency,
    concurrencyChosenBy: m.peerCalibration ? 'calibrated' : 'given',
    bulkSize: m.peer.bulkSize,
    bulkConcurrency: m.peer.bulkConcurrency,
    index: bulkLoadIndex,
    calibration: (m.peerCalibration?.trials ?? []).map((t) => ({
      ...t,
      papersPerSecond: r1(t.papersPerSecond),
    })),
  };
}

/**
 * The environment that tunes the workers: PAPERLINE_*, NODE_OPTIONS (V8's heap flags, say) and
 * glibc's MALLOC_* tunables (its arenas and when it returns memory, which move RSS).
 */
const paperlineEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        (e[0].startsWith('PAPERLINE_') || e[0].startsWith('MALLOC_') || e[0] === 'NODE_OPTIONS') &&
        e[1] !== undefined,
    ),
  );

export function settingsOf(m: Measured): BenchRecord['settings'] {
  return {
    args: { ...m.args, peerConcurrency: m.args.peerConcurrency ?? 'calibrated' },
    env: paperlineEnv(),
    pipeline: pipelineSettings(m.cfg, m.args.groups, m.args.chain),
    ceiling: {
      processes: 1,
      bulkSize: m.ceiling.bulkSize,
      concurrency: m.ceiling.concurrency,
      index: bulkLoadIndex,
      calibration: m.ceiling.trials.map((t) => ({ ...t, docsPerSecond: r1(t.docsPerSecond) })),
    },
    peer: peerSettings(m),
    latency: m.lat
      ? {
          offeredPapersPerSecond: r1(m.lat.offeredPapersPerSecond),
          seconds: m.args.latencySeconds,
          pages: m.lat.pages,
        }
      : null,
  };
}

function targetsOf(r: {
  ratioToCeiling: number;
  ratioToPeer: number | null;
  p99Ms: number | null;
  cpuMsPerPaper: Record<string, number>;
  peakRssMb: number;
  reprocess: BenchRecord['reprocess'];
}): Record<TargetName, TargetResult> {
  return {
    ratioToCeiling: checkTarget('ratioToCeiling', r3(r.ratioToCeiling)),
    ratioToPeer: checkTarget('ratioToPeer', r.ratioToPeer === null ? null : r3(r.ratioToPeer)),
    p99Ms: checkTarget('p99Ms', r.p99Ms),
    cpuMsPerPaper: checkTarget('cpuMsPerPaper', r.cpuMsPerPaper.pipelineTotal ?? null),
    peakRssMb: checkTarget('peakRssMb', r.peakRssMb),
    reprocessRatio: checkTarget('reprocessRatio', r.reprocess?.ratioToCrawl ?? null),
  };
}

/** Per stage, the largest RSS of the throughput and latency phases. */
function peakRssByStage({ thr, lat }: Measured): Record<string, number> {
  const peaks: Record<string, number> = { ...thr.peakRssMb };
  for (const [k, v] of Object.entries(lat?.peakRssMb ?? {})) peaks[k] = Math.max(peaks[k] ?? 0, v);
  return roundAll(peaks);
}

/** The phases' own records, for digging further (timelines, trials, per-index Elasticsearch time). */
function detailOf({ thr, ceiling, peer, lat }: Measured): Record<string, unknown> {
  return {
    pipeline: {
      crawl: { ...thr.crawl, seeds: thr.crawl.seeds.length },
      finishedAfterSeconds: r3(thr.finishedAfterSeconds),
      hwmMb: roundAll(thr.hwmMb),
      systemSeconds: roundAll(thr.systemSeconds),
      minorFaults: thr.minorFaults,
      servicesCpuSeconds: roundAll({ ...thr.services }),
      redisMemoryGrowthMb: r1(thr.redisMemoryGrowthMb),
      avgPageKb: r1(thr.avgPageKb),
      siteRenderSeconds: r1(thr.siteRenderSeconds),
      esIndexStats: thr.esIndexStats,
      backlog: thr.backlog,
      rssTimeline: thr.rssTimeline,
      ...(thr.gcPerPage ? { gcPerPage: thr.gcPerPage } : {}),
    },
    ceiling,
    ...(peer ? { peer } : {}),
    ...(lat ? { latency: lat } : {}),
  };
}

/**
 * CPU ms per unit (a paper, a page) of a phase: each worker process's, and the workers',
 * Elasticsearch's and Redis's, and all of them together.
 */
function cpuMsPer(
  units: number,
  cpuSeconds: Record<string, number>,
  { esSeconds, redisSeconds }: ServiceCpu,
): Record<string, number> {
  const workers = sum(Object.values(cpuSeconds));
  const per = (seconds: number) => r3((seconds * 1000) / Math.max(1, units));
  return {
    ...Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, per(v)])),
    workers: per(workers),
    elasticsearch: per(esSeconds),
    redis: per(redisSeconds),
    total: per(workers + esSeconds + redisSeconds),
  };
}

/** The reprocessing figures: papers/s, its ratio to the crawl's, and CPU ms per paper rewritten. */
function reprocessOf(
  rep: ReprocessResult,
  crawlPapersPerSecond: number,
): NonNullable<BenchRecord['reprocess']> {
  return {
    pages: rep.pages,
    papers: rep.papers,
    durationSeconds: r3(rep.durationSeconds),
    papersPerSecond: r1(rep.papersPerSecond),
    ratioToCrawl: r3(rep.papersPerSecond / crawlPapersPerSecond),
    cpuMsPerPaper: cpuMsPer(rep.papers, rep.cpuSeconds, rep.services),
  };
}

/** The figures of the re-crawl pass of that kind, if it ran. */
const recrawlPassOf = (passes: RecrawlResult[], wholePages: boolean) => {
  const r = passes.find((p) => p.wholePages === wholePages);
  return r ? recrawlOf(r) : null;
};

/** The re-crawl figures: pages/s, and CPU ms per page, everything included. */
function recrawlOf(r: RecrawlResult): NonNullable<BenchRecord['recrawl']> {
  return {
    pages: r.pages,
    notModified: r.notModified,
    parsedPages: r.crawl.parsed,
    unchangedPapers: r.crawl.unchanged,
    durationSeconds: r3(r.durationSeconds),
    pagesPerSecond: r1(r.pagesPerSecond),
    cpuMsPerPage: cpuMsPer(r.pages, r.cpuSeconds, r.services),
  };
}

/** The embedding figures of each variant: papers/s, the embedder's CPU per paper and its RSS. */
function embedOf(emb: EmbedResult[]): NonNullable<BenchRecord['embed']> {
  return emb.map((e) => ({
    batch: e.batch,
    concurrency: e.concurrency,
    found: e.found,
    papers: e.papers,
    durationSeconds: r3(e.durationSeconds),
    papersPerSecond: r1(e.papersPerSecond),
    embedderCpuMsPerPaper: r1((1000 * e.cpuSeconds) / Math.max(1, e.papers)),
    embedderRssMb: { start: r1(e.rssMb.start), end: r1(e.rssMb.end), peak: r1(e.rssMb.peak) },
  }));
}

export function buildRecord(m: Measured, meta: RunMeta): BenchRecord {
  const { thr, ceiling, peer, lat } = m;
  const failures = failuresOf(m);
  const ratioToCeiling = thr.papersPerSecond / ceiling.papersPerSecond;
  const ratioToPeer = peer ? thr.papersPerSecond / peer.papersPerSecond : null;
  const p99Ms = ms(lat?.p99Ms);
  const perStagePeakRssMb = peakRssByStage(m);
  const cpu = cpuMsPerPaper(m);
  const peakRssMb = Math.max(0, ...Object.values(perStagePeakRssMb));
  const reprocess = m.rep ? reprocessOf(m.rep, thr.papersPerSecond) : null;
  return {
    schema: 1,
    ok: failures.length === 0,
    failures,
    run: meta.run,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    commit: meta.commit,
    machine: meta.machine,
    settings: settingsOf(m),
    pages: thr.pages,
    papers: m.expected,
    papersPerSecond: r1(thr.papersPerSecond),
    ceilingPapersPerSecond: r1(ceiling.papersPerSecond),
    peerPapersPerSecond: peer ? r1(peer.papersPerSecond) : null,
    ratioToCeiling: r3(ratioToCeiling),
    ratioToPeer: ratioToPeer === null ? null : r3(ratioToPeer),
    p50Ms: ms(lat?.p50Ms),
    p99Ms,
    found: foundOf(m),
    cpuMsPerPaper: cpu,
    perStageCpuSeconds: roundAll(thr.cpuSeconds),
    perStagePeakRssMb,
    peerPeakRssMb: peer
      ? roundAll(Object.fromEntries(Object.entries(peer.perProcess).map(([k, p]) => [k, p.peakRssMb])))
      : null,
    peakRssMb,
    durationSeconds: r3(thr.durationSeconds),
    reprocess,
    recrawl: recrawlPassOf(m.recrawl, false),
    recrawlWholePages: recrawlPassOf(m.recrawl, true),
    embed: m.emb ? embedOf(m.emb) : null,
    targets: targetsOf({ ratioToCeiling, ratioToPeer, p99Ms, cpuMsPerPaper: cpu, peakRssMb, reprocess }),
    detail: { ...meta.detail, ...detailOf(m) },
  };
}
