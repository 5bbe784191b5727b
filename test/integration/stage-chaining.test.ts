import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { TransientError, type JobOutcome, type JobPayloads, type Stage } from '@paperline/contracts';
import type { Worker } from 'bullmq';
import { createLogger } from '@paperline/core/process';
import {
  CrawlStore,
  Enqueuer,
  LocalStages,
  closeQueues,
  createQueues,
  createStageWorker,
  jobIdFor,
  waitForCrawl,
  type Processor,
} from '@paperline/core/pipeline';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

const names = uniqueNames('chain');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues = createQueues(redis, names.prefix, { fetchAttempts: 3, failedRetentionSeconds: 3600 });
const crawls = new CrawlStore(redis, names.prefix);
const enqueuer = new Enqueuer(queues, crawls);
const log = createLogger({ level: 'silent' });

/** Every worker a test started: closed after it, even when it failed half-way. */
const running: Worker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.close(true)));
});

afterAll(async () => {
  await closeQueues(queues);
  const es = new Client({ node: ELASTICSEARCH_URL });
  await cleanup(redis, es, names);
  await es.close();
  redis.disconnect();
});

/** A stage worker on this file's queues, chaining into `local`; outcomes of every stage it ran land in `outcomes`. */
function startWorker<S extends Stage>(stage: S, processor: Processor<S>, local: LocalStages) {
  const outcomes: Array<{ stage: Stage; outcome: JobOutcome }> = [];
  const worker = createStageWorker(stage, processor, {
    connection: redis,
    prefix: names.prefix,
    concurrency: 2,
    timeoutMs: 30_000,
    crawls,
    enqueuer,
    local,
    log,
    onOutcome: (s, outcome) => outcomes.push({ stage: s, outcome }),
  });
  running.push(worker);
  return { worker, outcomes };
}

const url = (crawlId: string, path: string) => `http://127.0.0.1:1/${crawlId}/${path}`;

const parseJob = (crawlId: string): JobPayloads['parse'] => ({
  crawlId,
  url: url(crawlId, 'page'),
  finalUrl: url(crawlId, 'page'),
  sha256: 'a'.repeat(64),
  contentType: 'text/html',
  status: 200,
  fetchedAt: new Date().toISOString(),
  depth: 0,
  source: 'hf',
});
const dedupeJob = (crawlId: string): JobPayloads['dedupe'] => ({
  crawlId,
  url: url(crawlId, 'page'),
  candidates: [],
});
const indexJob = (crawlId: string): JobPayloads['index'] => ({
  crawlId,
  url: url(crawlId, 'page'),
  docs: [],
});

/** Jobs of a queue in any state. */
async function jobsIn(stage: 'dedupe' | 'index'): Promise<number> {
  return Object.values(await queues[stage].getJobCounts()).reduce((a, b) => a + b, 0);
}

/** A sealed crawl of one parse job. */
async function crawlOfOneParse(crawlId: string): Promise<string> {
  await crawls.create(crawlId, [], { depth: 0 });
  const [jobId] = await enqueuer.enqueue('seed', [{ stage: 'parse', payload: parseJob(crawlId) }]);
  await crawls.seal(crawlId);
  return jobId!;
}

/** A chained stage's processor that records the job id it ran under and returns `result`. */
function recording<S extends Stage>(ids: string[], result: () => Promise<Awaited<ReturnType<Processor<S>>>>) {
  return (async (_payload, ctx) => {
    ids.push(ctx.jobId);
    return result();
  }) as Processor<Stage>;
}

