import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshPolicy, type RefreshControl, type WriteCounter } from './refresh.js';

/** The index's writes as IndexWrites counts them (every writer's, over a 3 s window), in memory. */
function counter(windowMs = 3000): WriteCounter {
  const writes: Array<{ t: number; n: number }> = [];
  let since = Number.NEGATIVE_INFINITY;
  const activity = () => {
    const now = Date.now();
    const recent = writes.filter((w) => w.t > Math.max(now - windowMs, since));
    const last = writes.at(-1)?.t;
    return {
      docsPerSecond: (recent.reduce((sum, w) => sum + w.n, 0) * 1000) / windowMs,
      idleMs: last === undefined ? Number.POSITIVE_INFINITY : now - last,
    };
  };
  return {
    add: async (n) => {
      writes.push({ t: Date.now(), n });
      return activity();
    },
    current: async () => activity(),
    restart: async () => {
      since = Date.now();
    },
  };
}

describe('RefreshPolicy', () => {
  let calls: string[];
  let ctl: RefreshControl;
  let failNext = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    failNext = 0;
    ctl = {
      setRefreshInterval: async (v) => {
        if (failNext-- > 0) throw new Error('cluster unavailable');
        calls.push(`interval ${v}`);
      },
      refresh: async () => void calls.push('refresh'),
    };
  });
  afterEach(() => vi.useRealTimers());

  const policy = (errors: unknown[] = [], writes: WriteCounter = counter()) =>
    new RefreshPolicy(ctl, writes, {
      normalInterval: '1s',
      backfillInterval: '10s',
      backfillDocsPerSecond: 1000,
      backfillBacklog: 1000,
      idleMs: 1000,
      onError: (e) => errors.push(e),
    });

  it('stays at the normal interval under steady traffic below the backfill rate', async () => {
    const p = policy();
    for (let i = 0; i < 40; i++) {
      void p.written(125); // 500 documents a second, in bulks every 250 ms
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
  });

  it('refreshes less often during a backfill, and refreshes at once when writes stop', async () => {
    const p = policy();
    for (let i = 0; i < 12; i++) {
      void p.written(500); // 2000 a second
      await vi.advanceTimersByTimeAsync(250);
    }
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
    for (let i = 0; i < 12; i++) {
      void p.written(500); // 2000 a second
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('backfill');
    for (let i = 0; i < 80; i++) {
      void p.written(125); // then 500 a second, never idle
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('treats slow writes as a backfill while the queues hold a bulk load, and refreshes once it drains', async () => {
    const p = policy();
    p.backlog(1800); // a crawl of thousands of pages: fetching sets the pace
    for (let i = 0; i < 8; i++) {
      void p.written(200); // 800 a second, under the backfill rate
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    p.backlog(700); // draining, but above half the threshold: still a bulk load
    void p.written(200);
    await vi.advanceTimersByTimeAsync(250);
    expect(p.current).toBe('backfill');
    p.backlog(100);
    void p.written(200);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('a pause in writes does not end a backfill while the queues still hold a bulk load', async () => {
    const p = policy();
    p.backlog(1500);
    void p.written(200);
    await vi.advanceTimersByTimeAsync(5000); // upstream stalled: no write for 5 s
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    p.backlog(0); // the crawl is done
    await vi.advanceTimersByTimeAsync(1000);
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('indexers that write one index decide on their writes together: a pause of one does not end the backfill', async () => {
    const writes = counter();
    const [a, b] = [policy([], writes), policy([], writes)];
    for (let i = 0; i < 12; i++) {
      void a.written(175); // 700 a second each, under the backfill rate; 1,400 together
      void b.written(175);
      await vi.advanceTimersByTimeAsync(250);
    }
    expect([a.current, b.current]).toEqual(['backfill', 'backfill']);
    expect(calls).toEqual(['interval 10s', 'interval 10s']);
    for (let i = 0; i < 12; i++) {
      void b.written(350); // a pauses for 3 s while b goes on at 1,400 a second
      await vi.advanceTimersByTimeAsync(250);
    }
    expect([a.current, b.current]).toEqual(['backfill', 'backfill']);
    expect(calls).toEqual(['interval 10s', 'interval 10s']);
    await vi.advanceTimersByTimeAsync(1000); // b stops too
    expect([a.current, b.current]).toEqual(['normal', 'normal']);
    expect(calls).toEqual([
      'interval 10s',
      'interval 10s',
      'interval 1s',
      'refresh',
      'interval 1s',
      'refresh',
    ]);
  });

  it('a write the counter cannot count is reported and changes nothing', async () => {
    const errors: unknown[] = [];
    const down: WriteCounter = {
      add: () => Promise.reject(new Error('Redis away')),
      current: () => Promise.reject(new Error('Redis away')),
      restart: () => Promise.reject(new Error('Redis away')),
    };
    const p = policy(errors, down);
    await p.written(5000);
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('settle() waits for decisions still being made, so the index is not left at the backfill interval', async () => {
    let answer!: (a: { docsPerSecond: number; idleMs: number }) => void;
    const slow: WriteCounter = {
      add: () => new Promise((resolve) => (answer = resolve)),
      current: async () => ({ docsPerSecond: 0, idleMs: Number.POSITIVE_INFINITY }),
      restart: async () => undefined,
    };
    const p = policy([], slow);
    void p.written(5000);
    const settled = p.settle();
    answer({ docsPerSecond: 5000, idleMs: 0 });
    await settled;
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it("steady traffic right after a backfill is not taken for one: the backfill's writes no longer count", async () => {
    const p = policy();
    for (let i = 0; i < 12; i++) {
      void p.written(500); // 2000 a second
      await vi.advanceTimersByTimeAsync(250);
    }
    await vi.advanceTimersByTimeAsync(1000); // writes stop: back to normal
    expect(p.current).toBe('normal');
    for (let i = 0; i < 12; i++) {
      void p.written(125); // 500 a second at once, while the backfill's writes are still in the window
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('a small backlog does not make steady traffic a backfill', async () => {
    const p = policy();
    for (let i = 0; i < 40; i++) {
      p.backlog(20);
      void p.written(125);
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
  });

  it('settle() ends a backfill before the indexer exits', async () => {
    const p = policy();
    void p.written(5000);
    await vi.advanceTimersByTimeAsync(0);
    await p.settle();
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
    expect(p.current).toBe('normal');
  });

  it('a failed change is reported and tried again: back to normal after another idle period', async () => {
    const errors: unknown[] = [];
    const p = policy(errors);
    void p.written(5000);
    await vi.advanceTimersByTimeAsync(0);
    failNext = 1;
    await vi.advanceTimersByTimeAsync(1000); // idle: the restore fails
    expect(errors).toHaveLength(1);
    expect(p.current).toBe('backfill');
    await vi.advanceTimersByTimeAsync(1000); // and succeeds the next time
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });
});
