/** The summary table (human) and the result object (the `--json` contract). */
import os from 'node:os';
import type { CeilingResult } from './ceiling.js';
import type { LatencyResult } from './latency.js';
import type { PeerResult } from './peer.js';
import type { ThroughputResult } from './pipeline.js';
import type { PaperlineConfig } from '@paperline/core';

export interface BenchResult {
  papers: number;
  papersPerSecond: number;
  ceilingPapersPerSecond: number;
  peerPapersPerSecond: number | null;
  ratioToCeiling: number;
  ratioToPeer: number | null;
  peakRssMb: number;
  p50Ms: number | null;
  p99Ms: number | null;
  perStageCpuSeconds: Record<string, number>;
  perStagePeakRssMb: Record<string, number>;
  pages: number;
  durationSeconds: number;
  config: Record<string, unknown>;
  targets: Record<string, { target: number; value: number | null; met: boolean | null }>;
  detail: Record<string, unknown>;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const roundAll = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r1(v)]));

export function buildResult(
  thr: ThroughputResult,
  ceiling: CeilingResult,
  peer: PeerResult | undefined,
  lat: LatencyResult | undefined,
  cfg: PaperlineConfig,
  meta: Record<string, unknown>,
): BenchResult {
  const peakByStage: Record<string, number> = { ...thr.peakRssMb };
  for (const [k, v] of Object.entries(lat?.peakRssMb ?? {}))
    peakByStage[k] = Math.max(peakByStage[k] ?? 0, v);
  const ratioToCeiling = thr.papersPerSecond / ceiling.papersPerSecond;
  const workerCpu = Object.values(thr.cpuSeconds).reduce((a, b) => a + b, 0);
  // CPU per paper is steadier than papers/s on a shared machine (ES and Redis CPU include other users' load).
  const cpuMsPerPaper = {
    pipelineWorkers: (1000 * workerCpu) / thr.papers,
    pipelineTotal: (1000 * (workerCpu + thr.services.esSeconds + thr.services.redisSeconds)) / thr.papers,
    ceilingTotal: (1000 * (ceiling.esCpuSeconds + ceiling.clientCpuSeconds)) / ceiling.papers,
    ...(peer ? { peerTotal: (1000 * (peer.cpuSeconds + peer.esCpuSeconds)) / peer.papers } : {}),
    ...Object.fromEntries(Object.entries(thr.cpuSeconds).map(([k, v]) => [k, (1000 * v) / thr.papers])),
  };
  const ratioToPeer = peer ? thr.papersPerSecond / peer.papersPerSecond : null;
  return {
    papers: thr.papers,
    papersPerSecond: r1(thr.papersPerSecond),
    ceilingPapersPerSecond: r1(ceiling.papersPerSecond),
    peerPapersPerSecond: peer ? r1(peer.papersPerSecond) : null,
    ratioToCeiling: r3(ratioToCeiling),
    ratioToPeer: ratioToPeer === null ? null : r3(ratioToPeer),
    peakRssMb: r1(Math.max(...Object.values(peakByStage))),
    p50Ms: lat ? Math.round(lat.p50Ms) : null,
    p99Ms: lat ? Math.round(lat.p99Ms) : null,
    perStageCpuSeconds: roundAll(thr.cpuSeconds),
    perStagePeakRssMb: roundAll(peakByStage),
    pages: thr.pages,
    durationSeconds: r3(thr.durationSeconds),
    config: {
      concurrency: cfg.concurrency,
      bulk: cfg.bulk,
      maxBacklog: cfg.maxBacklog,
      hostIntervalMs: cfg.hostIntervalMs,
      ceiling: { bulkSize: ceiling.bulkSize, concurrency: ceiling.concurrency },
      ...(peer
        ? {
            peer: {
              maxConcurrency: peer.maxConcurrency,
              bulkSize: peer.bulkSize,
              bulkConcurrency: peer.bulkConcurrency,
            },
          }
        : {}),
      ...(lat
        ? { latency: { offeredPapersPerSecond: r1(lat.offeredPapersPerSecond), pages: lat.pages } }
        : {}),
    },
    targets: {
      ratioToCeiling: { target: 0.8, value: r3(ratioToCeiling), met: ratioToCeiling >= 0.8 },
      ratioToPeer: { target: 1.0, value: ratioToPeer, met: ratioToPeer === null ? null : ratioToPeer >= 1.0 },
      p99Ms: { target: 2000, value: lat ? Math.round(lat.p99Ms) : null, met: lat ? lat.p99Ms <= 2000 : null },
    },
    detail: {
      ...meta,
      cpuMsPerPaper: Object.fromEntries(Object.entries(cpuMsPerPaper).map(([k, v]) => [k, r3(v)])),
      machine: {
        cpus: os.cpus().length,
        memGb: Math.round(os.totalmem() / 2 ** 30),
        loadavg: os.loadavg().map(r1),
      },
      pipeline: {
        crawl: { ...thr.crawl, seeds: thr.crawl.seeds.length },
        finishedAfterSeconds: r3(thr.finishedAfterSeconds),
        searchable: thr.searchable,
        hwmMb: roundAll(thr.hwmMb),
        servicesCpuSeconds: roundAll({ ...thr.services }),
        redisMemoryGrowthMb: r1(thr.redisMemoryGrowthMb),
        avgPageKb: r1(thr.avgPageKb),
        siteRenderSeconds: r1(thr.siteRenderSeconds),
        esIndexStats: thr.esIndexStats,
        backlog: thr.backlog,
        rssTimeline: thr.rssTimeline,
      },
      ceiling,
      ...(peer ? { peer } : {}),
      ...(lat ? { latency: lat } : {}),
    },
  };
}

