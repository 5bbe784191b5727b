/**
 * Phase 3 — the physical ceiling: the exact documents the pipeline wrote, read back from its index
 * (search_after over `id`, with their versions), bulk-indexed straight into a fresh index made
 * from the same template, with the same operation the indexer uses (index, external version).
 * Bodies are pre-serialized NDJSON, so the client costs next to nothing: this is what one
 * Elasticsearch node on this machine can absorb. The index follows Elastic's advice for a load
 * (no replicas, `refresh_interval: -1`, one refresh at the end). Batch size and concurrency are
 * tuned first on a sample (one short trial each), then the full run is timed from the first bulk
 * request to the `_count` after the final refresh.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import {
  BULK_LOAD_SETTINGS,
  createPapersIndex,
  deleteIndex,
  esCpuMs,
  indexTimesOf,
  type EsIndexTimes,
  type RunNames,
} from './infra.js';
import { now, searchableAfterRefresh } from './searchable.js';

/** One document as the two NDJSON lines of a bulk `index` action (no `_index`: it goes in the path). */
export type BulkDoc = Buffer;

export async function readBack(
  es: Client,
  index: string,
  filter: object | undefined,
  /** Fields left out of each document (the vectors `--embed` added after the crawl). */
  excludes: string[] = [],
): Promise<{ docs: BulkDoc[]; bytes: number }> {
  const docs: BulkDoc[] = [];
  let bytes = 0;
  let after: (string | number)[] | undefined;
  for (;;) {
    const res = await es.search<Record<string, unknown>>({
      index,
      size: 5000,
      version: true,
      query: filter ? { bool: { filter: [filter] } } : { match_all: {} },
      sort: [{ id: 'asc' }],
      ...(excludes.length ? { _source: { excludes } } : {}),
      ...(after ? { search_after: after } : {}),
    });
    const hits = res.hits.hits;
    for (const h of hits) {
      const action = JSON.stringify({ index: { _id: h._id, version: h._version, version_type: 'external' } });
      const source = JSON.stringify(h._source);
      bytes += source.length;
      docs.push(Buffer.from(`${action}\n${source}\n`));
    }
    if (hits.length < 5000) return { docs, bytes };
    after = hits[hits.length - 1]!.sort as (string | number)[];
  }
}

interface BulkItemResult {
  index?: { status: number; error?: { type: string; reason?: string } };
}

