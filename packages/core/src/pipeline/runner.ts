import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  PaperlineError,
  RateLimitedError,
  type FailureCode,
  type JobOutcome,
  type JobOutcomes,
  type JobPayloads,
  type Stage,
} from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';
import type { Enqueuer } from './enqueuer.js';
import type { Logger } from '../process/logger.js';
import type { Emit } from './routing.js';
import { checkedPayload, type Processor } from './processor.js';
import { forward, type LocalStages } from './chain.js';
import type { ActiveJobs } from './active-jobs.js';
import { backoffDelay } from '../http/retry.js';
import { isStoreUnavailable } from '../es/client.js';
import { bookUnseenFailure } from './crawl-repair.js';
import { isAbortError, withTimeLimit } from './time-limit.js';
import { RedisKeys } from '../redis/keys.js';

export type { Processor, StageContext, StageResult } from './processor.js';

interface StageWorkerDeps {
  connection: ConnectionOptions;
  /** The queue prefix (PAPERLINE_QUEUE_PREFIX); the queue's BullMQ prefix is built from it. */
  prefix: string;
  concurrency: number;
  /** How long one run of a job may take before it fails with `JOB_TIMEOUT` (and is retried). */
  timeoutMs: number;
  /** BullMQ lock duration; stalled jobs are checked every half of it. @defaultValue 30000 */
  lockMs?: number;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** The stages this process runs, which this stage's jobs may chain (run in place). */
  local?: LocalStages;
  /** The jobs this process is running, this stage's counted in while they run. */
  active?: ActiveJobs;
  log: Logger;
  /** Called once after each job that finished or failed, with how it ended (metrics). */
  onOutcome?: (stage: Stage, outcome: JobOutcome, ms: number) => void;
}

/**
 * Retry delay for every Paperline job: the server's Retry-After when it gave one, else
 * exponential backoff with full jitter.
 */
export function paperlineBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  if (err instanceof RateLimitedError) return err.retryAfterMs;
  return backoffDelay(attemptsMade, { baseMs: 1000, maxMs: 60_000 });
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