const pad = (s: string, n: number) => s.padEnd(n);
const fmt = (v: number | null | undefined, d = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d);

export function formatTable(
  res: BenchResult,
  thr: ThroughputResult,
  lat: LatencyResult | undefined,
  peer: PeerResult | undefined,
): string {
  const L: string[] = [];
  const row = (a: string, b: string, c = '') => L.push(`  ${pad(a, 34)}${pad(b, 32)}${c}`);
  L.push('');
  L.push(
    `Paperline benchmark — ${res.pages} pages, ${res.papers} distinct papers (${new Date().toISOString()})`,
  );
  L.push(
    `machine: ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (shared: figures are noisy)`,
  );
  row('metric', 'value', 'note');
  row(
    'pipeline papers/s',
    fmt(res.papersPerSecond, 1),
    `${fmt(res.durationSeconds, 2)} s first fetch → last doc searchable`,
  );
  row(
    'ceiling papers/s (bulk only)',
    fmt(res.ceilingPapersPerSecond, 1),
    `bulk ${String((res.config.ceiling as { bulkSize: number }).bulkSize)} × ${String((res.config.ceiling as { concurrency: number }).concurrency)}`,
  );
  row(
    'peer papers/s (Crawlee)',
    fmt(res.peerPapersPerSecond, 1),
    peer
      ? `maxConcurrency ${peer.maxConcurrency}, cpu ${fmt(peer.cpuSeconds, 1)} s, rss ${fmt(peer.peakRssMb)} MB`
      : 'skipped',
  );
  row(
    'ratio to ceiling',
    fmt(res.ratioToCeiling, 3),
    `target ≥ 0.8: ${res.targets.ratioToCeiling!.met ? 'met' : 'NOT met'}`,
  );
  row(
    'ratio to peer',
    fmt(res.ratioToPeer, 3),
    res.ratioToPeer === null
      ? ''
      : `target ≥ 1.0 (aim 1.5): ${res.targets.ratioToPeer!.met ? 'met' : 'NOT met'}`,
  );
  row(
    'latency p50 / p99 (ms)',
    `${fmt(res.p50Ms)} / ${fmt(res.p99Ms)}`,
    lat
      ? `at ${fmt(lat.offeredPapersPerSecond)} papers/s offered; target p99 ≤ 2000: ${res.targets.p99Ms!.met ? 'met' : 'NOT met'}`
      : 'skipped',
  );
  L.push('  per stage (throughput phase):');
  for (const k of Object.keys(res.perStageCpuSeconds)) {
    const perPaper = (res.detail.cpuMsPerPaper as Record<string, number>)[k];
    row(
      `    ${k}`,
      `cpu ${fmt(res.perStageCpuSeconds[k], 1)} s (${fmt(perPaper, 2)} ms/paper)`,
      `peak rss ${fmt(res.perStagePeakRssMb[k])} MB`,
    );
  }
  row(
    '    elasticsearch / redis / bench',
    `cpu ${fmt(thr.services.esSeconds, 1)} / ${fmt(thr.services.redisSeconds, 1)} / ${fmt(thr.services.benchSeconds, 1)} s`,
    `redis memory +${fmt(thr.redisMemoryGrowthMb)} MB`,
  );
  const cpp = res.detail.cpuMsPerPaper as Record<string, number>;
  row(
    'cpu ms per paper',
    `${fmt(cpp.pipelineTotal, 2)} pipeline`,
    `ceiling ${fmt(cpp.ceilingTotal, 2)}, peer ${fmt(cpp.peerTotal, 2)} (incl. Elasticsearch; pipeline also Redis)`,
  );
  row(
    '    crawl',
    `failed ${thr.crawl.failed}`,
    `fetched ${thr.crawl.fetched}, indexed ${thr.crawl.indexed}, unchanged ${thr.crawl.unchanged}, duplicates ${thr.crawl.duplicates}`,
  );
  return L.join('\n');
}
