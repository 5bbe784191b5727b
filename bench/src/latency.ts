/**
 * Phase 2 — latency at a steady offered rate. One crawl is fed one listing page every
 * 1000 / pagesPerSecond ms (50 entries a page: 10 pages/s = 500 papers/s) on pages no earlier
 * phase used, so every paper is new to the index. A paper's start is the arrival time, at the
 * site, of the first request for a page listing it; its end is the start of the first 100 ms poll
 * (an `ids` query over all still-pending papers, no refresh forced) that finds it. Each latency is
 * therefore late by at most one poll interval plus one search round trip. Every paper the offered
 * pages list counts: one that is not searchable 2 minutes after the last page was offered is
 * missing (found < total), and the run fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { arxivIdOf, dateOf, distinctOver, pageRefs } from './model.js';
import type { Pipeline, PipelineOptions, ServiceCpu } from './pipeline.js';
import { serviceCpuWindow } from './pipeline.js';
import { now } from './searchable.js';
import { byKind } from './workers.js';
import { newCrawlId } from '@paperline/core/pipeline';

/** How long after the last offered page a paper may still become searchable. */
const GRACE_MS = 120_000;

export interface LatencyResult {
  offeredPapersPerSecond: number;
  pages: number;
  /** Distinct papers on the offered pages (from the site's model), and how many became searchable. */
  total: number;
  found: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p50 of the first and second half of the papers (by fetch time): growth means a backlog. */
  p50FirstHalfMs: number;
  p50SecondHalfMs: number;
  /** Fetch → the deduplicator's merge (record `updatedAt`); the rest is index queue + bulk + refresh. */
  fetchToMergeP50Ms: number;
  fetchToMergeP99Ms: number;
  /** Seed → first request at the site, per page (queueing before the fetch). */
  seedToFetchP50Ms: number;
  seedToFetchP99Ms: number;
  cpuSeconds: Record<string, number>;
  peakRssMb: Record<string, number>;
  /** Searchable papers and worker RSS (MB) every few seconds of the phase. */
  overTime: Array<{ t: number; searchable: number; rssMb: Record<string, number> }>;
  services: ServiceCpu;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The papers of `ids` that a search sees now, with the time the deduplicator merged them (`updatedAt`). */
async function findIds(
  es: Client,
  index: string,
  ids: string[],
): Promise<Array<{ id: string; mergedAt: number }>> {
  const res = await es.search<{ updatedAt?: string }>({
    index,
    size: ids.length,
    _source: ['updatedAt'],
    query: { ids: { values: ids } },
  });
  return res.hits.hits.map((h) => ({ id: h._id!, mergedAt: Date.parse(h._source?.updatedAt ?? '') }));
}

interface LatencyOptions {
  seed: number;
  fromPage: number;
  pages: number;
  pagesPerSecond: number;
}

/** What the phase observes: first sighting at the site, and latency once searchable. */
class Observations {
  readonly firstSeen = new Map<string, number>();
  readonly pending = new Set<string>();
  readonly latency = new Map<string, number>();
  /** Fetch → merged by the deduplicator (the record's updatedAt): splits latency into before/after dedupe. */
  readonly toMerge: number[] = [];
  readonly seededAt = new Map<number, number>();
  /** Papers searchable and worker RSS every few seconds (growth would show here). */
  readonly overTime: LatencyResult['overTime'] = [];

  sighted(seed: number, page: number, at: number): void {
    for (const r of pageRefs(seed, page)) {
      const id = `arxiv:${arxivIdOf(r.g, r.home)}`;
      if (this.firstSeen.has(id)) continue;
      this.firstSeen.set(id, at);
      this.pending.add(id);
    }
  }

  found(id: string, at: number, mergedAt: number): void {
    const first = this.firstSeen.get(id)!;
    this.latency.set(id, at - first);
    if (Number.isFinite(mergedAt)) this.toMerge.push(mergedAt - first);
    this.pending.delete(id);
  }