/** The field of a payload (possibly invalid) as a string, if it is one. */
function field(data: unknown, name: 'crawlId' | 'url'): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const v = (data as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

const CRAWL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** One run of one job, as the handlers see it. */
interface JobRun {
  job: Job;
  token: string | undefined;
  /** BullMQ's signal for this job: aborted when the worker closes. */
  shutdown: AbortSignal | undefined;
  log: Logger;
  started: number;
  url: string | undefined;
  /** This run's number (1-based) and how many the job has. */
  attempt: number;
  attempts: number;
}

/**
 * How the runner handles a failure, chosen by the error's class (or, for untyped errors, by what
 * they are): see the handler of each in {@link StageRunner}.
 */
type FailureClass =
  'permanent' | 'rate-limited' | 'dependency-outage' | 'interrupted' | 'retryable' | 'unexpected';

/** Which handler a job's failure goes to. `shuttingDown`: the worker is closing. */
export function classifyFailure(err: unknown, shuttingDown: boolean): FailureClass {
  if (shuttingDown && isAbortError(err)) return 'interrupted';
  if (err instanceof PaperlineError) {
    if (err.retry === 'permanent') return 'permanent';
    if (err.retry === 'rate-limited') return 'rate-limited';
    return err.code === 'INDEX_UNAVAILABLE' ? 'dependency-outage' : 'retryable';
  }
  return isStoreUnavailable(err) ? 'dependency-outage' : 'unexpected';
}

/** A failed run: the error, the code and message it is recorded under, and whether it is for good. */
interface Failure {
  err: unknown;
  code: FailureCode;
  message: string;
  permanent: boolean;
}

/**
 * Runs one stage's jobs: validates the payload, runs the processor under the stage's time limit,
 * adds what follows through the routing table and keeps the crawl's books. A failure goes to one
 * small handler chosen by its class; the books, the log line and the metric of each outcome are
 * written in one place each ({@link StageRunner.finish}, {@link StageRunner.fail}).
 */
class StageRunner<S extends Stage> {
  /** Elasticsearch-outage failures this worker met in a row (any success resets it). */
  private storeStreak = 0;

  constructor(
    private readonly stage: S,
    private readonly processor: Processor<S>,
    private readonly deps: StageWorkerDeps,
  ) {}

  /** Runs one job, counted among the process's active jobs while it runs (see `ActiveJobs`). */
  async run(job: Job, token: string | undefined, shutdown: AbortSignal | undefined): Promise<unknown> {
    this.deps.active?.started();
    try {
      return await this.runJob(job, token, shutdown);
    } finally {
      this.deps.active?.ended();
    }
  }

  private async runJob(job: Job, token: string | undefined, shutdown: AbortSignal | undefined) {
    const url = field(job.data, 'url');
    const run: JobRun = {
      job,
      token,
      shutdown,
      log: this.deps.log.child({ queue: this.stage, jobId: job.id, url }),
      started: Date.now(),
      url,
      attempt: job.attemptsMade + 1,
      attempts: job.opts.attempts ?? 1,
    };
    try {
      const payload = checkedPayload(this.stage, job.data);
      const result = await withTimeLimit(
        { stage: this.stage, ms: this.deps.timeoutMs, ...(url ? { url } : {}) },
        shutdown,
        (signal) => this.processor(payload, { jobId: job.id!, attempt: run.attempt, log: run.log, signal }),
      );
      if ('delayUntil' in result) return await this.putBack(run, result.delayUntil);
      return await this.finish(run, payload, result);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      return await this.onFailure(run, err);
    }
  }

  /**
   * Done: what follows is run in place where this process chains it, else added (waiting for
   * room, unless shutting down); then the books.
   */
  private async finish(
    run: JobRun,
    payload: JobPayloads[S],
    result: { outcome: JobOutcomes[S]; emit?: Emit[] },
  ): Promise<{ outcome: string }> {
    if (result.emit?.length) await forward(this.stage, result.emit, run, this.deps);
    await this.deps.crawls.transition(payload.crawlId, run.job.id!, 'done');
    this.storeStreak = 0;
    this.observe(run, { kind: 'done', outcome: result.outcome });
    return { outcome: result.outcome };
  }

  /** Moves the job back to `delayed` until `at`, using no attempt. */
  private async putBack(run: JobRun, at: number): Promise<never> {
    await run.job.moveToDelayed(at, run.token);
    throw new DelayedError();
  }

  private onFailure(run: JobRun, err: unknown): Promise<never> {
    switch (classifyFailure(err, run.shutdown?.aborted ?? false)) {
      case 'permanent':
        return this.onPermanent(run, err as PaperlineError);
      case 'rate-limited':
        return this.onRateLimited(run, err as RateLimitedError);
      case 'dependency-outage':
        return this.onDependencyOutage(run, err);
      case 'interrupted':
        return this.onInterrupted(run);
      case 'retryable':
        return this.onRetryable(run, err as PaperlineError);
      case 'unexpected':
        return this.onUnexpected(run, err);
    }
  }

  /** Bad input or a refusal (404, parse error, invalid payload…): fails now, never retried. */
  private async onPermanent(run: JobRun, err: PaperlineError): Promise<never> {
    await this.fail(run, { err, code: err.code, message: err.message, permanent: true });
    throw new UnrecoverableError(`[${err.code}] ${err.message}`);
  }

  /**
   * The remote asked us to slow down: retried after its Retry-After ({@link paperlineBackoff}),
   * which uses an attempt like any retry, so the attempts setting bounds it.
   */
  private async onRateLimited(run: JobRun, err: RateLimitedError): Promise<never> {
    await this.fail(run, { err, code: err.code, message: err.message, permanent: false });
    throw err;
  }

  /**
   * Elasticsearch down or restarting is nobody's fault in this job: it waits the outage out (as
   * workers wait for Redis), put back without using an attempt, so an outage fails nothing —
   * up to {@link MAX_STORE_WAITS} times, then it fails the ordinary way.
   */
  private async onDependencyOutage(run: JobRun, err: unknown): Promise<never> {
    if (run.job.attemptsStarted >= MAX_STORE_WAITS) {
      return err instanceof PaperlineError ? this.onRetryable(run, err) : this.onUnexpected(run, err);
    }
    this.storeStreak += 1;
    const delayMs = storeWaitDelay(this.storeStreak);
    run.log.warn(
      {
        code: err instanceof PaperlineError ? err.code : 'STORE_UNAVAILABLE',
        delayMs,
        error: err instanceof Error ? err.message : String(err),
      },
      `${this.stage} job waits for Elasticsearch`,
    );
    return this.putBack(run, Date.now() + delayMs);
  }

  /** The worker is shutting down and ended this job's wait: back to the queue, untouched. */
  private async onInterrupted(run: JobRun): Promise<never> {
    run.log.info(`${this.stage} job put back: the worker is shutting down`);
    return this.putBack(run, Date.now());
  }

  /** A transient failure (timeout, 5xx, connection loss): retried with backoff. */
  private async onRetryable(run: JobRun, err: PaperlineError): Promise<never> {
    await this.fail(run, { err, code: err.code, message: err.message, permanent: false });
    throw err;
  }

  /** An error Paperline did not type: retried as a transient one, logged with its stack. */
  private async onUnexpected(run: JobRun, err: unknown): Promise<never> {
    const message = err instanceof Error ? err.message : String(err);
    await this.fail(run, { err, code: 'UNKNOWN', message, permanent: false });
    throw err;
  }

  /**
   * A failed run: recorded in the crawl's books when the job fails for good (even a job of no
   * crawl, a poison payload, so `failed` shows its code), logged, counted.
   */
  private async fail(run: JobRun, f: Failure): Promise<void> {
    if (f.permanent || run.attempt >= run.attempts) {
      const crawlId = field(run.job.data, 'crawlId');
      await this.deps.crawls.recordFailure({
        jobId: run.job.id!,
        crawlId: crawlId && CRAWL_ID.test(crawlId) ? crawlId : '',
        stage: this.stage,
        code: f.code,
        message: f.message,
        ...(run.url ? { url: run.url } : {}),
        at: new Date().toISOString(),
      });
    }
    const at = { code: f.code, attempt: run.attempt, attempts: run.attempts, permanent: f.permanent };
    // Expected failures (typed, with a code) are logged without a stack; surprises with one.
    if (f.err instanceof PaperlineError)
      run.log.warn({ ...at, error: f.message, context: f.err.context }, `${this.stage} job failed`);
    else run.log.error({ ...at, err: f.err }, `${this.stage} job failed unexpectedly`);
    this.observe(run, { kind: 'failed', code: f.code });
  }

  private observe(run: JobRun, outcome: JobOutcome): void {
    this.deps.onOutcome?.(this.stage, outcome, Date.now() - run.started);
  }
}

/**
 * A BullMQ worker for one stage (see {@link StageRunner}). Closing the worker aborts its active
 * jobs' signals, so their naps and waits end and they go back to the queue untouched; work that
 * does not wait finishes as before.
 */
export function createStageWorker<S extends Stage>(
  stage: S,
  processor: Processor<S>,
  deps: StageWorkerDeps,
): Worker {
  const runner = new StageRunner(stage, processor, deps);
  const worker = new Worker(
    stage,
    // Three parameters: BullMQ hands a processor that declares them a per-job AbortSignal.
    (job: Job, token?: string, signal?: AbortSignal) => runner.run(job, token, signal),
    {
      connection: deps.connection,
      prefix: new RedisKeys(deps.prefix).queuePrefix(stage),
      concurrency: deps.concurrency,
      maxStalledCount: 10,
      stalledInterval: Math.max(500, Math.floor((deps.lockMs ?? 30_000) / 2)),
      lockDuration: deps.lockMs ?? 30_000,
      settings: { backoffStrategy: paperlineBackoff },
      // Per-minute completed/failed counts (one day), read by the API's overview.
      metrics: { maxDataPoints: 60 * 24 },
    },
  );
  worker.on('closing', () => worker.cancelAllJobs('shutdown'));
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
