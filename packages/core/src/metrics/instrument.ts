import { PaperlineError } from '@paperline/contracts';
import type { FetchResult } from '../http/client.js';
import type { BulkItem, BulkOutcome } from '../es/papers.js';
import type { MetricsRecorder } from './recorder.js';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof PaperlineError && typeof err.context.status === 'number') return err.context.status;
  return undefined;
}

/**
 * Wraps an HTTP client so each response is counted by host and status class: successes with
 * their status, HTTP errors with the status in their context, failures without a response
 * (timeouts, refused connections) as `error`. Extra arguments (conditional headers) pass
 * through; errors are rethrown untouched.
 */
export function withFetchMetrics<A extends unknown[]>(
  client: { fetch(url: string, ...rest: A): Promise<FetchResult> },
  metrics: Pick<MetricsRecorder, 'countFetchResponse'>,
): { fetch(url: string, ...rest: A): Promise<FetchResult> } {
  return {
    async fetch(url: string, ...rest: A): Promise<FetchResult> {
      try {
        const res = await client.fetch(url, ...rest);
        metrics.countFetchResponse(hostOf(url), res.status);
        return res;
      } catch (err) {
        metrics.countFetchResponse(hostOf(url), statusOf(err));
        throw err;
      }
    },
  };
}

/** The error type of a bulk item's reason (`type: reason` or `status N`), short and bounded. */
export function bulkReason(reason: string): string {
  const type = reason.split(':', 1)[0]!.trim();
  return /^[A-Za-z0-9_ .-]{1,64}$/.test(type) ? type : 'other';
}

/**
 * Wraps a bulk write so each request's latency is observed and each item Elasticsearch rejected
 * (`failed`) or pushed back (`retry`) is counted by reason. A request that throws counts every
 * item under `request_failed`.
 */
export function withBulkMetrics(
  write: (items: BulkItem[]) => Promise<BulkOutcome[]>,
  metrics: Pick<MetricsRecorder, 'observeBulk' | 'countBulkItemFailures'>,
): (items: BulkItem[]) => Promise<BulkOutcome[]> {
  return async (items) => {
    const started = performance.now();
    try {
      const outcomes = await write(items);
      metrics.observeBulk(performance.now() - started);
      const reasons = new Map<string, number>();
      for (const o of outcomes) {
        if (o.result === 'failed' || o.result === 'retry') {
          const r = bulkReason(o.reason);
          reasons.set(r, (reasons.get(r) ?? 0) + 1);
        }
      }
      for (const [r, n] of reasons) metrics.countBulkItemFailures(r, n);
      return outcomes;
    } catch (err) {
      metrics.observeBulk(performance.now() - started);
      metrics.countBulkItemFailures('request_failed', items.length);
      throw err;
    }
  };
}