describe('stage chaining: a process that runs consecutive stages hands the page on in memory', () => {
  it('a parse job runs dedupe and index in place, under the ids their jobs would have; it completes only after them', async () => {
    const crawlId = 'cchain1';
    const dedupeIds: string[] = [];
    const indexIds: string[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let indexEntered = false;
    const local = new LocalStages();
    local.add('dedupe', {
      timeoutMs: 30_000,
      processor: recording(dedupeIds, async () => ({
        outcome: 'changed',
        emit: [{ stage: 'index', payload: indexJob(crawlId) }],
      })),
    });
    local.add('index', {
      timeoutMs: 30_000,
      processor: recording(indexIds, async () => {
        indexEntered = true;
        await gate;
        return { outcome: 'indexed' };
      }),
    });
    const { worker, outcomes } = startWorker(
      'parse',
      async () => ({ outcome: 'parsed', emit: [{ stage: 'dedupe', payload: dedupeJob(crawlId) }] }),
      local,
    );
    const parseId = await crawlOfOneParse(crawlId);

    await vi.waitFor(() => expect(indexEntered).toBe(true), { timeout: 10_000, interval: 10 });
    // Mid-chain: the parse job holds the page, the crawl stays open, nothing went through the queues.
    expect(await queues.parse.getJobState(parseId)).toBe('active');
    expect(await crawls.openCount(crawlId)).toBe(1);
    expect(await jobsIn('dedupe')).toBe(0);
    expect(await jobsIn('index')).toBe(0);

    openGate();
    const s = await waitForCrawl(crawls, crawlId, { timeoutMs: 10_000, pollMs: 50 });
    expect(s).toMatchObject({ finished: true, failed: 0 });
    expect(dedupeIds).toEqual([jobIdFor('dedupe', dedupeJob(crawlId))]);
    expect(indexIds).toEqual([jobIdFor('index', indexJob(crawlId))]);
    await vi.waitFor(async () => expect(await queues.parse.getJobState(parseId)).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    expect(outcomes.map((o) => o.stage).sort()).toEqual(['dedupe', 'index', 'parse']);
    expect(outcomes.every((o) => o.outcome.kind === 'done')).toBe(true);
    await worker.close();
  });

  it('a chained stage that fails goes to its queue as the job it would have been, and its worker finishes it', async () => {
    const crawlId = 'cchain2';
    let dedupeRuns = 0;
    const indexIds: string[] = [];
    const local = new LocalStages();
    const dedupe: Processor<'dedupe'> = async () => {
      dedupeRuns += 1;
      if (dedupeRuns === 1) throw new TransientError('INDEX_UNAVAILABLE', 'cache read refused');
      return { outcome: 'changed', emit: [{ stage: 'index', payload: indexJob(crawlId) }] };
    };
    local.add('dedupe', { timeoutMs: 30_000, processor: dedupe as Processor<Stage> });
    local.add('index', {
      timeoutMs: 30_000,
      processor: recording(indexIds, async () => ({ outcome: 'indexed' })),
    });
    const parser = startWorker(
      'parse',
      async () => ({ outcome: 'parsed', emit: [{ stage: 'dedupe', payload: dedupeJob(crawlId) }] }),
      local,
    );
    const parseId = await crawlOfOneParse(crawlId);
    const dedupeId = jobIdFor('dedupe', dedupeJob(crawlId));
    await vi.waitFor(async () => expect(await queues.parse.getJobState(parseId)).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    // The parse job is done; the page waits in the dedupe queue, and keeps the crawl open.
    expect(await queues.dedupe.getJobState(dedupeId)).toBe('waiting');
    expect(await crawls.openCount(crawlId)).toBe(1);

    const deduplicator = startWorker('dedupe', dedupe, local);
    const s = await waitForCrawl(crawls, crawlId, { timeoutMs: 10_000, pollMs: 50 });
    expect(s).toMatchObject({ finished: true, failed: 0 });
    expect(dedupeRuns).toBe(2);
    // The queued dedupe job chained the index stage in its turn.
    expect(indexIds).toEqual([jobIdFor('index', indexJob(crawlId))]);
    expect(await jobsIn('index')).toBe(0);
    await parser.worker.close();
    await deduplicator.worker.close();
  });

  it('edges off the main line, and a process with chaining turned off, go through the queues', async () => {
    const on = new LocalStages();
    const off = new LocalStages(false);
    const dedupeIds: string[] = [];
    for (const local of [on, off])
      local.add('dedupe', {
        timeoutMs: 30_000,
        processor: recording(dedupeIds, async () => ({ outcome: 'changed' })),
      });
    const link = (crawlId: string) => ({ crawlId, url: url(crawlId, 'linked'), depth: 1 });
    const emits = (crawlId: string) => async (): Promise<Awaited<ReturnType<Processor<'parse'>>>> => ({
      outcome: 'parsed',
      emit: [
        { stage: 'fetch', payload: link(crawlId) },
        { stage: 'dedupe', payload: dedupeJob(crawlId) },
      ],
    });

    const chaining = startWorker('parse', emits('cchain3'), on);
    const onParse = await crawlOfOneParse('cchain3');
    await vi.waitFor(async () => expect(await queues.parse.getJobState(onParse)).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    await chaining.worker.close();
    expect(dedupeIds).toEqual([jobIdFor('dedupe', dedupeJob('cchain3'))]);
    expect(await queues.fetch.getJobState(jobIdFor('fetch', link('cchain3')))).toBe('waiting');
    expect(await queues.dedupe.getJobState(jobIdFor('dedupe', dedupeJob('cchain3')))).toBe('unknown');

    const plain = startWorker('parse', emits('cchain4'), off);
    const offParse = await crawlOfOneParse('cchain4');
    await vi.waitFor(async () => expect(await queues.parse.getJobState(offParse)).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    await plain.worker.close();
    expect(dedupeIds).toHaveLength(1);
    expect(await queues.fetch.getJobState(jobIdFor('fetch', link('cchain4')))).toBe('waiting');
    expect(await queues.dedupe.getJobState(jobIdFor('dedupe', dedupeJob('cchain4')))).toBe('waiting');
  });
});
