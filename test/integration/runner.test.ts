import { once } from 'node:events';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { QueueEvents, type Job, type Worker } from 'bullmq';
import {
  PaperlineError,
  PermanentError,
  RateLimitedError,
  TransientError,
  type JobOutcome,
  type Stage,
} from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import {
  CrawlStore,
  Enqueuer,
  HostLimiter,
  closeQueues,
  createQueues,
  createStageWorker,
  waitForCrawl,
  type Processor,
} from '@paperline/core/pipeline';
import { REDIS_URL, uniqueNames } from '../helpers/env.js';
import { Client } from '@elastic/elasticsearch';
import { ELASTICSEARCH_URL, cleanup } from '../helpers/env.js';
import { RedisKeys } from '@paperline/core/redis';

const names = uniqueNames('runner');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues = createQueues(redis, names.prefix, { fetchAttempts: 3, failedRetentionSeconds: 3600 });
const crawls = new CrawlStore(redis, names.prefix);
const enqueuer = new Enqueuer(queues, crawls);
const log = createLogger({ level: 'silent' });

afterAll(async () => {
  await closeQueues(queues);
  const es = new Client({ node: ELASTICSEARCH_URL });
  await cleanup(redis, es, names);
  await es.close();
  redis.disconnect();
});

/** A stage worker on this file's queues; every outcome it reports lands in `outcomes`. */
function startWorker<S extends Stage>(
  stage: S,
  processor: Processor<S>,
  opts: { timeoutMs?: number; enqueuer?: Enqueuer } = {},
): { worker: Worker; outcomes: JobOutcome[] } {
  const outcomes: JobOutcome[] = [];
  const worker = createStageWorker(stage, processor, {
    connection: redis,
    prefix: names.prefix,
    concurrency: 2,
    timeoutMs: opts.timeoutMs ?? 30_000,
    crawls,
    enqueuer: opts.enqueuer ?? enqueuer,
    log,
    onOutcome: (_stage, outcome) => outcomes.push(outcome),
  });
  return { worker, outcomes };
}

/** Creates a crawl of one fetch job for `url`, sealed; returns the job's id. */
async function crawlOfOne(crawlId: string, url: string): Promise<string> {
  await crawls.create(crawlId, [url], { depth: 0 });
  const [jobId] = await enqueuer.enqueue('seed', [{ stage: 'fetch', payload: { crawlId, url, depth: 0 } }]);
  await crawls.seal(crawlId);
  return jobId!;
}

/** Resolves with the error of the next failed run the worker reports. */
async function nextFailure(worker: Worker): Promise<{ job: Job; err: Error }> {
  const [job, err] = (await once(worker, 'failed')) as [Job, Error];
  return { job, err };
}

