import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Worker, type Job } from 'bullmq';
import { Client } from '@elastic/elasticsearch';
import { STAGES, type ErrorCode } from '@paperline/contracts';
import { CrawlStore, Enqueuer, closeQueues, createQueues } from '@paperline/core/pipeline';
import { listFailed, retryFailed, stageQueueList, startCrawl, status } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';
import { RedisKeys } from '@paperline/core/redis';

const names = uniqueNames('ops');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues = createQueues(redis, names.prefix, { fetchAttempts: 1, failedRetentionSeconds: 3600 });
const crawls = new CrawlStore(redis, names.prefix);
const enqueuer = new Enqueuer(queues, crawls);
/** Nothing listens there: no test here fetches anything. */
const HF = 'http://127.0.0.1:9';
const runtime = {
  crawls,
  enqueuer,
  cfg: {
    bases: { hfBaseUrl: HF, arxivBaseUrl: 'http://127.0.0.1:9/arxiv', arxivApiUrl: 'http://127.0.0.1:9/api' },
  },
};
const ops = { queues: stageQueueList(queues), crawls };
const day = (d: string) => `${HF}/papers/date/${d}`;

type FetchData = { crawlId: string; url: string; depth: number };
const waitingFetches = async (crawlId: string) =>
  (await queues.fetch.getWaiting()).filter((j) => (j.data as FetchData).crawlId === crawlId);

afterAll(async () => {
  await closeQueues(queues);
  const es = new Client({ node: ELASTICSEARCH_URL });
  await cleanup(redis, es, names);
  await es.close();
  redis.disconnect();
});

describe('startCrawl', () => {
  let crawlId: string;

  it('refuses seeds no source parses, naming each of them, and starts nothing', async () => {
    const start = startCrawl(runtime, [day('2024-03-18'), 'https://example.com/x', 'not a url'], {
      depth: 0,
    });
    await expect(start).rejects.toMatchObject({
      code: 'UNSUPPORTED_URL',
      message: expect.stringContaining('no source parses https://example.com/x, not a url'),
    });
    expect(await crawls.recent()).toEqual([]);
    expect(await queues.fetch.getWaitingCount()).toBe(0);
  });

  it('registers the crawl, enqueues one fetch job per distinct seed, and seals it', async () => {
    const seeds = [day('2024-03-18'), day('2024-03-19'), day('2024-03-18')];
    crawlId = await startCrawl(runtime, seeds, { depth: 1, kind: 'ops-test' });
    expect(await crawls.recent()).toEqual([crawlId]);
    expect(await crawls.summary(crawlId)).toMatchObject({ seeds, kind: 'ops-test', finished: false });
    expect(await crawls.openCount(crawlId)).toBe(2);
    const jobs = await waitingFetches(crawlId);
    expect(jobs.map((j) => j.data as FetchData)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ crawlId, url: seeds[0], depth: 1 }),
        expect.objectContaining({ crawlId, url: seeds[1], depth: 1 }),
      ]),
    );
    expect(jobs).toHaveLength(2);
  });

  it('resuming a crawl registers its seeds again: only the unfinished ones run', async () => {
    const before = await crawls.summary(crawlId);
    const jobs = await waitingFetches(crawlId);
    const done = jobs.find((j) => (j.data as FetchData).url === day('2024-03-18'))!;
    await crawls.transition(crawlId, done.id!, 'done');
    await Promise.all(jobs.map((j) => j.remove()));

    const resumed = await startCrawl(runtime, [day('2024-03-18'), day('2024-03-19')], {
      depth: 1,
      crawlId,
      resume: true,
    });
    expect(resumed).toBe(crawlId);
    expect((await waitingFetches(crawlId)).map((j) => (j.data as FetchData).url)).toEqual([
      day('2024-03-19'),
    ]);
    expect((await crawls.summary(crawlId))?.startedAt).toBe(before?.startedAt);
    expect(await crawls.recent()).toEqual([crawlId]);
    await queues.fetch.drain();
  });
});

