import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulkItem, BulkOutcome } from '@paperline/core/es';
import { ActiveJobs } from '@paperline/core/pipeline';
import { BulkBatcher } from './batcher.js';

const item = (id: string): BulkItem => ({ id, version: 1, doc: `{"id":"${id}"}` });

/** A batcher whose writes are recorded (each request's ids) and answered at once. */
function batcher(opts: { maxDocs?: number; activeJobs?: ActiveJobs } = {}) {
  const requests: string[][] = [];
  const b = new BulkBatcher(
    async (items) => {
      requests.push(items.map((i) => i.id));
      return items.map((i): BulkOutcome => ({ id: i.id, result: 'written' }));
    },
    {
      maxDocs: opts.maxDocs ?? 1000,
      maxWaitMs: 250,
      itemRetries: 0,
      retryDelayMs: () => 0,
      ...(opts.activeJobs ? { activeJobs: opts.activeJobs } : {}),
    },
  );
  return { b, requests };
}

/** `n` jobs running in this process. */
function running(n: number): ActiveJobs {
  const jobs = new ActiveJobs();
  for (let i = 0; i < n; i++) jobs.started();
  return jobs;
}

describe('BulkBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a batch when it is full, else when its first document has waited maxWaitMs', async () => {
    const { b, requests } = batcher({ maxDocs: 3 });
    const full = b.add([item('a'), item('b'), item('c'), item('d')]);
    expect(requests).toEqual([['a', 'b', 'c'], ['d']]);
    await full;
    const late = b.add([item('e')]);
    await vi.advanceTimersByTimeAsync(249);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
    await expect(late).resolves.toEqual([{ id: 'e', result: 'written' }]);
  });

  it('sends at once when every job of the process waits on it, the documents of all of them in one request', async () => {
    const jobs = running(2);
    const { b, requests } = batcher({ activeJobs: jobs });
    const first = b.add([item('a'), item('b')]);
    // One of two jobs waits: the other may still add.
    expect(requests).toEqual([]);
    const second = b.add([item('c')]);
    expect(requests).toEqual([['a', 'b', 'c']]);
    await Promise.all([first, second]);
  });

  it('sends when the last job that could have added ends without adding', async () => {
    const jobs = running(2);
    const { b, requests } = batcher({ activeJobs: jobs });
    const waiting = b.add([item('a')]);
    expect(requests).toEqual([]);
    jobs.ended();
    expect(requests).toEqual([['a']]);
    await waiting;
    // An answered caller no longer counts as waiting: of two jobs running, one adds and waits for
    // the other, or for the timer.
    jobs.started();
    const next = b.add([item('b')]);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(requests).toEqual([['a'], ['b']]);
    await next;
  });
});
