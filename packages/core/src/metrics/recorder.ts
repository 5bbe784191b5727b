import type { JobOutcome } from '@paperline/contracts';
import type { Logger } from '../process/logger.js';
import { RedisKeys } from '../redis/keys.js';
import {
  WORKER_METRICS,
  bucketIndex,
  encodeLabels,
  statusClass,
  type CounterDef,
  type HistogramDef,
} from './catalog.js';

/** The part of an ioredis pipeline the recorder uses (a test can pass a fake). */
export interface MetricsPipeline {
  hincrby(key: string, field: string, increment: number): unknown;
  hincrbyfloat(key: string, field: string, increment: number): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** Where the recorder flushes to: an ioredis client satisfies it. */
export interface MetricsSink {
  pipeline(): MetricsPipeline;
}

interface MetricsRecorderOptions {
  /** How often accumulated values are written to Redis. @defaultValue 2000 */
  flushMs?: number;
  /** Distinct pending fields kept while Redis is unreachable; new ones beyond are dropped. @defaultValue 10000 */
  maxPending?: number;
  /** Where flush failures are reported (at warn level, at most once a minute). */
  log?: Pick<Logger, 'warn'>;
}

interface Delta {
  key: string;
  field: string;
  float: boolean;
  value: number;
}

/**
 * Accumulates worker-side metrics in memory and adds them to Redis hashes
 * (`RedisKeys.metric`) every couple of seconds in one pipeline, so that the API can expose
 * the sum over every worker process on every machine. Recording is synchronous and never
 * throws: a job never waits for metrics. `close()` flushes what is left.
 */
export class MetricsRecorder {
  private pending = new Map<string, Delta>();
  private inflight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly maxPending: number;
  private readonly keys: RedisKeys;
  private lastWarn = 0;
  /** Samples dropped because too many distinct fields were pending (Redis unreachable). */
  dropped = 0;

  constructor(
    private readonly sink: MetricsSink,
    prefix: string,
    private readonly opts: MetricsRecorderOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.maxPending = opts.maxPending ?? 10_000;
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? 2000);
    this.timer.unref();
  }

  /** Adds `n` to a counter. */
  inc<L extends string>(def: CounterDef<L>, labels: Readonly<Record<L, string>>, n = 1): void {
    if (!(n > 0)) return;
    this.add(this.keys.metric(def.name), encodeLabels(def.labels, labels), n, false);
  }

  /** Records one observation (in seconds for durations) in a histogram. */
  observe<L extends string>(def: HistogramDef<L>, labels: Readonly<Record<L, string>>, value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const key = this.keys.metric(def.name);
    const lk = encodeLabels(def.labels, labels);
    this.add(key, `${lk}|${bucketIndex(def.buckets, value)}`, 1, false);
    this.add(key, `${lk}|sum`, value, true);
  }

  /**
   * One finished job, as the stage runner reports it: done with the processor's outcome, or
   * failed (recorded as outcome `failed`, and counted by code).
   */
  observeJob(stage: string, outcome: JobOutcome, ms: number): void {
    const label = outcome.kind === 'done' ? outcome.outcome : 'failed';
    this.observe(WORKER_METRICS.jobDuration, { stage, outcome: label }, ms / 1000);
    if (outcome.kind === 'failed') this.inc(WORKER_METRICS.jobFailures, { stage, code: outcome.code });
  }

  /** One HTTP response (or a failure without one, when `status` is undefined). */
  countFetchResponse(host: string, status: number | undefined): void {
    this.inc(WORKER_METRICS.fetchResponses, { host, status_class: statusClass(status) });
  }

  /** One bulk request's latency. */
  observeBulk(ms: number): void {
    this.observe(WORKER_METRICS.bulkDuration, {}, ms / 1000);
  }

  /** Bulk items rejected or pushed back, by error type (e.g. `mapper_parsing_exception`). */
  countBulkItemFailures(reason: string, n = 1): void {
    this.inc(WORKER_METRICS.bulkItemFailures, { reason }, n);
  }

  private add(key: string, field: string, value: number, float: boolean): void {
    const id = `${key}\u0000${field}`;
    const d = this.pending.get(id);
    if (d) d.value += value;
    else if (this.pending.size < this.maxPending) this.pending.set(id, { key, field, float, value });
    else this.dropped += 1;
  }

  /** Number of distinct fields waiting to be written. */
  get pendingFields(): number {
    return this.pending.size;
  }

  /**
   * Writes what has accumulated in one pipeline. A flush already under way is not doubled (the
   * next tick picks up what arrived meanwhile); values whose write failed are kept for the next.
   */
  flush(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.inflight = this.write(batch).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async write(batch: Delta[]): Promise<void> {
    const pipe = this.sink.pipeline();
    for (const d of batch) {
      if (d.float) pipe.hincrbyfloat(d.key, d.field, d.value);
      else pipe.hincrby(d.key, d.field, d.value);
    }
    let failed: Delta[];
    let error: unknown;
    try {
      const res = await pipe.exec();
      if (!res) failed = batch;
      else {
        failed = batch.filter((_, i) => res[i]?.[0]);
        error = res.find((r) => r[0])?.[0] ?? undefined;
      }
    } catch (err) {
      failed = batch;
      error = err;
    }
    for (const d of failed) this.add(d.key, d.field, d.value, d.float);
    if (failed.length > 0 && Date.now() - this.lastWarn > 60_000) {
      this.lastWarn = Date.now();
      this.opts.log?.warn(
        { err: error instanceof Error ? error.message : String(error), fields: failed.length },
        'metrics flush failed; kept for the next one',
      );
    }
  }

  /** Stops the timer and flushes what is left (waiting at most `timeoutMs` for Redis). */
  async close(timeoutMs = 5000): Promise<void> {
    clearInterval(this.timer);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([
      (async () => {
        await this.inflight;
        await this.flush();
      })(),
      deadline,
    ]);
  }
}
