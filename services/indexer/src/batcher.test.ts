import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulkItem, BulkOutcome, BulkRider } from '@paperline/core/es';
import { ActiveJobs } from '@paperline/core/pipeline';
import { BulkBatcher } from './batcher.js';

const item = (id: string): BulkItem => ({ id, version: 1, doc: `{"id":"${id}"}` });

/** A rider of one operation, named by its id; `settled` and `failed` record what became of it. */
function rider(name: string): BulkRider & { settled: string[]; failed: unknown[] } {
  const settled: string[] = [];
  const failed: unknown[] = [];
  return {
    operations: [{ action: { update: { _id: name } }, body: { doc: {} } }],
    settle: (items) => settled.push(...items.map((i) => String(i.update?._id))),
    fail: (err) => failed.push(err),
    settled,
    failed,
  };
}

/**
 * A batcher whose writes are recorded (each request's ids, its riders' after a `+`) and answered
 * at once, riders included; `failWith` makes every request fail.
 */
function batcher(opts: { maxDocs?: number; activeJobs?: ActiveJobs; failWith?: Error } = {}) {
  const requests: string[][] = [];
  const b = new BulkBatcher(
    async (items, riders) => {
      const names = riders.flatMap((r) =>
        r.operations.map((o) => `+${String((o.action as { update: { _id: string } }).update._id)}`),
      );
      requests.push([...items.map((i) => i.id), ...names]);
      if (opts.failWith) throw opts.failWith;
      for (const r of riders)
        r.settle(
          r.operations.map((o) => ({
            update: { ...(o.action as { update: { _id: string } }).update, _index: 'u', status: 200 },
          })),
        );
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

  it('sends riders in the first request that leaves after them, and fails them with it', async () => {
    const { b, requests } = batcher({ maxDocs: 2 });
    const page = rider('page-1');
    const full = b.add([item('a'), item('b'), item('c')], [page]);
    expect(requests).toEqual([['a', 'b', '+page-1'], ['c']]);
    await full;
    expect(page.settled).toEqual(['page-1']);
    expect(() => b.add([], [rider('alone')])).toThrow(/only with documents/);

    const broken = batcher({ failWith: new Error('connection reset') });
    const lost = rider('page-2');
    const failing = broken.b.add([item('d')], [lost]).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    expect(await failing).toEqual(new Error('connection reset'));
    expect(lost.failed).toEqual([new Error('connection reset')]);
    expect(lost.settled).toEqual([]);
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
