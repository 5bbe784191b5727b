import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import { DELIVER_QUEUE } from '@paperline/contracts';
import { HttpPoster } from '@paperline/core/http';
import type { Logger } from '@paperline/core/process';
import { RedisKeys, type RedisClient } from '@paperline/core/redis';
import { ChangeFeed, CrawlStore } from '@paperline/core/pipeline';
import type { PaperReader } from '@paperline/core/es/reader';
import type { WebhookEndpoint } from './config.js';
import { WebhookCursors } from './cursors.js';
import { deliverBatch, deliveryFailureCode, parksBatch, type DeliveryPayload } from './delivery.js';
import { followEndpoint, pause, type FollowDeps } from './follower.js';

/** What the webhook deliverer runs on. */
export interface WebhookServiceOptions {
  redis: RedisClient;
  papers: PaperReader;
  /** The papers alias (`PAPERLINE_INDEX`). */
  alias: string;
  /** The queue prefix (`PAPERLINE_QUEUE_PREFIX`). */
  prefix: string;
  feedMaxEntries: number;
  endpoints: readonly WebhookEndpoint[];
  delivery: { attempts: number; backoffMs: number; timeoutMs: number; allowHosts: readonly string[] };
  failedRetentionSeconds: number;
  log: Logger;
  /** How long an endpoint's lease lasts unless renewed (renewed every third of it). */
  leaseMs?: number;
  settlePollMs?: number;
}

/** The `deliver` queue under a prefix. */
export function deliverQueue(redis: RedisClient, prefix: string): Queue<DeliveryPayload> {
  return new Queue<DeliveryPayload>(DELIVER_QUEUE, {
    connection: redis,
    prefix: new RedisKeys(prefix).queuePrefix(DELIVER_QUEUE),
  });
}

/** Records why a batch was parked, for `failed` and `retry --code`. */
async function recordParked(books: CrawlStore, job: Job<DeliveryPayload>, err: unknown): Promise<void> {
  await books.recordFailure({
    jobId: job.id!,
    crawlId: '',
    stage: DELIVER_QUEUE,
    code: deliveryFailureCode(err),
    message: err instanceof Error ? err.message : String(err),
    at: new Date().toISOString(),
  });
}

/**
 * Runs one endpoint's follower whenever this process holds its lease: takes the lease when it is
 * free, renews it every third of its length, and stops following as soon as a renewal fails (the
 * lease expired and another process may have it). Errors are logged and the follower restarts.
 */
async function leaseLoop(
  ep: WebhookEndpoint,
  deps: FollowDeps,
  opts: { holder: string; leaseMs: number; log: Logger },
  stop: AbortSignal,
): Promise<void> {
  const { cursors } = deps;
  while (!stop.aborted) {
    if (!(await cursors.acquire(ep.name, opts.holder, opts.leaseMs).catch(() => false))) {
      await pause(opts.leaseMs / 3, stop);
      continue;
    }
    const held = new AbortController();
    const onStop = () => held.abort();
    stop.addEventListener('abort', onStop, { once: true });
    const renew = setInterval(() => {
      void cursors.renew(ep.name, opts.holder, opts.leaseMs).then(
        (ok) => ok || held.abort(),
        () => held.abort(),
      );
    }, opts.leaseMs / 3);
    try {
      opts.log.info({ endpoint: ep.name }, 'following the change feed for a webhook endpoint');
      await followEndpoint(ep, deps, held.signal);
    } catch (err) {
      opts.log.error({ err, endpoint: ep.name }, 'webhook follower failed; restarting');
      await pause(1000, stop);
    } finally {
      clearInterval(renew);
      stop.removeEventListener('abort', onStop);
    }
  }
  await cursors.release(ep.name, opts.holder).catch(() => undefined);
}

/**
 * The webhook deliverer (docs/webhooks.md): per endpoint, a follower of the change feed under a
 * Redis lease (exactly one across processes), handing batches to the `deliver` queue; and a worker
 * of that queue POSTing them, retried with backoff and parked as failed jobs after the attempts.
 * Nothing here is on the pipeline's path: the indexer only appends to the feed.
 */
export async function startWebhookService(opts: WebhookServiceOptions): Promise<{ stop(): Promise<void> }> {
  const { redis, log } = opts;
  const queue = deliverQueue(redis, opts.prefix);
  const poster = new HttpPoster({ allowHosts: opts.delivery.allowHosts, timeoutMs: opts.delivery.timeoutMs });
  const endpoints = new Map(opts.endpoints.map((e) => [e.name, e]));
  const books = new CrawlStore(redis, opts.prefix, { failureTtlSeconds: opts.failedRetentionSeconds });
  const worker = new Worker<DeliveryPayload>(
    DELIVER_QUEUE,
    async (job) => {
      try {
        return await deliverBatch(job, { endpoints, poster });
      } catch (err) {
        // A parked batch is listed by `failed` with its code, like a pipeline job.
        if (parksBatch(job, err)) await recordParked(books, job, err);
        throw err;
      }
    },
    {
      connection: redis,
      prefix: new RedisKeys(opts.prefix).queuePrefix(DELIVER_QUEUE),
      concurrency: Math.max(1, endpoints.size),
      // A POST may take the whole time limit: the job's lock must outlast it, or it would stall.
      lockDuration: Math.max(30_000, opts.delivery.timeoutMs + 10_000),
    },
  );
  worker.on('error', (err) => log.error({ err }, 'deliver worker error'));
  worker.on('failed', (job, err) => {
    const parked = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn(
      { endpoint: job?.data.endpoint, job: job?.id, err: err.message, parked },
      'webhook delivery failed',
    );
  });

  const deps: FollowDeps = {
    changes: {
      feed: new ChangeFeed(redis, opts.prefix, { maxEntries: opts.feedMaxEntries }),
      papers: opts.papers,
      alias: opts.alias,
    },
    cursors: new WebhookCursors(redis, opts.prefix),
    queue,
    jobOptions: {
      attempts: opts.delivery.attempts,
      backoff: { type: 'exponential', delay: opts.delivery.backoffMs, jitter: 0.5 },
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: opts.failedRetentionSeconds },
    },
    ...(opts.settlePollMs ? { settlePollMs: opts.settlePollMs } : {}),
  };
  const stop = new AbortController();
  const lease = {
    holder: `${hostname()}:${process.pid}:${randomUUID()}`,
    leaseMs: opts.leaseMs ?? 30_000,
    log,
  };
  const loops = opts.endpoints.map((ep) => leaseLoop(ep, deps, lease, stop.signal));
  log.info({ endpoints: opts.endpoints.map((e) => e.name) }, 'webhook deliverer started');

  let stopped: Promise<void> | undefined;
  const shutDown = async () => {
    stop.abort();
    await Promise.all(loops);
    await worker.close();
    await queue.close();
    await poster.close();
  };
  return { stop: () => (stopped ??= shutDown()) };
}
