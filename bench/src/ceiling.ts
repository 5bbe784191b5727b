/**
 * Phase 3 — the physical ceiling: the exact documents the pipeline wrote, read back from its index
 * (search_after over `id`, with their versions), bulk-indexed straight into a fresh index made
 * from the same template, with the same operation the indexer uses (index, external version).
 * Bodies are pre-serialized NDJSON, so the client costs next to nothing: this is what one
 * Elasticsearch node on this machine can absorb. Batch size and concurrency are tuned first on a
 * sample (one short trial each), then the full run is timed from the first bulk request to the
 * first `_count` poll that sees every document.
 */
import type { Client } from '@elastic/elasticsearch';
import {
  createPapersIndex,
  deleteIndex,
  diffIndexTimes,
  esCpuMs,
  indexTimes,
  type EsIndexTimes,
  type RunNames,
} from './infra.js';
import { now, waitSearchable } from './searchable.js';

/** One document as the two NDJSON lines of a bulk `index` action (no `_index`: it goes in the path). */
export type BulkDoc = Buffer;

export async function readBack(
  es: Client,
  index: string,
  filter: object | undefined,
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
      if (batch.length) await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
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
  papers: number;
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

export async function runCeiling(
  es: Client,
  names: RunNames,
  docs: BulkDoc[],
  bytes: number,
  say: (m: string) => void,
): Promise<CeilingResult> {
  const sample = docs.slice(0, Math.min(docs.length, 10_000));
  const trials: Trial[] = [];
  let k = 0;
  const trial = async (size: number, concurrency: number): Promise<Trial> => {
    const name = names.tune(k++);
    await createPapersIndex(es, name);
    const t0 = now();
    await bulkAll(es, name, sample, size, concurrency);
    const t: Trial = { size, concurrency, docsPerSecond: sample.length / ((now() - t0) / 1000) };
    await deleteIndex(es, name);
    trials.push(t);
    say(`[ceiling] trial: bulk ${size} × ${concurrency} concurrent → ${Math.round(t.docsPerSecond)} docs/s`);
    return t;
  };
  const best = (xs: Trial[]) => xs.reduce((a, b) => (b.docsPerSecond > a.docsPerSecond ? b : a));
  const bySize: Trial[] = [];
  for (const size of [250, 500, 1000, 2000]) bySize.push(await trial(size, 2));
  const size = best(bySize).size;
  const byConc: Trial[] = [best(bySize)];
  for (const c of [1, 3, 4]) byConc.push(await trial(size, c));
  const chosen = best(byConc);
  say(`[ceiling] full run: ${docs.length} docs, bulk ${chosen.size} × ${chosen.concurrency} concurrent`);
  await createPapersIndex(es, names.ceiling);
  const cpu0 = await esCpuMs(es);
  const client0 = process.cpuUsage();
  const t0 = now();
  await bulkAll(es, names.ceiling, docs, chosen.size, chosen.concurrency);
  const seen = await waitSearchable(es, names.ceiling, docs.length, { pollMs: 100, timeoutMs: 120_000 });
  const durationSeconds = (seen.at - t0) / 1000;
  const client = process.cpuUsage(client0);
  const esCpuSeconds = ((await esCpuMs(es)) - cpu0) / 1000;
  const stats = diffIndexTimes(await indexTimes(es, names.tag), {});
  return {
    papers: seen.count,
    durationSeconds,
    papersPerSecond: seen.count / durationSeconds,
    bulkSize: chosen.size,
    concurrency: chosen.concurrency,
    trials,
    avgDocBytes: docs.length ? bytes / docs.length : 0,
    esCpuSeconds,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    esIndexStats: Object.fromEntries(Object.entries(stats).filter(([k]) => k === 'ceiling')),
  };
}
