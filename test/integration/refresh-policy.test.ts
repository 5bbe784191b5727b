import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensurePapersIndex } from '@paperline/core/es';
import { BackfillHolders, IndexWriters } from '@paperline/core/pipeline';
import { RefreshPolicy, indexRefreshControl } from '@paperline/indexer';
import { servicesFor } from '../helpers/services.js';

const { names, es, redis } = servicesFor('refresh');
const control = indexRefreshControl(es, names.index);
const started: RefreshPolicy[] = [];

/** One indexer process's policy on the test's index; nothing but a write rate makes it bulk-load. */
async function indexer(opts: { leaseMs?: number; checkMs?: number } = {}): Promise<RefreshPolicy> {
  const policy = new RefreshPolicy(
    control,
    new BackfillHolders(redis, names.prefix, names.index, opts.leaseMs ?? 10_000),
    new IndexWriters(redis, names.prefix, names.index, opts.leaseMs ?? 10_000),
    {
      normalInterval: '1s',
      backfillInterval: '10s',
      backfillDocsPerSecond: 1000,
      backfillBacklog: Number.POSITIVE_INFINITY,
      windowMs: 3000,
      exitWindowMs: 1000,
      idleMs: 60_000, // no pause ends a backfill here: only settle() does
      checkMs: opts.checkMs ?? 60_000,
    },
  );
  await policy.start();
  started.push(policy);
  return policy;
}

/** A bulk load: one write fast enough to count as a backfill; resolves when the index follows. */
async function bulkLoad(policy: RefreshPolicy): Promise<void> {
  policy.written(5000);
  await vi.waitFor(async () => expect(await control.refreshInterval()).toBe('10s'), { timeout: 10_000 });
}

afterEach(async () => {
  for (const p of started.splice(0)) await p.settle();
});

describe('the refresh interval of an index several indexers write (real Redis and Elasticsearch)', () => {
  it('stays at the backfill interval while any indexer bulk-loads, and is back when the last stops', async () => {
    await ensurePapersIndex(es, names.index, { shards: 1, replicas: '0' });
    expect(await control.refreshInterval()).toBe('1s');
    const a = await indexer();
    const b = await indexer();
    await bulkLoad(a);
    await bulkLoad(b);

    await a.settle(); // a is done; b goes on
    expect(await control.refreshInterval()).toBe('10s');
    await b.settle();
    expect(await control.refreshInterval()).toBe('1s');
  });

  it('a starting indexer leaves the interval of a live bulk load alone, and restores one whose indexer died', async () => {
    await ensurePapersIndex(es, names.index, { shards: 1, replicas: '0' });
    await bulkLoad(await indexer({ leaseMs: 60_000 }));
    await indexer();
    expect(await control.refreshInterval()).toBe('10s');
    for (const p of started.splice(0)) await p.settle();

    // An indexer that dies mid-backfill renews its lease no more: once it runs out, the next
    // check of a live indexer restores the normal interval.
    await bulkLoad(await indexer({ leaseMs: 500 }));
    started.pop(); // dead: never settles, never renews
    await indexer({ checkMs: 100 });
    await vi.waitFor(async () => expect(await control.refreshInterval()).toBe('1s'), { timeout: 10_000 });
  });

  it('two indexers each writing under the backfill rate, over it together, bulk-load the index', async () => {
    await ensurePapersIndex(es, names.index, { shards: 1, replicas: '0' });
    const a = await indexer({ checkMs: 500 });
    const b = await indexer({ checkMs: 500 });
    // Each writes 70 documents every 100 ms: 700 a second at most, under the backfill rate alone.
    const writes = setInterval(() => {
      a.written(70);
      b.written(70);
    }, 100);
    try {
      // Once their checks have counted both writers, each sees the index written 1,400 a second.
      await vi.waitFor(() => expect([a.current, b.current]).toEqual(['backfill', 'backfill']), {
        timeout: 15_000,
      });
      await vi.waitFor(async () => expect(await control.refreshInterval()).toBe('10s'), { timeout: 5_000 });
    } finally {
      clearInterval(writes);
    }
  });
});
