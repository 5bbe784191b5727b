import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  PaperlineError,
  PermanentError,
  RateLimitedError,
  TransientError,
  type FetchJob,
  type ParseJob,
  type Route,
} from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import type { FetchResult } from '@paperline/core/http';
import type { ArchivedPage, UrlRecord } from '@paperline/core/es';
import type { SlotDecision, StageContext } from '@paperline/core/pipeline';
import { processFetch, type FetchDeps } from './process.js';

const URL_ = 'http://127.0.0.1:4567/papers/date/2024-03-20';
const HOST = '127.0.0.1:4567';
const ROUTE: Route = { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2024-03-20' } };
const NOW = new Date('2024-03-20T12:00:00.000Z');
const BODY = Buffer.from('<html>listing</html>');

const job = (over: Partial<FetchJob> = {}): FetchJob => ({
  crawlId: 'c1',
  url: URL_,
  depth: 1,
  route: ROUTE,
  ...over,
});

const signal = new AbortController().signal;
const ctx: StageContext = { jobId: 'j1', attempt: 1, log: createLogger({ level: 'silent' }), signal };

const ok = (over: Partial<FetchResult> = {}): FetchResult => ({
  requestedUrl: URL_,
  finalUrl: URL_,
  status: 200,
  contentType: 'text/html; charset=utf-8',
  charset: 'utf-8',
  etag: '"v1"',
  body: BODY,
  redirects: [],
  elapsedMs: 12,
  ...over,
});

/** Fakes of every dependency, recording what the processor did with them. */
function fakes(
  opts: {
    prior?: UrlRecord | null;
    result?: FetchResult | Error;
    slot?: 'go' | number;
    /** Whether the crawl already fetched the URL (a re-run of the job). */
    fetchedBefore?: boolean;
  } = {},
) {
  const archived: ArchivedPage[] = [];
  const deps = {
    http: {
      fetch: vi.fn(async () => {
        const r = opts.result ?? ok();
        if (r instanceof Error) throw r;
        return r;
      }),
    },
    archive: {
      put: vi.fn(async (page: ArchivedPage) => void archived.push(page)),
      getUrl: vi.fn(async () => opts.prior ?? null),
      touch: vi.fn(async () => undefined),
    },
    limiter: {
      reserve: vi.fn(async () =>
        opts.slot === undefined || opts.slot === 'go'
          ? ({ kind: 'go', waitMs: 0 } as const)
          : ({ kind: 'later', delayMs: opts.slot } as const),
      ),
      pushBack: vi.fn(async () => undefined),
    },
    legacyRoute: vi.fn((): Route | null => ROUTE),
    robots: vi.fn(async () => undefined),
    markFetched: vi.fn(async () => undefined),
    fetchedBefore: vi.fn(async () => opts.fetchedBefore ?? false),
    markPagePapers: vi.fn(async () => undefined),
    now: () => NOW,
  } satisfies FetchDeps;
  return { deps, archived };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (e: unknown) => e as PaperlineError,
  );

describe('processFetch', () => {
  it('archives the body under its sha256 and hands the parser a reference, under the job route', async () => {
    const { deps, archived } = fakes();
    const res = await processFetch(job(), deps, ctx);
    const sha256 = createHash('sha256').update(BODY).digest('hex');
    expect(res.outcome).toBe('fetched');
    expect(archived).toEqual([
      {
        url: URL_,
        finalUrl: URL_,
        sha256,
        status: 200,
        contentType: 'text/html; charset=utf-8',
        etag: '"v1"',
        fetchedAt: NOW.toISOString(),
        source: 'hf',
        size: BODY.length,
        body: BODY,
      },
    ]);
    const parse: ParseJob = {
      crawlId: 'c1',
      url: URL_,
      finalUrl: URL_,
      sha256,
      contentType: 'text/html; charset=utf-8',
      status: 200,
      fetchedAt: NOW.toISOString(),
      depth: 1,
      source: 'hf',
    };
    // The bytes go along in memory only, for a parse chained in this process; the job is the reference.
    expect(res.emit).toEqual([{ stage: 'parse', payload: parse, handOff: { body: BODY } }]);
    expect(deps.markFetched).toHaveBeenCalledWith('c1', URL_);
    expect(deps.http.fetch).toHaveBeenCalledWith(URL_, undefined);
    expect(deps.legacyRoute).not.toHaveBeenCalled();
  });

  it('takes the source from the route in the payload, never routing the URL again', async () => {
    const { deps, archived } = fakes();
    deps.legacyRoute.mockReturnValue(null);
    const res = await processFetch(job({ route: { source: 'arxiv', type: 'arxiv-api' } }), deps, ctx);
    expect(archived[0]!.source).toBe('arxiv');
    expect(res.emit?.[0]?.payload).toMatchObject({ source: 'arxiv' });
    expect(deps.legacyRoute).not.toHaveBeenCalled();
  });

  it('routes a job enqueued before routes travelled with jobs, once, at the fetcher', async () => {
    const { deps, archived } = fakes();
    await processFetch(job({ route: undefined }), deps, ctx);
    expect(deps.legacyRoute).toHaveBeenCalledTimes(1);
    expect(archived[0]!.source).toBe('hf');
  });

  it('refuses an older job whose URL no source parses, before robots.txt or the network', async () => {
    const { deps } = fakes();
    deps.legacyRoute.mockReturnValue(null);
    const err = await failure(
      processFetch(job({ route: undefined, url: 'http://127.0.0.1:9/x' }), deps, ctx),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('UNSUPPORTED_URL');
    expect(err.context.url).toBe('http://127.0.0.1:9/x');
    expect(deps.robots).not.toHaveBeenCalled();
    expect(deps.http.fetch).not.toHaveBeenCalled();
  });

  it('lets robots.txt refuse the URL before anything is fetched', async () => {
    const { deps } = fakes();
    deps.robots.mockRejectedValue(new PermanentError('ROBOTS_DISALLOWED', 'robots.txt disallows it'));
    const err = await failure(processFetch(job(), deps, ctx));
    expect(err.code).toBe('ROBOTS_DISALLOWED');
    expect(deps.limiter.reserve).not.toHaveBeenCalled();
    expect(deps.http.fetch).not.toHaveBeenCalled();
  });

  it("waits for the host's slot on the job's signal, so shutdown ends the nap", async () => {
    const { deps } = fakes();
    await processFetch(job(), deps, ctx);
    expect(deps.limiter.reserve).toHaveBeenCalledWith(HOST, signal);
  });

  it('defers the job when the slot is far away, fetching nothing', async () => {
    const { deps } = fakes({ slot: 5000 });
    const before = Date.now();
    const res = await processFetch(job(), deps, ctx);
    const after = Date.now();
    expect(res.outcome).toBe('deferred');
    const until = res.outcome === 'deferred' ? res.delayUntil : 0;
    expect(until).toBeGreaterThanOrEqual(before + 5000);
    expect(until).toBeLessThanOrEqual(after + 5000);
    expect(deps.http.fetch).not.toHaveBeenCalled();
    expect(deps.markFetched).not.toHaveBeenCalled();
  });

  it('asks conditionally for a page whose papers are known; a 304 counts them without a parse', async () => {
    const prior: UrlRecord = {
      url: URL_,
      finalUrl: URL_,
      sha256: 'a'.repeat(64),
      status: 200,
      contentType: 'text/html',
      etag: '"v1"',
      lastModified: 'Wed, 20 Mar 2024 10:00:00 GMT',
      fetchedAt: '2024-03-19T12:00:00.000Z',
      source: 'hf',
      size: 10,
      paperIds: ['arxiv:2403.12345', 'arxiv:2403.11111'],
    };
    const { deps } = fakes({ prior, result: ok({ status: 304, body: Buffer.alloc(0), contentType: '' }) });
    const res = await processFetch(job(), deps, ctx);
    expect(deps.http.fetch).toHaveBeenCalledWith(URL_, {
      etag: '"v1"',
      lastModified: 'Wed, 20 Mar 2024 10:00:00 GMT',
    });
    expect(res).toEqual({ outcome: 'not-modified' });
    expect(deps.archive.touch).toHaveBeenCalledWith(URL_, NOW.toISOString());
    expect(deps.markFetched).toHaveBeenCalledWith('c1', URL_);
    expect(deps.markPagePapers).toHaveBeenCalledWith('c1', URL_, prior.paperIds);
    expect(deps.archive.put).not.toHaveBeenCalled();
  });

  it('asks unconditionally when this job ran before in its crawl: that run may have merged the papers without writing them', async () => {
    const prior: UrlRecord = {
      url: URL_,
      finalUrl: URL_,
      sha256: 'a'.repeat(64),
      status: 200,
      contentType: 'text/html',
      etag: '"v1"',
      fetchedAt: '2024-03-19T12:00:00.000Z',
      source: 'hf',
      size: 10,
      paperIds: ['arxiv:2403.12345'],
    };
    const { deps } = fakes({ prior, fetchedBefore: true });
    expect((await processFetch(job(), deps, ctx)).outcome).toBe('fetched');
    expect(deps.fetchedBefore).toHaveBeenCalledWith('c1', URL_);
    expect(deps.http.fetch).toHaveBeenCalledWith(URL_, undefined);
    expect(deps.markPagePapers).not.toHaveBeenCalled();
  });

  it('asks unconditionally for a page never parsed into papers', async () => {
    const prior: UrlRecord = {
      url: URL_,
      finalUrl: URL_,
      sha256: 'a'.repeat(64),
      status: 200,
      contentType: 'text/html',
      etag: '"v1"',
      fetchedAt: '2024-03-19T12:00:00.000Z',
      source: 'hf',
      size: 10,
    };
    const { deps } = fakes({ prior });
    expect((await processFetch(job(), deps, ctx)).outcome).toBe('fetched');
    expect(deps.http.fetch).toHaveBeenCalledWith(URL_, undefined);
  });

  describe('a 200 with the very bytes archived, from a server without validators', () => {
    const archivedBefore: UrlRecord = {
      url: URL_,
      finalUrl: URL_,
      sha256: createHash('sha256').update(BODY).digest('hex'),
      status: 200,
      contentType: 'text/html; charset=utf-8',
      fetchedAt: '2024-03-19T12:00:00.000Z',
      source: 'hf',
      size: BODY.length,
      paperIds: ['arxiv:2403.12345', 'arxiv:2403.11111'],
    };
    /** The fetch result of a server that sends no ETag (`ok()` has one). */
    const withoutEtag = (over: Partial<FetchResult> = {}): FetchResult => {
      const { etag: _none, ...res } = ok(over);
      return res;
    };

    it('is not modified: its papers count as unchanged, with no archive write and no parse', async () => {
      const { deps } = fakes({ prior: archivedBefore, result: withoutEtag() });
      const res = await processFetch(job(), deps, ctx);
      expect(res).toEqual({ outcome: 'not-modified' });
      expect(deps.http.fetch).toHaveBeenCalledWith(URL_, undefined);
      expect(deps.fetchedBefore).toHaveBeenCalledWith('c1', URL_);
      expect(deps.archive.touch).toHaveBeenCalledWith(URL_, NOW.toISOString());
      expect(deps.markFetched).toHaveBeenCalledWith('c1', URL_);
      expect(deps.markPagePapers).toHaveBeenCalledWith('c1', URL_, archivedBefore.paperIds);
      expect(deps.archive.put).not.toHaveBeenCalled();
    });

    it('is parsed again when this job ran before in its crawl (that run may not have written its papers)', async () => {
      const { deps } = fakes({ prior: archivedBefore, result: withoutEtag(), fetchedBefore: true });
      expect((await processFetch(job(), deps, ctx)).outcome).toBe('fetched');
      expect(deps.markPagePapers).not.toHaveBeenCalled();
    });

    it('is archived when anything else of the answer differs: other bytes, a new ETag, another final URL', async () => {
      for (const result of [
        withoutEtag({ body: Buffer.from('<html>listing, changed</html>') }),
        ok({ etag: '"v2"' }),
        withoutEtag({ finalUrl: `${URL_}/` }),
      ]) {
        const { deps, archived } = fakes({ prior: archivedBefore, result });
        expect((await processFetch(job(), deps, ctx)).outcome).toBe('fetched');
        expect(archived).toHaveLength(1);
        expect(deps.markPagePapers).not.toHaveBeenCalled();
      }
    });
  });

  it("a rate limit pushes the host's next slot out by its Retry-After, then fails the run", async () => {
    const limited = new RateLimitedError('429 from the host', 30_000);
    const { deps } = fakes({ result: limited });
    expect(await failure(processFetch(job(), deps, ctx))).toBe(limited);
    expect(deps.limiter.pushBack).toHaveBeenCalledWith(HOST, 30_000);
    expect(deps.markFetched).not.toHaveBeenCalled();
  });

  it('any other HTTP failure fails the run as it is, the slot left alone', async () => {
    const down = new TransientError('HTTP_SERVER_ERROR', '503 from the host');
    const { deps } = fakes({ result: down });
    expect(await failure(processFetch(job(), deps, ctx))).toBe(down);
    expect(deps.limiter.pushBack).not.toHaveBeenCalled();
    expect(deps.archive.put).not.toHaveBeenCalled();
  });
});

/** Lets other tasks run, as a real round trip would. */
const roundTrip = () => new Promise<void>((r) => setImmediate(r));

const page: FetchResult = {
  requestedUrl: URL_,
  finalUrl: URL_,
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
    legacyRoute: () => ({ source: 'hf', type: 'hf-daily' }),
    robots: () => answer('robots', undefined),
    markFetched: () => answer('markFetched', undefined),
    fetchedBefore: () => answer('crawls.fetchedBefore', false),
    markPagePapers: () => answer('markPagePapers', undefined),
  };
  return { deps, events, pushedBack };
}

describe('processFetch and the host slot', () => {
  it('takes the slot last: the request goes out right when the slot is granted', async () => {
    const { deps, events } = recordingDeps();
    await processFetch(job(), deps, ctx);
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
      url: URL_,
      finalUrl: URL_,
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
    expect((await processFetch(job(), deps, ctx)).outcome).toBe('not-modified');
    expect(seen).toEqual([{ etag: '"v1"' }]);
    expect(events.indexOf('request sent')).toBe(events.indexOf('limiter.reserve answered') + 1);
  });
});