describe('failed jobs, retries and status', () => {
  /** What the stand-in fetcher answers per seed: an error code, or success. */
  const outcome: Record<string, ErrorCode | 'ok'> = {
    [day('2024-04-01')]: 'HTTP_NOT_FOUND',
    [day('2024-04-02')]: 'HTTP_TIMEOUT',
    [day('2024-04-03')]: 'ok',
  };
  let crawlId: string;
  const jobIdOf = new Map<string, string>();

  /** Resolves once the worker has settled `n` jobs, completed or failed. */
  const settled = (worker: Worker, n: number) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      const count = () => {
        seen += 1;
        if (seen === n) resolve();
      };
      worker.on('completed', count);
      worker.on('failed', count);
    });

  beforeAll(async () => {
    // Stand-ins for the fetcher's and the parser's books: failure records as the runner writes them.
    const fetcher = new Worker(
      'fetch',
      async (job: Job<FetchData>) => {
        const { crawlId: id, url } = job.data;
        jobIdOf.set(url, job.id!);
        const code = outcome[url]!;
        if (code === 'ok') return crawls.transition(id, job.id!, 'done');
        const at = new Date().toISOString();
        await crawls.recordFailure({
          jobId: job.id!,
          crawlId: id,
          stage: 'fetch',
          code,
          message: code,
          url,
          at,
        });
        throw new Error(code);
      },
      { connection: redis, prefix: new RedisKeys(names.prefix).queuePrefix('fetch') },
    );
    // No failure record: the listing falls back to the job's own data and reason.
    const parser = new Worker(
      'parse',
      async (): Promise<void> => {
        throw new Error('parser crashed');
      },
      { connection: redis, prefix: new RedisKeys(names.prefix).queuePrefix('parse') },
    );
    const fetched = settled(fetcher, 3);
    const parsed = settled(parser, 1);
    crawlId = await startCrawl(runtime, Object.keys(outcome), { depth: 0 });
    await queues.parse.add(
      'parse',
      { crawlId, url: day('2024-04-03') },
      { jobId: 'by-hand-parse', attempts: 1 },
    );
    await Promise.all([fetched, parsed]);
    await Promise.all([fetcher.close(), parser.close()]);
    await crawls.quarantine({
      jobId: 'quarantined-1',
      crawlId,
      stage: 'parse',
      code: 'INVALID_RECORD',
      message: 'entry 3: title is missing',
      url: day('2024-04-03'),
      at: new Date().toISOString(),
    });
  });

  it('status: job counts of every stage queue in pipeline order, and the recent crawls newest first', async () => {
    const st = await status(ops);
    expect(Object.keys(st.queues)).toEqual([...STAGES]);
    expect(st.queues.fetch).toMatchObject({ waiting: 0, active: 0, failed: 2, completed: 1 });
    expect(st.queues.parse).toMatchObject({ waiting: 0, failed: 1 });
    expect(st.queues.dedupe).toMatchObject({ waiting: 0, failed: 0, completed: 0 });
    expect(st.crawls.map((c) => c.crawlId)).toEqual([crawlId, (await crawls.recent())[1]]);
    expect(st.crawls[0]).toMatchObject({ fetched: 0, failed: 3, finished: true });
    expect((await status(ops, { crawls: 1 })).crawls.map((c) => c.crawlId)).toEqual([crawlId]);
  });

  it('lists every failed job with its stage, code, URL and crawl, then the quarantined records', async () => {
    const rows = await listFailed(ops);
    expect(rows).toHaveLength(4);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          jobId: jobIdOf.get(day('2024-04-01')),
          stage: 'fetch',
          code: 'HTTP_NOT_FOUND',
          url: day('2024-04-01'),
          crawlId,
          attempts: 1,
        }),
        expect.objectContaining({ stage: 'fetch', code: 'HTTP_TIMEOUT', url: day('2024-04-02'), crawlId }),
        expect.objectContaining({
          jobId: 'by-hand-parse',
          stage: 'parse',
          code: 'UNKNOWN',
          message: 'parser crashed',
          url: day('2024-04-03'),
          crawlId,
        }),
        expect.objectContaining({
          jobId: 'quarantined-1',
          stage: 'parse',
          code: 'INVALID_RECORD',
          attempts: 0,
        }),
      ]),
    );
    expect(rows.every((r) => !Number.isNaN(Date.parse(r.failedAt)))).toBe(true);
  });

  it('filters by stage, code and crawl, and reads at most `limit` jobs per queue', async () => {
    const ids = async (filter: Parameters<typeof listFailed>[1], limit?: number) =>
      (await listFailed(ops, filter, limit)).map((r) => r.jobId).sort();
    expect(await ids({ stage: 'fetch' })).toEqual(
      [jobIdOf.get(day('2024-04-01')), jobIdOf.get(day('2024-04-02'))].sort(),
    );
    expect(await ids({ code: 'HTTP_TIMEOUT' })).toEqual([jobIdOf.get(day('2024-04-02'))]);
    expect(await ids({ stage: 'parse', code: 'INVALID_RECORD' })).toEqual(['quarantined-1']);
    expect(await ids({ crawl: 'c-none' })).toEqual([]);
    expect(await ids({ stage: 'fetch' }, 1)).toHaveLength(1);
  });

  it('retrying by code puts only those jobs back in their queue and reopens their crawl', async () => {
    const notFound = jobIdOf.get(day('2024-04-01'))!;
    expect(await retryFailed(ops, { code: 'HTTP_NOT_FOUND' })).toEqual([{ jobId: notFound, stage: 'fetch' }]);
    expect(await queues.fetch.getJobState(notFound)).toBe('waiting');
    expect(await queues.fetch.getJobState(jobIdOf.get(day('2024-04-02'))!)).toBe('failed');
    expect(await crawls.jobState(crawlId, notFound)).toBe('pending');
    expect(await crawls.openCount(crawlId)).toBe(1);
    expect(await crawls.summary(crawlId)).toMatchObject({ finished: false, failed: 2 });
  });

  it('retrying one job by id finds it in whichever queue holds it; an unknown id or a quarantined record retries nothing', async () => {
    expect(await retryFailed(ops, { jobId: 'by-hand-parse' })).toEqual([
      { jobId: 'by-hand-parse', stage: 'parse' },
    ]);
    expect(await queues.parse.getJobState('by-hand-parse')).toBe('waiting');
    expect(await retryFailed(ops, { jobId: 'no-such-job' })).toEqual([]);
    expect(await retryFailed(ops, { jobId: 'quarantined-1' })).toEqual([]);
  });

  it('retrying everything of a stage takes the failed jobs left, and the listing no longer shows them', async () => {
    const timeout = jobIdOf.get(day('2024-04-02'))!;
    expect(await retryFailed(ops, { stage: 'fetch' })).toEqual([{ jobId: timeout, stage: 'fetch' }]);
    expect(await retryFailed(ops, {})).toEqual([]);
    expect((await listFailed(ops)).map((r) => r.jobId)).toEqual(['quarantined-1']);
    expect(await crawls.openCount(crawlId)).toBe(3); // both fetches and the parse job
  });
});