  sortedLatencies(): number[] {
    return [...this.latency.values()].sort((a, b) => a - b);
  }
}

/**
 * Polls every 100 ms for pending papers until every offered page was fetched and every paper on
 * them found, or until GRACE_MS after the last page was offered.
 */
async function poll(
  es: Client,
  index: string,
  obs: Observations,
  offering: { done: boolean; at?: number; fetched: () => number; pages: number },
): Promise<void> {
  const waiting = () => offering.fetched() < offering.pages || obs.pending.size > 0;
  while (!offering.done || waiting()) {
    const at = now();
    const ids = [...obs.pending].slice(0, 10_000);
    if (ids.length > 0)
      for (const { id, mergedAt } of await findIds(es, index, ids)) obs.found(id, at, mergedAt);
    await sleep(Math.max(0, 100 - (now() - at)));
    if (offering.done && now() - offering.at! > GRACE_MS) return;
  }
}

function sayProgress(p: Pipeline, o: PipelineOptions, obs: Observations, t0: number, k: number): void {
  const done = obs.sortedLatencies();
  const rss = p.rss.timeline[p.rss.timeline.length - 1] ?? {};
  const rssText = Object.entries(rss)
    .map(([kind, mb]) => `${kind} ${mb}`)
    .join(' ');
  o.say(
    `[latency] ${((now() - t0) / 1000).toFixed(0)} s  seeded ${k} pages  searchable ${done.length}  pending ${obs.pending.size}  p50 so far ${Math.round(quantile(done, 0.5))} ms  rss MB: ${rssText}`,
  );
  obs.overTime.push({ t: Math.round((now() - t0) / 1000), searchable: done.length, rssMb: rss });
}

/** Offers one page every 1000 / pagesPerSecond ms to one crawl: when the first and the last were seeded. */
async function offer(
  p: Pipeline,
  o: PipelineOptions,
  opts: LatencyOptions,
  obs: Observations,
): Promise<{ t0: number; last: number }> {
  const crawlId = newCrawlId();
  await p.crawls.create(crawlId, [], { depth: 0, kind: 'bench-latency' });
  const interval = 1000 / opts.pagesPerSecond;
  const t0 = now();
  o.say(
    `[latency] offering ${opts.pagesPerSecond} pages/s (${opts.pagesPerSecond * 50} papers/s) for ${opts.pages} pages`,
  );
  for (let k = 0; k < opts.pages; k++) {
    const due = t0 + k * interval;
    if (due > now()) await Promise.race([sleep(due - now()), p.died]);
    const page = opts.fromPage + k;
    obs.seededAt.set(page, now());
    await p.enqueuer.enqueue('seed', [
      { stage: 'fetch', payload: { crawlId, url: `${o.site.url}/papers/date/${dateOf(page)}`, depth: 0 } },
    ]);
    if (k % Math.round(opts.pagesPerSecond * 5) === 0 && k > 0) sayProgress(p, o, obs, t0, k);
  }
  const last = now();
  await p.crawls.seal(crawlId);
  return { t0, last };
}

/** Percentiles over all found papers, by half (backlog check), and the fetch → merge split. */
function summarise(obs: Observations, site: PipelineOptions['site']) {
  const byFetch = [...obs.latency.entries()].sort(
    (a, b) => obs.firstSeen.get(a[0])! - obs.firstSeen.get(b[0])!,
  );
  const half = Math.floor(byFetch.length / 2);
  const sortedOf = (xs: Array<[string, number]>) => xs.map((x) => x[1]).sort((a, b) => a - b);
  const all = sortedOf(byFetch);
  const toMerge = [...obs.toMerge].sort((a, b) => a - b);
  const s2f = [...obs.seededAt.entries()]
    .map(([page, t]) => (site.log.pageFetchedAt.get(page) ?? NaN) - t)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    p50Ms: quantile(all, 0.5),
    p90Ms: quantile(all, 0.9),
    p99Ms: quantile(all, 0.99),
    maxMs: all[all.length - 1] ?? NaN,
    p50FirstHalfMs: quantile(sortedOf(byFetch.slice(0, half)), 0.5),
    p50SecondHalfMs: quantile(sortedOf(byFetch.slice(half)), 0.5),
    fetchToMergeP50Ms: quantile(toMerge, 0.5),
    fetchToMergeP99Ms: quantile(toMerge, 0.99),
    seedToFetchP50Ms: quantile(s2f, 0.5),
    seedToFetchP99Ms: quantile(s2f, 0.99),
  };
}

export async function runLatency(
  p: Pipeline,
  o: PipelineOptions,
  opts: LatencyOptions,
): Promise<LatencyResult> {
  const { site, es } = o;
  site.reset();
  p.rss.take();
  p.cpu.mark();
  const services = await serviceCpuWindow(es, o.redis);
  const obs = new Observations();
  site.onPage = (page, at) => obs.sighted(opts.seed, page, at);
  const offering = {
    done: false,
    at: undefined as number | undefined,
    fetched: () => site.log.pageFetchedAt.size,
    pages: opts.pages,
  };
  const poller = poll(es, p.cfg.index, obs, offering);
  const { t0, last } = await offer(p, o, opts, obs);
  Object.assign(offering, { done: true, at: last });
  await Promise.race([poller, p.died]);
  site.onPage = undefined;
  const interval = 1000 / opts.pagesPerSecond;
  const pages = Array.from({ length: opts.pages }, (_, k) => opts.fromPage + k);
  return {
    offeredPapersPerSecond: (opts.pages * 50) / ((last - t0) / 1000 + interval / 1000),
    pages: opts.pages,
    total: distinctOver(opts.seed, pages).size,
    found: obs.latency.size,
    ...summarise(obs, site),
    cpuSeconds: byKind(p.cpu.read(), (a, b) => a + b),
    overTime: obs.overTime,
    peakRssMb: byKind(p.rss.take(), Math.max),
    services: await services(),
  };
}
