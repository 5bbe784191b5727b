/**
 * The worker-side metrics Paperline records cluster-wide: their names, labels and histogram
 * buckets, and how a sample is laid out in Redis.
 *
 * Every metric is one Redis hash (`RedisKeys.metric(name)`). A counter's fields are its encoded
 * label sets; a histogram's fields are `${labels}|${bucketIndex}` (non-cumulative counts, the last
 * index being +Inf) and `${labels}|sum`. Workers add to these with HINCRBY/HINCRBYFLOAT, so any
 * number of processes on any number of machines aggregate into one value.
 */

/** A monotonically increasing count. */
export interface CounterDef<L extends string = string> {
  readonly kind: 'counter';
  readonly name: string;
  readonly help: string;
  readonly labels: readonly L[];
}

/** A distribution over fixed buckets (upper bounds in seconds, ascending; +Inf is implied). */
export interface HistogramDef<L extends string = string> {
  readonly kind: 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labels: readonly L[];
  readonly buckets: readonly number[];
}

export type MetricDef = CounterDef | HistogramDef;

/** Bucket bounds for a job's duration: politeness waits make fetches last seconds. */
const JOB_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Bucket bounds for one Elasticsearch bulk request. */
const BULK_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const counter = <L extends string>(name: string, help: string, labels: readonly L[]): CounterDef<L> => ({
  kind: 'counter',
  name,
  help,
  labels,
});

const histogram = <L extends string>(
  name: string,
  help: string,
  labels: readonly L[],
  buckets: readonly number[],
): HistogramDef<L> => ({ kind: 'histogram', name, help, labels, buckets });

/** Every metric the workers record (the API exposes them, summed over all workers). */
export const WORKER_METRICS = {
  jobDuration: histogram(
    'paperline_job_duration_seconds',
    'Time a stage worker spent on one job, by stage and outcome (failed attempts included)',
    ['stage', 'outcome'],
    JOB_DURATION_BUCKETS,
  ),
  jobFailures: counter('paperline_job_failures_total', 'Failed job attempts by stage and error code', [
    'stage',
    'code',
  ]),
  fetchResponses: counter(
    'paperline_fetch_responses_total',
    'HTTP responses received by the fetchers, by host and status class (error: no response)',
    ['host', 'status_class'],
  ),
  bulkDuration: histogram(
    'paperline_bulk_request_duration_seconds',
    'Latency of Elasticsearch bulk requests sent by the indexers',
    [],
    BULK_DURATION_BUCKETS,
  ),
  bulkItemFailures: counter(
    'paperline_bulk_item_failures_total',
    'Bulk items Elasticsearch rejected or pushed back, by error type',
    ['reason'],
  ),
} as const;

/** Papers counted from crawl books (see `foldPaperTotals`). */
export const PAPERS_METRIC = counter(
  'paperline_papers_total',
  'Papers seen by crawls: indexed (written), unchanged (already current), duplicate (seen again)',
  ['result'],
);

export const METRIC_LIST: readonly MetricDef[] = Object.values(WORKER_METRICS);

/** `a=x,b=y` with values URI-encoded, in the metric's label order; '' when it has no labels. */
export function encodeLabels(names: readonly string[], labels: Readonly<Record<string, string>>): string {
  return names.map((n) => `${n}=${encodeURIComponent(labels[n] ?? '')}`).join(',');
}

/** The inverse of `encodeLabels`. */
export function decodeLabels(encoded: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!encoded) return out;
  for (const part of encoded.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
    } catch {
      out[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return out;
}

/** Index of the bucket a value falls in (`buckets.length` means +Inf). */
export function bucketIndex(buckets: readonly number[], value: number): number {
  for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) return i;
  return buckets.length;
}

/** `2xx`…`5xx` for an HTTP status, `error` when there was no response. */
export function statusClass(status: number | undefined): string {
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return 'error';
  return `${Math.floor(status / 100)}xx`;
}
