import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { unlinkMatching } from '../redis/redis.js';
import { EnrichmentQueue, type TakeRequest } from './enrichment-queue.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t-enrichq-${randomBytes(3).toString('hex')}`;
const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL), new Redis(REDIS_URL)];
const [redis] = connections as [Redis, Redis, Redis];
const queue = new EnrichmentQueue(redis, prefix, { batchSize: 100 });

afterAll(async () => {
  await unlinkMatching(redis, `${prefix}:*`);
  for (const c of connections) c.disconnect();
});

/** `n` arXiv-looking ids of a test, distinct from every other test's. */
const ids = (tag: number, n: number, from = 0) =>
  Array.from(
    { length: n },
    (_, i) => `24${String(tag).padStart(2, '0')}.${String(from + i).padStart(5, '0')}`,
  );

const take = (crawlId: string, jobId: string, over: Partial<TakeRequest> = {}) =>
  queue.take({ crawlId, jobId, successor: `${jobId}-next`, slotWaitMs: 0, ...over });

/** Settles whatever batch is in flight (as a caller does once its request is done). */
async function settledMark(): Promise<string> {
  return (await queue.inFlight()) ?? '';
}

describe('EnrichmentQueue against real Redis', () => {
  it('queues an id once while it is claimed; a re-run of the same job gets its ids back without queueing them twice', async () => {
    const a = ids(1, 3);
    expect((await queue.add('c1', 'c1.dedupe.p1', [...a, a[0]!])).sort()).toEqual(a);
    expect(await queue.waiting('c1')).toBe(3);
    // The same job again (after a crash): the same ids, nothing queued twice.
    expect((await queue.add('c1', 'c1.dedupe.p1', a)).sort()).toEqual(a);
    expect(await queue.waiting('c1')).toBe(3);
    // Another job, of this crawl or another: the ids are claimed, it queues nothing.
    expect(await queue.add('c1', 'c1.dedupe.p2', a)).toEqual([]);
    expect(await queue.add('c9', 'c9.dedupe.p1', [a[1]!, ...ids(1, 1, 50)])).toEqual(ids(1, 1, 50));
    expect(await queue.waiting('c9')).toBe(1);
  });

  it('takes at most a batch of the oldest ids of one crawl, when a request may go out, and hands the crawl to the successor', async () => {
    const first = ids(2, 60);
    const later = ids(2, 90, 100);
    await queue.add('c2', 'c2.dedupe.p1', first);
    await queue.add('c2', 'c2.dedupe.p2', later);
    await queue.add('c2b', 'c2b.dedupe.p1', ids(2, 5, 500));
    const batch = await take('c2', 'c2.enrich.a', { settled: await settledMark() });
    expect(batch.kind).toBe('taken');
    if (batch.kind !== 'taken') return;
    expect(batch.ids).toHaveLength(100);
    expect(batch.ids.slice(0, 60).sort()).toEqual(first); // the oldest first
    expect(batch.more).toBe(true);
    expect(await queue.waiting('c2')).toBe(50);
    expect(await queue.taken('c2.enrich.a')).toEqual({ crawlId: 'c2', ids: batch.ids });
    expect(await queue.inFlight()).toBe('c2.enrich.a');
    // The crawl's successor keeps it; other jobs of the crawl leave it to that one.
    expect(await take('c2', 'c2.enrich.b')).toEqual({ kind: 'keeper', keeper: 'c2.enrich.a-next' });
    // Another crawl waits while the batch is in flight, and takes once the caller found it settled.
    expect(await take('c2b', 'c2b.enrich.a')).toEqual({ kind: 'in-flight', job: 'c2.enrich.a' });
    const other = await take('c2b', 'c2b.enrich.a', { settled: 'c2.enrich.a' });
    expect(other).toEqual({ kind: 'taken', ids: ids(2, 5, 500), more: false });
    // The successor takes the rest once that request is done: one batch in flight at a time.
    expect(await take('c2', 'c2.enrich.a-next', { settled: 'c2.enrich.a' })).toEqual({
      kind: 'in-flight',
      job: 'c2b.enrich.a',
    });
    const rest = await take('c2', 'c2.enrich.a-next', { settled: 'c2b.enrich.a' });
    expect(rest.kind === 'taken' && rest.ids.length === 50 && !rest.more).toBe(true);
    // Nothing waits: the next job of the crawl ends, and the crawl has no keeper left.
    expect(await take('c2', 'c2.enrich.c')).toEqual({ kind: 'empty' });
  });

  it('takes nothing while the slot is not free, but keeps the crawl for the asking job', async () => {
    await queue.add('c3', 'c3.dedupe.p1', ids(3, 2));
    const settled = await settledMark();
    expect(await take('c3', 'c3.enrich.a', { slotWaitMs: 1200, settled })).toEqual({ kind: 'slot' });
    expect(await take('c3', 'c3.enrich.b', { settled })).toEqual({ kind: 'keeper', keeper: 'c3.enrich.a' });
    expect(await take('c3', 'c3.enrich.a', { settled })).toMatchObject({ kind: 'taken', more: false });
  });

  it('gives a job re-run after a crash the batch it took before, whatever happened since', async () => {
    await queue.add('c4', 'c4.dedupe.p1', ids(4, 3));
    const first = await take('c4', 'c4.enrich.a', { settled: await settledMark() });
    expect(first.kind).toBe('taken');
    await queue.add('c4', 'c4.dedupe.p2', ids(4, 2, 10));
    // The worker died before it added the fetch job; the job runs again elsewhere, the slot busy.
    expect(await take('c4', 'c4.enrich.a', { slotWaitMs: 3000 })).toEqual(first);
    expect(await queue.waiting('c4')).toBe(2);
  });

  it('replaces a keeper the caller found gone, and only that one', async () => {
    await queue.add('c5', 'c5.dedupe.p1', ids(5, 2));
    const settled = await settledMark();
    expect(await take('c5', 'c5.enrich.dead', { slotWaitMs: 500, settled })).toEqual({ kind: 'slot' });
    expect(await take('c5', 'c5.enrich.b', { goneKeeper: 'c5.enrich.other' })).toEqual({
      kind: 'keeper',
      keeper: 'c5.enrich.dead',
    });
    const res = await take('c5', 'c5.enrich.b', { goneKeeper: 'c5.enrich.dead', settled });
    expect(res).toMatchObject({ kind: 'taken', more: false });
  });

  it('under concurrent adds and takes from several connections, hands every id to exactly one batch of at most 100', async () => {
    const queues = connections.map((c) => new EnrichmentQueue(c, prefix, { batchSize: 100 }));
    const all = ids(6, 250);
    const batches: string[][] = [];
    /**
     * One enrichment job and its successors, as the stage runs them: a request in flight is taken
     * to be done at once (settled); a job that finds a keeper or nothing waiting ends.
     */
    async function chain(q: EnrichmentQueue, first: string): Promise<void> {
      let job = first;
      let settled = '';
      for (;;) {
        const res = await q.take({ crawlId: 'c6', jobId: job, successor: `${job}+`, slotWaitMs: 0, settled });
        if (res.kind === 'in-flight') settled = res.job;
        else if (res.kind === 'taken') {
          batches.push(res.ids);
          if (!res.more) return;
          job = `${job}+`;
        } else return;
      }
    }
    // 50 dedupe jobs of 5 ids each on three connections; each that queued ids adds its
    // enrichment job, which runs while the others are still adding.
    await Promise.all(
      Array.from({ length: 50 }, async (_, j) => {
        const q = queues[j % 3]!;
        const queued = await q.add('c6', `c6.dedupe.p${j}`, all.slice(j * 5, j * 5 + 5));
        if (queued.length > 0) await chain(q, `c6.enrich.p${j}`);
      }),
    );
    expect(await queue.waiting('c6')).toBe(0);
    const flat = batches.flat();
    expect([...flat].sort()).toEqual([...all].sort());
    expect(new Set(flat).size).toBe(all.length);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(100);
  });
});
