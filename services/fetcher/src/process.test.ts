import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '@paperline/contracts';
import { createLogger, type FetchResult, type SlotDecision, type UrlRecord } from '@paperline/core';
import { processFetch, type FetchDeps } from './process.js';

const url = 'http://site.test/papers/date/2025-03-14';
const ctx = { jobId: 'j1', attempt: 1, log: createLogger({ level: 'silent' }) };
/** Lets other tasks run, as a real round trip would. */
const roundTrip = () => new Promise<void>((r) => setImmediate(r));

const page: FetchResult = {
  requestedUrl: url,
  finalUrl: url,
  status: 200,
  contentType: 'text/html',
  charset: 'utf-8',
  body: Buffer.from('<html></html>'),
  redirects: [],
  elapsedMs: 1,
};

/** Fakes that record, in order, each call and the moment each one's answer arrives. */
function recordingDeps(opts: { slot?: SlotDecision; prior?: UrlRecord; fetch?: () => FetchResult } = {}) {
  const events: string[] = [];
  const pushedBack: number[] = [];
  const answer = async <T>(name: string, value: T): Promise<T> => {
    events.push(name);
    await roundTrip();
    events.push(`${name} answered`);
    return value;
  };
  const deps: FetchDeps = {
    http: {
      fetch: async () => {
        events.push('request sent');
        await roundTrip();
        return (opts.fetch ?? (() => page))();
      },
    },
    archive: {
      put: () => answer('archive.put', undefined),
      getUrl: () => answer('archive.getUrl', opts.prior ?? null),
      touch: () => answer('archive.touch', undefined),
    },
    limiter: {
      reserve: () => answer('limiter.reserve', opts.slot ?? { kind: 'go', waitMs: 0, grantedAt: 1 }),
      pushBack: async (_host, ms) => {
        pushedBack.push(ms);
        await roundTrip();
      },
    },
    route: () => ({ source: 'hf', type: 'hf-daily' }),
    robots: () => answer('robots', undefined),
    markFetched: () => answer('markFetched', undefined),
    markPagePapers: () => answer('markPagePapers', undefined),
  };
  return { deps, events, pushedBack };
}

describe('processFetch and the host slot', () => {
  it('takes the slot last: the request goes out right when the slot is granted', async () => {
    const { deps, events } = recordingDeps();
    await processFetch({ crawlId: 'c1', url, depth: 0 }, deps, ctx);
    const granted = events.indexOf('limiter.reserve answered');
    expect(events.slice(0, granted + 2)).toEqual([
      'robots',
      'robots answered',
      'archive.getUrl',
      'archive.getUrl answered',
      'limiter.reserve',
      'limiter.reserve answered',
      'request sent',
    ]);
  });

  it('sends the conditional headers looked up before the slot was taken', async () => {
    const prior: UrlRecord = {
      url,
      finalUrl: url,
      sha256: 'a'.repeat(64),
      status: 200,
      contentType: 'text/html',
      etag: '"v1"',
      fetchedAt: '2025-03-14T00:00:00.000Z',
      source: 'hf',
      size: 10,
      paperIds: ['arxiv:2503.00001'],
    };
    const { deps, events } = recordingDeps({
      prior,
      fetch: () => ({ ...page, status: 304, body: Buffer.alloc(0) }),
    });
    const seen: unknown[] = [];
    const fetch = deps.http.fetch;
    deps.http.fetch = (u, conditional) => {
      seen.push(conditional);
      return fetch(u, conditional);
    };
    expect((await processFetch({ crawlId: 'c1', url, depth: 0 }, deps, ctx)).outcome).toBe('not-modified');
    expect(seen).toEqual([{ etag: '"v1"' }]);
    expect(events.indexOf('request sent')).toBe(events.indexOf('limiter.reserve answered') + 1);
  });

  it('sends nothing when the slot is far away, and defers the job by that long', async () => {
    const { deps, events } = recordingDeps({ slot: { kind: 'later', delayMs: 5_000 } });
    const before = Date.now();
    const res = await processFetch({ crawlId: 'c1', url, depth: 0 }, deps, ctx);
    expect(res.outcome).toBe('deferred');
    expect(res.delayUntil).toBeGreaterThanOrEqual(before + 5_000);
    expect(events).not.toContain('request sent');
  });

  it("pushes the host's slot back by the server's Retry-After when rate limited", async () => {
    const { deps, pushedBack } = recordingDeps({
      fetch: () => {
        throw new RateLimitedError('429', 42_000);
      },
    });
    await expect(processFetch({ crawlId: 'c1', url, depth: 0 }, deps, ctx)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect(pushedBack).toEqual([42_000]);
  });
});
