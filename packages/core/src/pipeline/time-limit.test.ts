import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PaperlineError, TransientError } from '@paperline/contracts';
import { isAbortError, withTimeLimit } from './time-limit.js';

const limit = { stage: 'parse' as const, ms: 50, url: 'http://127.0.0.1:1/p' };

describe('withTimeLimit', () => {
  it('returns what the work returns within the limit, its signal untouched', async () => {
    let seen: AbortSignal | undefined;
    const out = await withTimeLimit({ ...limit, ms: 60_000 }, undefined, async (signal) => {
      seen = signal;
      return 42;
    });
    expect(out).toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('passes the work its own failure', async () => {
    const boom = new TransientError('HTTP_SERVER_ERROR', '503');
    await expect(
      withTimeLimit({ ...limit, ms: 60_000 }, undefined, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('past the limit: aborts the signal and fails with JOB_TIMEOUT naming stage, URL and limit', async () => {
    let seen: AbortSignal | undefined;
    const err = await withTimeLimit(limit, undefined, (signal) => {
      seen = signal;
      return new Promise<never>(() => undefined); // ignores its signal
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as PaperlineError).code).toBe('JOB_TIMEOUT');
    expect((err as PaperlineError).message).toBe(
      'parse job of http://127.0.0.1:1/p ran over its time limit of 50 ms',
    );
    expect((err as PaperlineError).context).toEqual({ url: limit.url, limitMs: 50 });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(err);
  });

  it('a nap on the signal ends at the limit', async () => {
    let napEnded!: (e: unknown) => void;
    const nap = new Promise<unknown>((r) => (napEnded = r));
    const err = await withTimeLimit(limit, undefined, (signal) =>
      sleep(60_000, undefined, { signal }).catch((e: unknown) => {
        napEnded(e);
        throw e;
      }),
    ).catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('JOB_TIMEOUT');
    expect(isAbortError(await nap)).toBe(true);
  });

  it('shutdown aborts the signal (naps end) without failing the work itself', async () => {
    const shutdown = new AbortController();
    const run = withTimeLimit({ ...limit, ms: 60_000 }, shutdown.signal, async (signal) => {
      await sleep(60_000, undefined, { signal }).catch(() => undefined);
      return signal.reason as unknown;
    });
    shutdown.abort('shutdown');
    expect(await run).toBe('shutdown');
  });

  it('a signal already aborted at the start is passed on aborted', async () => {
    const shutdown = new AbortController();
    shutdown.abort('shutdown');
    expect(await withTimeLimit(limit, shutdown.signal, async (signal) => signal.aborted)).toBe(true);
  });
});