/** Sends `docs` in batches of `size`, `concurrency` requests at a time; resends items pushed back (429). */
export async function bulkAll(
  es: Client,
  index: string,
  docs: BulkDoc[],
  size: number,
  concurrency: number,
): Promise<{ requests: number }> {
  let next = 0;
  let requests = 0;
  const send = async (batch: BulkDoc[]): Promise<void> => {
    for (let attempt = 0; batch.length > 0; attempt++) {
      requests++;
      const res = (await es.transport.request({
        method: 'POST',
        path: `/${encodeURIComponent(index)}/_bulk`,
        bulkBody: Buffer.concat(batch),
      })) as { errors: boolean; items: BulkItemResult[] };
      if (!res.errors) return;
      const again: BulkDoc[] = [];
      res.items.forEach((it, i) => {
        const st = it.index?.status ?? 0;
        if (st === 429 || st >= 500) again.push(batch[i]!);
        else if (st >= 300 && st !== 409)
          throw new Error(`bulk item rejected: ${it.index?.error?.type}: ${it.index?.error?.reason}`);
      });
      if (attempt > 20) throw new Error(`${again.length} bulk items still pushed back after 20 attempts`);
      batch = again;
      if (batch.length) await sleep(100 * (attempt + 1));
    }
  };
  const lane = async (): Promise<void> => {
    while (next < docs.length) {
      const batch = docs.slice(next, next + size);
      next += size;
      await send(batch);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { requests };
}

export interface Trial {
  size: number;
  concurrency: number;
  docsPerSecond: number;
}

export interface CeilingResult {
  /** Documents searchable at the end, of `expected` (every document read back from the pipeline). */
  papers: number;
  expected: number;
  complete: boolean;
  durationSeconds: number;
  papersPerSecond: number;
  bulkSize: number;
  concurrency: number;
  trials: Trial[];
  avgDocBytes: number;
  /** Elasticsearch CPU during the full run (other users' load included). */
  esCpuSeconds: number;
  /** This process's CPU during the full run (sending pre-serialized bulks). */
  clientCpuSeconds: number;
  esIndexStats: Record<string, EsIndexTimes>;
}

const BULK_SIZES = [250, 500, 1000, 2000];
const CONCURRENCIES = [1, 3, 4];
const SAMPLE_DOCS = 10_000;

const fastest = (xs: Trial[]): Trial => xs.reduce((a, b) => (b.docsPerSecond > a.docsPerSecond ? b : a));

/** One short trial: the sample into a fresh bulk-load index, timed to the last bulk response. */
async function trial(es: Client, index: string, sample: BulkDoc[], size: number, concurrency: number) {
  await createPapersIndex(es, index, BULK_LOAD_SETTINGS);
  const t0 = now();
  await bulkAll(es, index, sample, size, concurrency);
  const t: Trial = { size, concurrency, docsPerSecond: sample.length / ((now() - t0) / 1000) };
  await deleteIndex(es, index);
  return t;
}

/** Batch size at 2 concurrent requests first, then the concurrency at the best size. */
async function calibrate(
  es: Client,
  names: RunNames,
  docs: BulkDoc[],
  say: (m: string) => void,
): Promise<{ chosen: Trial; trials: Trial[] }> {
  const sample = docs.slice(0, Math.min(docs.length, SAMPLE_DOCS));
  const trials: Trial[] = [];
  const run = async (size: number, concurrency: number): Promise<Trial> => {
    const t = await trial(es, names.tune(trials.length), sample, size, concurrency);
    trials.push(t);
    say(`[ceiling] trial: bulk ${size} × ${concurrency} concurrent → ${Math.round(t.docsPerSecond)} docs/s`);
    return t;
  };
  const bySize: Trial[] = [];
  for (const size of BULK_SIZES) bySize.push(await run(size, 2));
  const size = fastest(bySize).size;
  const byConcurrency: Trial[] = [fastest(bySize)];
  for (const c of CONCURRENCIES) byConcurrency.push(await run(size, c));
  return { chosen: fastest(byConcurrency), trials };
}

export async function runCeiling(
  es: Client,
  names: RunNames,
  docs: BulkDoc[],
  bytes: number,
  say: (m: string) => void,
): Promise<CeilingResult> {
  const { chosen, trials } = await calibrate(es, names, docs, say);
  say(`[ceiling] full run: ${docs.length} docs, bulk ${chosen.size} × ${chosen.concurrency} concurrent`);
  await createPapersIndex(es, names.ceiling, BULK_LOAD_SETTINGS);
  const cpu0 = await esCpuMs(es);
  const client0 = process.cpuUsage();
  const t0 = now();
  await bulkAll(es, names.ceiling, docs, chosen.size, chosen.concurrency);
  const seen = await searchableAfterRefresh(es, names.ceiling, docs.length);
  const durationSeconds = (seen.at - t0) / 1000;
  const client = process.cpuUsage(client0);
  const esCpuSeconds = ((await esCpuMs(es)) - cpu0) / 1000;
  return {
    papers: seen.count,
    expected: docs.length,
    complete: seen.complete,
    durationSeconds,
    papersPerSecond: seen.count / durationSeconds,
    bulkSize: chosen.size,
    concurrency: chosen.concurrency,
    trials,
    avgDocBytes: docs.length ? bytes / docs.length : 0,
    esCpuSeconds,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    esIndexStats: await indexTimesOf(es, names.ceiling),
  };
}
