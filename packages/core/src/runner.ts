import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  JOB_SCHEMAS,
  PaperlineError,
  RateLimitedError,
  type JobPayloads,
  type Stage,
} from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';
import type { Enqueuer } from './enqueuer.js';
import type { Logger } from './logger.js';
import type { Emit } from './routing.js';
import { backoffDelay } from './http/index.js';
import { isStoreUnavailable } from './es/client.js';
import { bookUnseenFailure } from './crawl-repair.js';

/** What a stage's processor returns: an outcome for logs and metrics, and the jobs that follow. */
export interface StageResult {
  outcome: string;
  emit?: Emit[];
  /** Not now: put the job back until this time (politeness), without using an attempt. */
  delayUntil?: number;
}

export interface StageContext {
  jobId: string;
  attempt: number;
  log: Logger;
}

export type Processor<S extends Stage> = (payload: JobPayloads[S], ctx: StageContext) => Promise<StageResult>;

export interface StageWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** BullMQ lock duration; stalled jobs are checked every half of it. @defaultValue 30000 */
  lockMs?: number;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  log: Logger;
  /** Called after each job with its outcome (metrics). */
  onOutcome?: (stage: Stage, outcome: string, ms: number) => void;
}

/**
 * Retry delay for every Paperline job: the server's Retry-After when it gave one, else
 * exponential backoff with full jitter.
 */
export function paperlineBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  if (err instanceof RateLimitedError) return err.retryAfterMs;
  return backoffDelay(attemptsMade, { baseMs: 1000, maxMs: 60_000 });
}

function crawlIdOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'crawlId' in data) {
    const c = (data as { crawlId: unknown }).crawlId;
    if (typeof c === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(c)) return c;
  }
  return undefined;
}

function urlOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'url' in data) {
    const u = (data as { url: unknown }).url;
    if (typeof u === 'string') return u;
  }
  return undefined;
}

/**
 * A job that met an unavailable Elasticsearch is put back this many activations at most without
 * using an attempt (with the delay below, hours of outage); after that it fails the ordinary way.
 */
const MAX_STORE_WAITS = 1000;

/**
 * Delays for jobs waiting out an Elasticsearch outage: half-jittered exponential in the number of
 * such failures seen in a row by this worker (any success resets it), 0.25 s up to 10 s.
 */
export function storeWaitDelay(streak: number, random: () => number = Math.random): number {
  const ceiling = Math.min(10_000, 500 * 2 ** Math.min(Math.max(streak, 1) - 1, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A BullMQ worker for one stage: validates the payload, runs the processor, adds what follows
 * through the routing table, and keeps the crawl's books. Permanent errors fail the job at once
 * (UnrecoverableError) and are recorded with their code; transient ones retry with backoff.
 */
export function createStageWorker<S extends Stage>(
  stage: S,
  processor: Processor<S>,
  deps: StageWorkerDeps,
): Worker {
  const schema = JOB_SCHEMAS[stage];
  let storeStreak = 0;
  const worker = new Worker(
    stage,
    async (job: Job, token?: string) => {
      const started = Date.now();
      const jobId = job.id!;
      const log = deps.log.child({ queue: stage, jobId, url: urlOf(job.data) });
      const crawlId = crawlIdOf(job.data);
      const attempts = job.opts.attempts ?? 1;
      try {
        const parsed = schema.safeParse(job.data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new PaperlineError(
            'INVALID_PAYLOAD',
            `invalid ${stage} job payload at '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'unknown'}`,
            'permanent',
            { stage, context: { url: urlOf(job.data) } },
          );
        }
        const payload = parsed.data as JobPayloads[S];
        const result = await processor(payload, { jobId, attempt: job.attemptsMade + 1, log });
        if (result.delayUntil !== undefined) {
          await job.moveToDelayed(result.delayUntil, token);
          throw new DelayedError();
        }
        if (result.emit?.length) await deps.enqueuer.enqueue(stage, result.emit);
        await deps.crawls.transition(payload.crawlId, jobId, 'done');
        storeStreak = 0;
        deps.onOutcome?.(stage, result.outcome, Date.now() - started);
        return { outcome: result.outcome };
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        const pe = err instanceof PaperlineError ? err : undefined;
        const permanent = pe?.retry === 'permanent';
        // Elasticsearch down or restarting is nobody's fault in this job: wait it out (as workers
        // wait for Redis) instead of spending attempts, so an outage fails nothing.
        const storeDown = pe?.code === 'INDEX_UNAVAILABLE' || (!pe && isStoreUnavailable(err));
        if (!permanent && storeDown && job.attemptsStarted < MAX_STORE_WAITS) {
          storeStreak += 1;
          const delayMs = storeWaitDelay(storeStreak);
          log.warn(
            {
              code: pe?.code ?? 'STORE_UNAVAILABLE',
              delayMs,
              error: err instanceof Error ? err.message : String(err),
            },
            `${stage} job waits for Elasticsearch`,
          );
          await job.moveToDelayed(Date.now() + delayMs, token);
          throw new DelayedError();
        }
        const last = job.attemptsMade + 1 >= attempts;
        const code = pe?.code ?? 'UNKNOWN';
        const message = err instanceof Error ? err.message : String(err);
        // Recorded even for a job of no crawl (a poison payload), so `failed` shows its code.
        if (permanent || last) {
          await deps.crawls.recordFailure({
            jobId,
            crawlId: crawlId ?? '',
            stage,
            code,
            message,
            ...(urlOf(job.data) ? { url: urlOf(job.data)! } : {}),
            at: new Date().toISOString(),
          });
        }
        const at = { code, attempt: job.attemptsMade + 1, attempts, permanent };
        // Expected failures (typed, with a code) are logged without a stack; surprises with one.
        if (pe) log.warn({ ...at, error: pe.message, context: pe.context }, `${stage} job failed`);
        else log.error({ ...at, err }, `${stage} job failed unexpectedly`);

        deps.onOutcome?.(stage, `failed:${code}`, Date.now() - started);
        if (permanent) throw new UnrecoverableError(`[${code}] ${message}`);
        throw err;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      maxStalledCount: 10,
      stalledInterval: Math.max(500, Math.floor((deps.lockMs ?? 30_000) / 2)),
      lockDuration: deps.lockMs ?? 30_000,
      settings: { backoffStrategy: paperlineBackoff },
      // Per-minute completed/failed counts (one day), read by the API's overview.
      metrics: { maxDataPoints: 60 * 24 },
    },
  );
  worker.on('error', (err) => deps.log.error({ err, queue: stage }, 'worker error'));
  worker.on('failed', (job, err) => void bookFailure(stage, job, err, deps));
  return worker;
}

/** Books in its crawl a job BullMQ failed before the processor ran (one that stalled too often). */
async function bookFailure(
  stage: Stage,
  job: Job | undefined,
  err: Error,
  deps: StageWorkerDeps,
): Promise<void> {
  if (!job) return;
  const log = deps.log.child({ queue: stage, jobId: job.id });
  try {
    if (await bookUnseenFailure(deps.crawls, stage, job, err.message))
      log.warn({ error: err.message }, `${stage} job failed before its processor ran`);
  } catch (e) {
    log.error({ err: e }, `${stage} job failed and could not be booked in its crawl`);
  }
}
