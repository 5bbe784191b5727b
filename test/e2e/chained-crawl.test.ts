import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { Queue } from 'bullmq';
import { RedisKeys } from '@paperline/core/redis';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

interface Summary {
  fetched: number;
  parsed: number;
  indexed: number;
  unchanged: number;
  duplicates: number;
  failed: number;
}

/** A string that is a time of this run (a fetch or write time), not of the content. */
const isRunTime = (v: unknown) =>
  typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && Math.abs(Date.parse(v) - Date.now()) < 86_400_000;

/** A document without the times of the run that wrote it, which two crawls cannot share. */
function withoutRunTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutRunTimes);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => !isRunTime(x))
      .map(([k, x]) => [k, withoutRunTimes(x)]),
  );
}

/**
 * A document as two crawls of one site can share: without the run's times, and without the page
 * each source view was last seen on (a paper listed on two days keeps the page merged last, which
 * depends on the order pages finish in either way of running).
 */
function comparable(doc: unknown): unknown {
  const d = withoutRunTimes(doc) as { sources?: Array<{ url?: string; record?: { url?: string } }> };
  for (const s of d.sources ?? []) {
    delete s.url;
    delete s.record?.url;
  }
  return d;
}

describe('workers --chain: the same crawl as one process per stage, the same documents', () => {
  const perStage = uniqueNames('e2e-stages');
  const chained = uniqueNames('e2e-chained');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
  });

  afterAll(async () => {
    await site.close();
    await cleanup(redis, es, perStage);
    await cleanup(redis, es, chained);
    redis.disconnect();
    await es.close();
  });

  /** Crawls every day of the site with these workers; returns the summary and every document. */
  async function crawlWith(names: ReturnType<typeof uniqueNames>, extra: string[]) {
    const env = testEnv(names, { HF_BASE_URL: site.url });
    const workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer', extra);
    try {
      const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
      const res = await runCli(['crawl', ...seeds, '--depth', '1', '--wait', '--json'], env);
      expect(res.code, res.stderr).toBe(0);
      await es.indices.refresh({ index: names.index });
      const all = await es.search<Record<string, unknown>>({
        index: names.index,
        size: 1000,
        query: { match_all: {} },
      });
      const docs = new Map(all.hits.hits.map((h) => [h._id!, comparable(h._source)]));
      return { summary: lastJson<Summary>(res.stdout), docs };
    } finally {
      await stopWorkers(workers);
    }
  }

  it('every paper once, each document equal field for field, and no page went through the dedupe or index queue', async () => {
    const a = await crawlWith(perStage, []);
    const b = await crawlWith(chained, ['--chain']);
    const truth = snapshotTruth();
    for (const { summary } of [a, b]) {
      expect(summary).toMatchObject({ indexed: truth.length, unchanged: 0, failed: 0 });
    }
    expect(b.summary).toMatchObject({
      fetched: a.summary.fetched,
      parsed: a.summary.parsed,
      duplicates: a.summary.duplicates,
    });
    expect([...b.docs.keys()].sort()).toEqual(truth.map((p) => `arxiv:${p.id}`).sort());
    expect([...b.docs.keys()].sort()).toEqual([...a.docs.keys()].sort());
    for (const [id, doc] of a.docs) expect(b.docs.get(id), id).toEqual(doc);

    const keys = new RedisKeys(chained.prefix);
    for (const stage of ['parse', 'dedupe', 'index'] as const) {
      const queue = new Queue(stage, { connection: redis, prefix: keys.queuePrefix(stage) });
      const counts = await queue.getJobCounts();
      await queue.close();
      expect(
        Object.values(counts).reduce((n, c) => n + c, 0),
        `${stage} ${JSON.stringify(counts)}`,
      ).toBe(0);
    }
  });
});
