import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  CrawlStore,
  bookUnseenFailure,
  closeQueues,
  createQueues,
  paperlineBackoff,
} from '@paperline/core/pipeline';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';
import { RedisKeys } from '@paperline/core/redis';

const names = uniqueNames('repair');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queues = createQueues(redis, names.prefix, { fetchAttempts: 2, failedRetentionSeconds: 3600 });
const crawls = new CrawlStore(redis, names.prefix);
const STALLED = 'job stalled more than allowable limit';

afterAll(async () => {
  await closeQueues(queues);
  const es = new Client({ node: ELASTICSEARCH_URL });
  await cleanup(redis, es, names);
  await es.close();
  redis.disconnect();
});

/** A crawl with one registered fetch job, sealed, and the job in its queue. */
async function crawlWithOneJob(crawlId: string): Promise<string> {
  const jobId = `${crawlId}.fetch.1`;
  await crawls.create(crawlId, [], { depth: 0 });
  await crawls.register(crawlId, [jobId]);
  await crawls.seal(crawlId);
  await queues.fetch.add('fetch', { crawlId, url: `http://127.0.0.1:1/${crawlId}`, depth: 0 }, { jobId });
  return jobId;
}

/** Takes the next fetch job as a worker does and fails this attempt, as BullMQ does for a stalled job. */
async function takeAndFail(err: Error): Promise<Job> {
  const worker = new Worker('fetch', null, {
    connection: redis.duplicate(),
    prefix: new RedisKeys(names.prefix).queuePrefix('fetch'),
    settings: { backoffStrategy: paperlineBackoff },
  });
  try {
    const job = await worker.getNextJob('test-token');
    if (!job) throw new Error('no fetch job to take');
    await job.moveToFailed(err, 'test-token');
    return job;
  } finally {
    await worker.close();
  }
}

describe('jobs BullMQ failed without the processor seeing it', () => {
  it('are booked failed in their crawl, once, which lets the crawl finish', async () => {
    const jobId = await crawlWithOneJob('cstall');
    const job = await takeAndFail(new UnrecoverableError(STALLED));
    expect(await bookUnseenFailure(crawls, 'fetch', job, STALLED)).toBe(true);
    expect(await crawls.summary('cstall')).toMatchObject({ finished: true, failed: 1 });
    expect((await crawls.failures([jobId])).get(jobId)).toMatchObject({
      code: 'UNKNOWN',
      stage: 'fetch',
      message: STALLED,
      url: 'http://127.0.0.1:1/cstall',
    });
    expect(await bookUnseenFailure(crawls, 'fetch', job, STALLED)).toBe(false);
  });

  it('leave alone a failed attempt that will be retried, and a failure the processor recorded', async () => {
    const retried = await crawlWithOneJob('cretried');
    const attempt = await takeAndFail(new Error('upstream 503'));
    expect(await bookUnseenFailure(crawls, 'fetch', attempt, 'upstream 503')).toBe(false);
    expect(await crawls.jobState('cretried', retried)).toBe('pending');
    await queues.fetch.remove(retried);

    const recorded = await crawlWithOneJob('crecorded');
    await crawls.recordFailure({
      jobId: recorded,
      crawlId: 'crecorded',
      stage: 'fetch',
      code: 'HTTP_NOT_FOUND',
      message: '404',
      at: new Date().toISOString(),
    });
    const failed = await takeAndFail(new UnrecoverableError('[HTTP_NOT_FOUND] 404'));
    expect(await bookUnseenFailure(crawls, 'fetch', failed, '[HTTP_NOT_FOUND] 404')).toBe(false);
    expect((await crawls.failures([recorded])).get(recorded)?.code).toBe('HTTP_NOT_FOUND');
  });
});