describe('stage runner: one handler per error class', () => {
  it('a poison payload fails at once, unretried, recorded with its code; the crawl still finishes', async () => {
    const { worker } = startWorker('parse', async () => ({ outcome: 'parsed' }));
    await crawls.create('cpoison', [], { depth: 0 });
    await crawls.register('cpoison', ['poison1']);
    await crawls.seal('cpoison');
    const events = new QueueEvents('parse', {
      connection: redis.duplicate(),
      prefix: new RedisKeys(names.prefix).queuePrefix('parse'),
    });
    await events.waitUntilReady();
    const failed = new Promise<string>((resolve) =>
      events.on('failed', ({ failedReason }) => resolve(failedReason)),
    );
    await queues.parse.add(
      'parse',
      { crawlId: 'cpoison', url: 'not a url', sha256: 'xyz' },
      { jobId: 'poison1' },
    );
    expect(await failed).toContain('INVALID_PAYLOAD');
    const job = await queues.parse.getJob('poison1');
    expect(job?.attemptsMade).toBe(1);
    expect((await crawls.failures(['poison1'])).get('poison1')).toMatchObject({
      code: 'INVALID_PAYLOAD',
      stage: 'parse',
    });
    const s = await waitForCrawl(crawls, 'cpoison', { timeoutMs: 10_000 });
    expect(s).toMatchObject({ finished: true, failed: 1 });
    await events.close();
    await worker.close();
  });

  it('a permanent error fails the job on its first attempt, recorded and counted once with its code', async () => {
    let calls = 0;
    const { worker, outcomes } = startWorker('fetch', async () => {
      calls += 1;
      throw new PermanentError('HTTP_NOT_FOUND', 'GET http://127.0.0.1:1/gone: 404');
    });
    const jobId = await crawlOfOne('cperm', 'http://127.0.0.1:1/gone');
    const s = await waitForCrawl(crawls, 'cperm', { timeoutMs: 10_000, pollMs: 100 });
    expect(s).toMatchObject({ finished: true, failed: 1 });
    expect(calls).toBe(1);
    // The books record the failure inside the run; BullMQ moves the job to failed just after.
    await vi.waitFor(async () => expect(await queues.fetch.getJobState(jobId)).toBe('failed'), {
      timeout: 10_000,
      interval: 20,
    });
    expect((await queues.fetch.getJob(jobId))?.attemptsMade).toBe(1);
    expect((await crawls.failures([jobId])).get(jobId)).toMatchObject({
      code: 'HTTP_NOT_FOUND',
      stage: 'fetch',
    });
    await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(outcomes).toEqual([{ kind: 'failed', code: 'HTTP_NOT_FOUND' }]);
    await worker.close();
  });

  it('transient errors retry with backoff, recorded only if the last attempt fails; the success is counted once', async () => {
    let calls = 0;
    const { worker, outcomes } = startWorker('fetch', async () => {
      calls += 1;
      if (calls < 3) throw new TransientError('HTTP_SERVER_ERROR', 'upstream 503');
      return { outcome: 'fetched' };
    });
    const jobId = await crawlOfOne('cretry', 'http://127.0.0.1:1/x');
    const s = await waitForCrawl(crawls, 'cretry', { timeoutMs: 30_000, pollMs: 100 });
    expect(calls).toBe(3);
    expect(s).toMatchObject({ finished: true, failed: 0 });
    expect(await crawls.openCount('cretry')).toBe(0);
    expect((await crawls.failures([jobId])).size).toBe(0);
    // The crawl can finish a moment before the runner reports the last run's outcome.
    await vi.waitFor(() => expect(outcomes).toHaveLength(3), { timeout: 10_000, interval: 20 });
    expect(outcomes).toEqual([
      { kind: 'failed', code: 'HTTP_SERVER_ERROR' },
      { kind: 'failed', code: 'HTTP_SERVER_ERROR' },
      { kind: 'done', outcome: 'fetched' },
    ]);
    await worker.close();
  });

  it('a rate-limited job waits the Retry-After the server asked for, using one attempt', async () => {
    const { worker, outcomes } = startWorker('fetch', async () => {
      throw new RateLimitedError('429 from 127.0.0.1:1', 60_000);
    });
    const failure = nextFailure(worker);
    const jobId = await crawlOfOne('crate', 'http://127.0.0.1:1/busy');
    const { err } = await failure;
    await worker.close();
    expect((err as PaperlineError).code).toBe('HTTP_RATE_LIMITED');
    const job = (await queues.fetch.getJob(jobId))!;
    expect(await job.getState()).toBe('delayed');
    expect(job.attemptsMade).toBe(1);
    expect(job.delay).toBe(60_000);
    expect((await crawls.failures([jobId])).size).toBe(0);
    expect(outcomes).toEqual([{ kind: 'failed', code: 'HTTP_RATE_LIMITED' }]);
    await job.remove();
  });

  it('an Elasticsearch outage is waited out without using attempts or recording failures', async () => {
    let calls = 0;
    const { worker, outcomes } = startWorker('index', async () => {
      calls += 1;
      if (calls < 3) throw new TransientError('INDEX_UNAVAILABLE', 'bulk write failed: connection refused');
      return { outcome: 'indexed' };
    });
    await crawls.create('coutage', [], { depth: 0 });
    const [jobId] = await enqueuer.enqueue('seed', [
      { stage: 'index', payload: { crawlId: 'coutage', url: 'http://127.0.0.1:1/p', docs: [] } },
    ]);
    await crawls.seal('coutage');
    const s = await waitForCrawl(crawls, 'coutage', { timeoutMs: 30_000, pollMs: 100 });
    expect(s).toMatchObject({ finished: true, failed: 0 });
    expect(calls).toBe(3);
    // The crawl's books close inside the run; BullMQ counts the attempt when it completes the job.
    await vi.waitFor(async () => expect(await queues.index.getJobState(jobId!)).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    const job = (await queues.index.getJob(jobId!))!;
    expect(job.attemptsStarted).toBe(3);
    expect(job.attemptsMade).toBe(1); // the run that succeeded: the two waits used none
    await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(outcomes).toEqual([{ kind: 'done', outcome: 'indexed' }]);
    await worker.close();
  });
});

describe('stage runner: time limits and shutdown', () => {
  it('a job over its stage time limit is aborted and fails as JOB_TIMEOUT, naming stage and limit', async () => {
    let seen: AbortSignal | undefined;
    // Never settles and ignores its signal: the limit must still end the run.
    const { worker, outcomes } = startWorker(
      'fetch',
      (_payload, ctx) => {
        seen = ctx.signal;
        return new Promise(() => undefined);
      },
      { timeoutMs: 300 },
    );
    const failure = nextFailure(worker);
    const jobId = await crawlOfOne('ctimeout', 'http://127.0.0.1:1/slow');
    const { err } = await failure;
    await worker.close();
    expect(err).toBeInstanceOf(TransientError);
    expect((err as PaperlineError).code).toBe('JOB_TIMEOUT');
    expect(err.message).toContain('fetch job of http://127.0.0.1:1/slow');
    expect(err.message).toContain('300 ms');
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as PaperlineError).code).toBe('JOB_TIMEOUT');
    const job = (await queues.fetch.getJob(jobId))!;
    expect(await job.getState()).toBe('delayed'); // retried, as transient errors are
    expect(outcomes).toEqual([{ kind: 'failed', code: 'JOB_TIMEOUT' }]);
    await job.remove();
  });

  it("shutdown ends a job's politeness nap and puts it back untouched; the next worker runs it", async () => {
    const limiter = new HostLimiter(redis, names.prefix, () => 120_000, 300_000);
    expect((await limiter.reserve('slow.example')).kind).toBe('go'); // the next slot is 2 min away
    let napping!: () => void;
    const entered = new Promise<void>((r) => (napping = r));
    const first = startWorker('fetch', async (_payload, ctx) => {
      napping();
      await limiter.reserve('slow.example', ctx.signal);
      return { outcome: 'fetched' };
    });
    const jobId = await crawlOfOne('cnap', 'http://127.0.0.1:1/nap');
    await entered;
    await first.worker.close(); // would wait out the 2-minute nap without the signal
    const job = (await queues.fetch.getJob(jobId))!;
    expect(['delayed', 'waiting']).toContain(await job.getState());
    expect(job.attemptsMade).toBe(0);
    expect(first.outcomes).toEqual([]);
    expect(await crawls.openCount('cnap')).toBe(1);

    const second = startWorker('fetch', async () => ({ outcome: 'fetched' }));
    const s = await waitForCrawl(crawls, 'cnap', { timeoutMs: 10_000, pollMs: 100 });
    expect(s).toMatchObject({ finished: true, failed: 0 });
    await vi.waitFor(() => expect(second.outcomes).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(second.outcomes).toEqual([{ kind: 'done', outcome: 'fetched' }]);
    await second.worker.close();
  });

  it('shutdown ends a wait for room downstream (backpressure); the job goes back, nothing is added', async () => {
    const tight = new Enqueuer(queues, crawls, { maxBacklog: 10 });
    await queues.parse.addBulk(
      Array.from({ length: 10 }, (_, i) => ({
        name: 'parse',
        data: { filler: i },
        opts: { jobId: `fill${i}` },
      })),
    );
    let processed!: () => void;
    const done = new Promise<void>((r) => (processed = r));
    const { worker, outcomes } = startWorker(
      'fetch',
      async (payload) => {
        processed();
        return {
          outcome: 'fetched',
          emit: [
            {
              stage: 'parse',
              payload: {
                crawlId: payload.crawlId,
                url: payload.url,
                finalUrl: payload.url,
                sha256: 'a'.repeat(64),
                contentType: 'text/html',
                status: 200,
                fetchedAt: new Date().toISOString(),
                depth: 0,
                source: 'hf',
              },
            },
          ],
        };
      },
      { enqueuer: tight },
    );
    const jobId = await crawlOfOne('cfull', 'http://127.0.0.1:1/full');
    await done;
    await worker.close(); // would wait for room forever without the signal
    const job = (await queues.fetch.getJob(jobId))!;
    expect(['delayed', 'waiting']).toContain(await job.getState());
    expect(job.attemptsMade).toBe(0);
    expect(outcomes).toEqual([]);
    expect((await queues.parse.getJobCounts('waiting')).waiting).toBe(10);
    expect(await crawls.openCount('cfull')).toBe(1);
  });
});
