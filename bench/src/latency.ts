/**
 * Phase 2 — latency at a steady offered rate. One crawl is fed one listing page every
 * 1000 / pagesPerSecond ms (50 entries a page: 10 pages/s = 500 papers/s) on pages no earlier
 * phase used, so every paper is new to the index. A paper's start is the arrival time, at the
 * site, of the first request for a page listing it; its end is the start of the first 100 ms poll
 * (an `ids` query over all still-pending papers, no refresh forced) that finds it. Each latency is
 * therefore late by at most one poll interval plus one search round trip.
 */
import type { Client } from '@elastic/elasticsearch';
import { dateOf, pageRefs, arxivIdOf } from './model.js';
import type { Pipeline, PipelineOptions, ServiceCpu } from './pipeline.js';
import { serviceCpuWindow } from './pipeline.js';
import { now } from './searchable.js';
import { newCrawlId } from '@paperline/core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LatencyResult {
  offeredPapersPerSecond: number;
  pages: number;
  papers: number;
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

export async function runLatency(
  p: Pipeline,
  o: PipelineOptions,
  opts: { seed: number; fromPage: number; pages: number; pagesPerSecond: number },
): Promise<LatencyResult> {
  const { site, es, say } = o;
  site.reset();
  p.rss.take();
  p.cpu.mark();
  const services = await serviceCpuWindow(es, o.redis);
  const firstSeen = new Map<string, number>();
  const pending = new Set<string>();
  const latency = new Map<string, number>();
  /** Fetch → merged by the deduplicator (the record's updatedAt): splits latency into before/after dedupe. */
  const toMerge: number[] = [];
  const seededAt = new Map<number, number>();
  /** Soak: papers searchable and worker RSS every few seconds (growth would show here). */
  const searchableOverTime: Array<{ t: number; searchable: number; rssMb: Record<string, number> }> = [];
  site.onPage = (page, at) => {
    for (const r of pageRefs(opts.seed, page)) {
      const id = `arxiv:${arxivIdOf(r.g, r.home)}`;
      if (!firstSeen.has(id)) {
        firstSeen.set(id, at);
        pending.add(id);
      }
    }
  };
  let seeding = true;
  let lastSeedAt: number | undefined = undefined;
  const poller = (async () => {
    while (seeding || pending.size > 0) {
      const at = now();
      const ids = [...pending].slice(0, 10_000);
      if (ids.length > 0) {
        for (const { id, mergedAt } of await findIds(es, p.cfg.index, ids)) {
          latency.set(id, at - firstSeen.get(id)!);
          if (Number.isFinite(mergedAt)) toMerge.push(mergedAt - firstSeen.get(id)!);
          pending.delete(id);
        }
      }
      await sleep(Math.max(0, 100 - (now() - at)));
      if (!seeding && lastSeedAt !== undefined && now() - lastSeedAt > 120_000) break;
    }
  })();
  const crawlId = newCrawlId();
  await p.crawls.create(crawlId, [], { depth: 0, kind: 'bench-latency' });
  const interval = 1000 / opts.pagesPerSecond;
  const t0 = now();
  say(
    `[latency] offering ${opts.pagesPerSecond} pages/s (${opts.pagesPerSecond * 50} papers/s) for ${opts.pages} pages`,
  );
  for (let k = 0; k < opts.pages; k++) {
    const due = t0 + k * interval;
    if (due > now()) await Promise.race([sleep(due - now()), p.died]);
    const page = opts.fromPage + k;
    seededAt.set(page, now());
    await p.enqueuer.enqueue('seed', [
      { stage: 'fetch', payload: { crawlId, url: `${site.url}/papers/date/${dateOf(page)}`, depth: 0 } },
    ]);
    if (k % Math.round(opts.pagesPerSecond * 5) === 0 && k > 0) {
      const done = [...latency.values()].sort((a, b) => a - b);
      const rss = p.rss.timeline[p.rss.timeline.length - 1] ?? {};
      const rssText = Object.entries(rss)
        .map(([k2, v]) => `${k2} ${v}`)
        .join(' ');
      say(
        `[latency] ${((now() - t0) / 1000).toFixed(0)} s  seeded ${k} pages  searchable ${done.length}  pending ${pending.size}  p50 so far ${Math.round(quantile(done, 0.5))} ms  rss MB: ${rssText}`,
      );
      searchableOverTime.push({ t: Math.round((now() - t0) / 1000), searchable: done.length, rssMb: rss });
    }
  }
  lastSeedAt = now();
  await p.crawls.seal(crawlId);
  seeding = false;
  await Promise.race([poller, p.died]);
  site.onPage = undefined;
  const offered = (opts.pages * 50) / ((lastSeedAt - t0) / 1000 + interval / 1000);
  const byFetch = [...latency.entries()].sort((a, b) => firstSeen.get(a[0])! - firstSeen.get(b[0])!);
  const half = Math.floor(byFetch.length / 2);
  const sortedOf = (xs: Array<[string, number]>) => xs.map((x) => x[1]).sort((a, b) => a - b);
  const all = sortedOf(byFetch);
  const s2f = [...seededAt.entries()]
    .map(([page, t]) => (site.log.pageFetchedAt.get(page) ?? NaN) - t)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    offeredPapersPerSecond: offered,
    pages: opts.pages,
    papers: firstSeen.size,
    found: latency.size,
    p50Ms: quantile(all, 0.5),
    p90Ms: quantile(all, 0.9),
    p99Ms: quantile(all, 0.99),
    maxMs: all[all.length - 1] ?? NaN,
    p50FirstHalfMs: quantile(sortedOf(byFetch.slice(0, half)), 0.5),
    p50SecondHalfMs: quantile(sortedOf(byFetch.slice(half)), 0.5),
    fetchToMergeP50Ms: quantile(
      toMerge.sort((a, b) => a - b),
      0.5,
    ),
    fetchToMergeP99Ms: quantile(toMerge, 0.99),
    seedToFetchP50Ms: quantile(s2f, 0.5),
    seedToFetchP99Ms: quantile(s2f, 0.99),
    cpuSeconds: p.cpu.read(),
    overTime: searchableOverTime,
    peakRssMb: p.rss.take(),
    services: await services(),
  };
}
