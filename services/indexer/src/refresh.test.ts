import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshPolicy, type Holders, type RefreshControl } from './refresh.js';

/** The index's interval and the holders' leases, shared by every policy of a test as by indexers. */
class FakeIndex {
  interval = '1s';
  calls: string[] = [];
  failNext = 0;
  readonly leases = new Set<string>();
  readonly writing = new Set<string>();

  readonly ctl: RefreshControl = {
    refreshInterval: async () => this.interval,
    setRefreshInterval: async (v) => {
      if (this.failNext-- > 0) throw new Error('cluster unavailable');
      this.interval = v;
      this.calls.push(`interval ${v}`);
    },
    refresh: async () => void this.calls.push('refresh'),
  };

  holders(name: string, leases = this.leases): Holders {
    return {
      hold: async () => leases.add(name).size,
      release: async () => (leases.delete(name), leases.size),
    };
  }

  writers(name: string): Holders {
    return this.holders(name, this.writing);
  }
}

describe('RefreshPolicy', () => {
  let index: FakeIndex;
  let calls: string[];
  beforeEach(() => {
    vi.useFakeTimers();
    index = new FakeIndex();
    calls = index.calls;
  });
  afterEach(() => vi.useRealTimers());

  const policy = (errors: unknown[] = [], name = 'indexer-1') =>
    new RefreshPolicy(index.ctl, index.holders(name), index.writers(name), {
      normalInterval: '1s',
      backfillInterval: '10s',
      backfillDocsPerSecond: 1000,
      backfillBacklog: 1000,
      windowMs: 3000,
      exitWindowMs: 1000,
      idleMs: 1000,
      checkMs: 2000,
      now: () => Date.now(),
      onError: (e) => errors.push(e),
    });

  /** `bulks` bulk writes of `docs` documents by each policy, one every `everyMs`. */
  async function writeBulks(policies: RefreshPolicy[], bulks: number, docs: number, everyMs = 250) {
    for (let i = 0; i < bulks; i++) {
      for (const p of policies) p.written(docs);
      await vi.advanceTimersByTimeAsync(everyMs);
    }
  }

  it('stays at the normal interval under steady traffic below the backfill rate', async () => {
    const p = policy();
    await writeBulks([p], 40, 125); // 500 documents a second, in bulks every 250 ms
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
  });

  it('refreshes less often during a backfill, and refreshes at once when writes stop', async () => {
    const p = policy();
    await writeBulks([p], 12, 500); // 2000 a second
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    await vi.advanceTimersByTimeAsync(749); // the last write was 250 ms ago
    expect(calls).toEqual(['interval 10s']);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('returns to normal when a backfill slows to steady traffic, and stays there', async () => {
    const p = policy();
    await writeBulks([p], 12, 500); // 2000 a second
    expect(p.current).toBe('backfill');
    await writeBulks([p], 80, 125); // then 500 a second, never idle
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('sees a backfill end within a second when steady traffic follows it without a pause', async () => {
    const p = policy();
    await writeBulks([p], 12, 500); // 2000 a second
    expect(p.current).toBe('backfill');
    await writeBulks([p], 4, 125); // then 500 a second: the 3 s window still holds the backfill's writes
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('does not leave a backfill between bursty bulks that keep up its rate', async () => {
    const p = policy();
    await writeBulks([p], 30, 1000, 800); // 1000 documents every 800 ms: 1250 a second, in bursts
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
  });

  it('a gap between bulks does not end a backfill while its rate holds up and work still waits', async () => {
    const p = policy();
    p.backlog(300); // a crawl's last pages: under half the backlog threshold, still queued
    await writeBulks([p], 10, 1500, 1200); // 1250 a second, in bulks further apart than idleMs
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    await vi.advanceTimersByTimeAsync(1800); // no write for 3 s: the window's rate is a trickle now
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('ends a backfill once no write comes and nothing waits in the queues', async () => {
    const p = policy();
    p.backlog(300);
    await writeBulks([p], 10, 1500, 1200);
    expect(p.current).toBe('backfill');
    p.backlog(0); // the crawl's last page is written
    await vi.advanceTimersByTimeAsync(0);
    expect(p.current).toBe('backfill'); // the idle check comes every idleMs after the last write
    await vi.advanceTimersByTimeAsync(1000);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('treats slow writes as a backfill while the queues hold a bulk load, and refreshes once it drains', async () => {
    const p = policy();
    p.backlog(1800); // a crawl of thousands of pages: fetching sets the pace
    await writeBulks([p], 8, 150); // 600 a second, under the backfill rate
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    p.backlog(700); // draining, but above half the threshold: still a bulk load
    p.written(150);
    await vi.advanceTimersByTimeAsync(250);
    expect(p.current).toBe('backfill');
    p.backlog(100);
    p.written(150);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('a pause in writes does not end a backfill while the queues still hold a bulk load', async () => {
    const p = policy();
    p.backlog(1500);
    p.written(200);
    await vi.advanceTimersByTimeAsync(5000); // upstream stalled: no write for 5 s
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    p.backlog(0); // the crawl is done
    await vi.advanceTimersByTimeAsync(1000);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('a small backlog does not make steady traffic a backfill', async () => {
    const p = policy();
    for (let i = 0; i < 40; i++) {
      p.backlog(20);
      p.written(125);
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
  });

  it('settle() ends a backfill before the indexer exits', async () => {
    const p = policy();
    p.written(5000);
    await vi.advanceTimersByTimeAsync(0);
    await p.settle();
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
    expect(p.current).toBe('normal');
  });

  it('a failed change is reported and tried again at the next check', async () => {
    const errors: unknown[] = [];
    const p = policy(errors);
    await p.start();
    p.written(5000);
    await vi.advanceTimersByTimeAsync(0);
    index.failNext = 1;
    await vi.advanceTimersByTimeAsync(1000); // idle: the restore fails
    expect(errors).toHaveLength(1);
    expect(p.current).toBe('normal');
    expect(index.interval).toBe('10s');
    await vi.advanceTimersByTimeAsync(2000); // and succeeds at the next check
    expect(index.interval).toBe('1s');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('start() restores the normal interval an indexer that died mid-backfill left behind', async () => {
    index.interval = '10s';
    await policy().start();
    expect(calls).toEqual(['interval 1s', 'refresh']);
  });

  describe('several indexers on one index', () => {
    /** Indexers `a` and `b`, started (their checks run every 2 s). */
    async function startedPair(): Promise<[RefreshPolicy, RefreshPolicy]> {
      const pair = [policy([], 'a'), policy([], 'b')] as [RefreshPolicy, RefreshPolicy];
      await Promise.all(pair.map((p) => p.start()));
      return pair;
    }

    it('two writing under the backfill rate each, over it together, are a backfill; slowing ends it', async () => {
      const [a, b] = await startedPair();
      await writeBulks([a, b], 8, 175); // 700 documents a second each: alone, no backfill
      expect(calls).toEqual([]);
      await writeBulks([a, b], 12, 175); // checks (every 2 s) have counted both writers
      expect(index.writing).toEqual(new Set(['a', 'b']));
      expect(a.current).toBe('backfill');
      expect(b.current).toBe('backfill');
      expect(calls).toEqual(['interval 10s']);
      await writeBulks([a, b], 4, 50); // then 200 a second each: 400 together, a trickle
      expect(a.current).toBe('normal');
      expect(b.current).toBe('normal');
      expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
    });

    it('two writing 300 documents a second each stay at the normal interval', async () => {
      const [a, b] = await startedPair();
      await writeBulks([a, b], 40, 75);
      expect(index.writing).toEqual(new Set(['a', 'b']));
      expect(calls).toEqual([]);
    });

    it('an indexer that stopped writing leaves the writers at its next check', async () => {
      const [a, b] = await startedPair();
      await writeBulks([a, b], 12, 100);
      expect(index.writing).toEqual(new Set(['a', 'b']));
      await writeBulks([b], 12, 100); // a has nothing to write any more
      expect(index.writing).toEqual(new Set(['b']));
      await b.settle();
      expect(index.writing).toEqual(new Set());
    });

    it('one pausing leaves the backfill interval to the one still bulk-loading', async () => {
      const [a, b] = await startedPair();
      await writeBulks([a, b], 12, 500);
      // Both may set it, having read the old interval at the same moment, as two processes would.
      expect(new Set(calls)).toEqual(new Set(['interval 10s']));
      await writeBulks([b], 12, 500); // a has stopped: its backfill ends, b's goes on
      expect(a.current).toBe('normal');
      expect(b.current).toBe('backfill');
      expect(new Set(calls)).toEqual(new Set(['interval 10s']));
      await vi.advanceTimersByTimeAsync(1000); // b stops too: the last holder restores the index
      expect(calls.slice(-2)).toEqual(['interval 1s', 'refresh']);
      expect(index.interval).toBe('1s');
    });

    it('a starting indexer does not reset the interval under one that bulk-loads', async () => {
      const a = policy([], 'a');
      await a.start();
      a.written(5000);
      await vi.advanceTimersByTimeAsync(0);
      await policy([], 'b').start();
      expect(index.interval).toBe('10s');
      expect(calls).toEqual(['interval 10s']);
    });

    it('every check puts back an interval another process changed meanwhile', async () => {
      const a = policy([], 'a');
      await a.start();
      a.backlog(1500); // a bulk load: a pause in writes does not end it
      a.written(5000);
      await vi.advanceTimersByTimeAsync(0);
      index.interval = '1s'; // an older indexer, or an operator, set it
      await vi.advanceTimersByTimeAsync(1999);
      expect(index.interval).toBe('1s');
      await vi.advanceTimersByTimeAsync(1);
      expect(index.interval).toBe('10s');
      expect(a.current).toBe('backfill');
    });
  });
});
