import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshPolicy, type RefreshControl } from './refresh.js';

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

  const policy = (errors: unknown[] = []) =>
    new RefreshPolicy(ctl, {
      normalInterval: '1s',
      backfillInterval: '10s',
      backfillDocsPerSecond: 1000,
      backfillBacklog: 1000,
      windowMs: 3000,
      idleMs: 1000,
      now: () => Date.now(),
      onError: (e) => errors.push(e),
    });

  it('stays at the normal interval under steady traffic below the backfill rate', async () => {
    const p = policy();
    for (let i = 0; i < 40; i++) {
      p.written(125); // 500 documents a second, in bulks every 250 ms
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual([]);
  });

  it('refreshes less often during a backfill, and refreshes at once when writes stop', async () => {
    const p = policy();
    for (let i = 0; i < 12; i++) {
      p.written(500); // 2000 a second
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
      p.written(500); // 2000 a second
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('backfill');
    for (let i = 0; i < 80; i++) {
      p.written(125); // then 500 a second, never idle
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('normal');
    expect(calls).toEqual(['interval 10s', 'interval 1s', 'refresh']);
  });

  it('treats slow writes as a backfill while the queues hold a bulk load, and refreshes once it drains', async () => {
    const p = policy();
    p.backlog(1800); // a crawl of thousands of pages: fetching sets the pace
    for (let i = 0; i < 8; i++) {
      p.written(200); // 800 a second, under the backfill rate
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(p.current).toBe('backfill');
    expect(calls).toEqual(['interval 10s']);
    p.backlog(700); // draining, but above half the threshold: still a bulk load
    p.written(200);
    await vi.advanceTimersByTimeAsync(250);
    expect(p.current).toBe('backfill');
    p.backlog(100);
    p.written(200);
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

  it('a failed change is reported and tried again: back to normal after another idle period', async () => {
    const errors: unknown[] = [];
    const p = policy(errors);
    p.written(5000);
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
