import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { Queue } from 'bullmq';
import { STAGES, type Stage } from '@paperline/contracts';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { RedisKeys } from '@paperline/core/redis';
import {
  RSS_LIMIT_MIB,
  failedRows,
  indexedIds,
  isAlive,
  sampleWorkerRss,
  waitFor,
  waitForStageWorkers,
  type Summary,
} from '../helpers/faults.js';

const POISON_CRAWL = 'cpoison-000000';
const url = 'http://127.0.0.1:9/papers/2403.00001';

/** Payloads that fail each stage's schema: one of a (fake) crawl, one with no crawl at all. */
const POISON: Record<Stage, Array<{ name: string; data: unknown }>> = {
  fetch: [
    { name: 'bad-url', data: { crawlId: POISON_CRAWL, url: 'not a url', depth: 0 } },
    { name: 'no-crawl', data: { junk: true } },
  ],
  parse: [
    { name: 'bad-sha', data: { crawlId: POISON_CRAWL, url, finalUrl: url, sha256: 'xyz', depth: 0 } },
    { name: 'no-crawl', data: 'not even an object' },
  ],
  dedupe: [
    { name: 'bad-candidates', data: { crawlId: POISON_CRAWL, url, candidates: 'nope' } },
    { name: 'no-crawl', data: [1, 2, 3] },
  ],
  enrich: [
    { name: 'bad-round', data: { crawlId: POISON_CRAWL, url, round: 0 } },
    { name: 'no-crawl', data: { round: 'next' } },
  ],
  index: [
    {
      name: 'bad-doc',
      data: { crawlId: POISON_CRAWL, url, docs: [{ id: '', version: -1, doc: {} }] },
    },
    { name: 'no-crawl', data: { crawlId: 42, docs: null } },
  ],
  embed: [
    { name: 'bad-hash', data: { crawlId: POISON_CRAWL, url, id: 'arxiv:2403.00001', textHash: 'nope' } },
    { name: 'no-crawl', data: { id: 7 } },
  ],
};

describe('poison jobs on every queue', () => {
  const names = uniqueNames('f-poison');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('fail at once with INVALID_PAYLOAD, are listed, are not retried, and good work goes on', async () => {
    // Every queue, the embed and enrich stages' included (arXiv look-ups at the snapshot's API).
    const env = testEnv(names, {
      HF_BASE_URL: site.url,
      ARXIV_BASE_URL: site.arxivBaseUrl,
      ARXIV_API_URL: site.arxivApiUrl,
      PAPERLINE_ARXIV_INTERVAL_MS: '100',
      PAPERLINE_EMBED: '1',
      PAPERLINE_ENRICH: '1',
    });
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer,embedder');
    const rss = sampleWorkerRss(() => (workers ? [workers] : []));
    // Start-up (five processes, one loading the model) can take a minute on a loaded 2-core machine.
    await waitForStageWorkers(REDIS_URL, names.prefix, STAGES, 180_000);
    const queues = Object.fromEntries(
      STAGES.map((s) => [
        s,
        new Queue(s, { connection: redis, prefix: new RedisKeys(names.prefix).queuePrefix(s) }),
      ]),
    ) as Record<Stage, Queue>;

    // Added straight to the queues, past every producer's validation, with attempts to spare.
    const added: Array<{ stage: Stage; id: string }> = [];
    for (const stage of STAGES) {
      for (const p of POISON[stage]) {
        const job = await queues[stage].add(stage, p.data, {
          jobId: `poison.${stage}.${p.name}`,
          attempts: 5,
          backoff: { type: 'fixed', delay: 200 },
        });
        added.push({ stage, id: job.id! });
      }
    }
    // Good work at the same time: one day of the snapshot.
    const day = site.days[0]!;
    const crawl = runCli(['crawl', `${site.url}/papers/date/${day}`, '--wait', '--json'], env);

    await waitFor(
      'every poison job to fail',
      async () =>
        (await Promise.all(added.map((a) => queues[a.stage].getJobState(a.id)))).every((s) => s === 'failed'),
      120_000,
      200,
    );
    const res = await crawl;
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    const dayPapers = snapshotTruth().filter((p) => p.days.includes(day));
    expect(s).toMatchObject({ failed: 0, indexed: dayPapers.length });
    expect((await indexedIds(es, names.index)).sort()).toEqual(dayPapers.map((p) => `arxiv:${p.id}`).sort());

    // One attempt each, though five were allowed. The failed set is final: BullMQ moves a job it
    // will retry to delayed or wait, never to failed, so failed with attempts to spare proves that
    // no retry was scheduled (only a `retry` command brings such a job back).
    for (const a of added) {
      await waitFor(
        `${a.id} to be failed`,
        async () => (await queues[a.stage].getJobState(a.id)) === 'failed',
      );
      const job = (await queues[a.stage].getJob(a.id))!;
      expect(job.attemptsMade, a.id).toBe(1);
      expect(job.opts.attempts, a.id).toBe(5);
    }
    const rows = await failedRows(env);
    expect(rows.map((r) => [r.jobId, r.stage, r.code]).sort()).toEqual(
      added.map((a) => [a.id, a.stage, 'INVALID_PAYLOAD']).sort(),
    );
    for (const r of rows) expect(r.message, r.jobId).toMatch(/invalid \w+ job payload/);

    await Promise.all(STAGES.map((st) => queues[st].close()));
    expect(isAlive(workers), 'workers still running').toBe(true);
    const peak = rss.stop();
    for (const [kind, mb] of peak) expect(mb, `${kind} RSS`).toBeLessThan(RSS_LIMIT_MIB);
    process.stderr.write(
      `[faults] poison: ${added.length} poison jobs failed once each; good crawl ${JSON.stringify(s)}; ` +
        `failed rows ${JSON.stringify(rows.map((r) => [r.jobId, r.stage, r.code, r.attempts]))}\n`,
    );
  });
});
