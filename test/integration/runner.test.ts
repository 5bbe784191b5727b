import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { QueueEvents } from 'bullmq';
import { TransientError } from '@paperline/contracts';
import {
  CrawlStore,
  Enqueuer,
  closeQueues,
  createLogger,
  createQueues,
  createStageWorker,
  waitForCrawl,
} from '@paperline/core';
import { REDIS_URL, uniqueNames } from '../helpers/env.js';
import { Client } from '@elastic/elasticsearch';
import { ELASTICSEARCH_URL, cleanup } from '../helpers/env.js';

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

describe('stage runner', () => {
  it('a poison payload fails at once, unretried, recorded with its code; the crawl still finishes', async () => {
    const worker = createStageWorker('parse', async () => ({ outcome: 'never' }), {
      connection: redis,
      prefix: names.prefix,
      concurrency: 2,
      crawls,
      enqueuer,
      log,
    });
    await crawls.create('cpoison', [], { depth: 0 });
    await crawls.register('cpoison', ['poison1']);
    await crawls.seal('cpoison');
    const events = new QueueEvents('parse', { connection: redis.duplicate(), prefix: names.prefix });
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

  it('transient errors retry with backoff, and the success is counted once', async () => {
    let calls = 0;
    const worker = createStageWorker(
      'fetch',
      async () => {
        calls += 1;
        if (calls < 3) throw new TransientError('HTTP_SERVER_ERROR', 'upstream 503');
        return { outcome: 'ok' };
      },
      { connection: redis, prefix: names.prefix, concurrency: 1, crawls, enqueuer, log },
    );
    await crawls.create('cretry', ['http://127.0.0.1:1/x'], { depth: 0 });
    await enqueuer.enqueue('seed', [
      { stage: 'fetch', payload: { crawlId: 'cretry', url: 'http://127.0.0.1:1/x', depth: 0 } },
    ]);
    await crawls.seal('cretry');
    const s = await waitForCrawl(crawls, 'cretry', { timeoutMs: 30_000, pollMs: 100 });
    expect(calls).toBe(3);
    expect(s).toMatchObject({ finished: true, failed: 0 });
    expect(await crawls.openCount('cretry')).toBe(0);
    await worker.close();
  });
});
