import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  PaperNotFoundError,
  SearchInputError,
  VectorMissingError,
  type SearchParams,
  type SearchResult,
  type SimilarRequest,
} from '@paperline/core/es/search';
import { PermanentError, type ChangeEntry } from '@paperline/contracts';
import { parseCursor } from '@paperline/core/pipeline';
import { readChanges } from '@paperline/ops';
import { buildApp, type AppDeps } from './app.js';
import { createPromRegistry } from './prom.js';
import type { Overview } from './overview.js';

const TOKEN = 'test-token-0123456789';
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

const OVERVIEW: Overview = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  prefix: 'paperline',
  stages: ['fetch', 'parse', 'dedupe', 'index'].map((name) => ({
    name,
    counts: { waiting: 1, active: 0, delayed: 0, failed: 0, completed: 5, paused: 0, prioritized: 0 },
    backlog: 1,
    throughput: { perMinute: [0, 2, 3], total: 5, failed: 0 },
  })),
  failures: { total: 0, sampled: 0, byCode: [] },
  crawls: [],
  papers: { indexed: 3, unchanged: 0, duplicate: 1 },
};

/** A cursor the stand-in feed says is too old (its entries were trimmed). */
const EXPIRED_CURSOR = '1700000000000000:1700000000000-0';
const CHANGES: ChangeEntry[] = [
  {
    cursor: '1700000000000000:1700000000007-0',
    id: 'arxiv:1',
    op: 'upsert',
    version: 11,
    at: '2025-01-01T00:00:00.000Z',
  },
  {
    cursor: '1700000000000000:1700000000008-0',
    id: 'arxiv:2',
    op: 'withdrawn',
    version: 12,
    reason: 'withdrawn on arxiv',
    at: '2025-01-01T00:00:01.000Z',
  },
];

/** The change feed as ops reads it, over stand-ins for the stream and the index. */
const readStubChanges = (q: { after?: string; limit?: number }) =>
  readChanges(
    {
      feed: {
        read: async (after, limit) => {
          parseCursor(after);
          if (after === EXPIRED_CURSOR) {
            throw new PermanentError('FEED_CURSOR_EXPIRED', 'after: gone; start again from an export');
          }
          const entries = CHANGES.slice(0, limit);
          return { entries, next: entries.at(-1)?.cursor ?? after ?? '0' };
        },
      },
      papers: {
        search: () => Promise.reject(new Error('not used')),
        mget: async ({ ids }) => ({
          docs: ids.map((id) => ({ _index: 'papers', _id: id, found: true, _version: 11, _source: { id } })),
        }),
      },
      alias: 'papers',
    },
    q,
  );

/** An app with stand-ins for Redis, Elasticsearch and the queues; records what routes called. */
function stubApp(options: Partial<AppDeps['options']> = {}, ready = { redis: true, es: true }) {
  const calls = {
    search: [] as SearchParams[],
    papers: [] as string[],
    retried: [] as string[],
    similar: [] as SimilarRequest[],
  };
  const result: SearchResult = {
    mode: 'hybrid',
    total: 1,
    hits: [{ id: 'arxiv:1', score: 1, record: { id: 'arxiv:1' } }],
    facets: {},
  };
  const deps: AppDeps = {
    options: { rateLimitPerMinute: 0, protectAll: false, ...options },
    search: async (p) => {
      calls.search.push(p);
      if (p.mode === 'semantic' && !p.q) throw new SearchInputError('q', 'semantic search needs a query');
      return result;
    },
    similar: async (req) => {
      calls.similar.push(req);
      if (req.text === 'no model')
        throw new PermanentError('MODEL_MISSING', '/models/all-minilm-l6-v2-q.onnx is missing: run set-up');
      if (req.ids?.includes('arxiv:9999.99999')) throw new PaperNotFoundError('arxiv:9999.99999');
      if (req.ids?.includes('arxiv:2402.00001')) throw new VectorMissingError('arxiv:2402.00001');
      return result.hits;
    },
    getPaper: async (id) => {
      calls.papers.push(id);
      return id.includes('2402.13572') || id.startsWith('hep-th/') ? { id: 'arxiv:2402.13572' } : null;
    },
    changes: readStubChanges,
    checks: { redis: async () => ready.redis, elasticsearch: async () => ready.es },
    overview: async () => OVERVIEW,
    metrics: createPromRegistry(
      {
        queueCounts: async () => OVERVIEW.stages.map((s) => ({ name: s.name, counts: s.counts })),
        workerMetrics: async () => ({ counters: {}, histograms: {} }),
        papers: async () => OVERVIEW.papers,
      },
      { processMetrics: false },
    ),
    actions: {
      retryJob: async (jobId) => {
        calls.retried.push(jobId);
        return jobId === 'known' ? { jobId, stage: 'fetch' } : null;
      },
      retryByCode: async () => 2,
    },
    dashboard: { queues: [] },
  };
  return { app: buildApp(deps), calls };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('read-only routes', () => {
  it('healthz answers; readyz names the service that failed', async () => {
    const s = stubApp({}, { redis: true, es: false });
    app = s.app;
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const r = await app.inject('/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({
      failed: ['elasticsearch'],
      checks: { redis: 'ok', elasticsearch: 'failed' },
    });
  });

  it('search validates parameters with a message naming the parameter', async () => {
    const s = stubApp();
    app = s.app;
    const bad = async (qs: string) =>
      (await app!.inject(`/api/search?${qs}`)).json<{ message: string }>().message;
    expect((await app.inject('/api/search?size=1000')).statusCode).toBe(400);
    expect(await bad('size=1000')).toBe('size: is at most 100');
    expect(await bad('page=101')).toBe('page: is at most 100');
    expect(await bad('from=2024-13-45')).toMatch(/^from: must be a date YYYY-MM-DD/);
    expect(await bad('sort=random')).toMatch(/^sort: /);
    expect(await bad('from=2024-05-01&to=2024-01-01')).toMatch(/^to: /);
    expect(s.calls.search).toHaveLength(0);
    const ok = await app.inject('/api/search?q=llm&sort=date&size=5&page=2&category=cs.CL');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ total: 1, page: 2, size: 5, hits: [{ id: 'arxiv:1' }] });
    expect(s.calls.search[0]).toMatchObject({ q: 'llm', sort: 'date', size: 5, page: 2, category: 'cs.CL' });
  });

  it('papers accepts ids with encoded or raw slashes, and answers 404 when unknown', async () => {
    const s = stubApp();
    app = s.app;
    expect((await app.inject('/api/papers/10.48550%2FarXiv.2402.13572')).statusCode).toBe(200);
    expect((await app.inject('/api/papers/hep-th/9901001')).statusCode).toBe(200);
    expect((await app.inject('/api/papers/hep-th%2F9901001')).statusCode).toBe(200);
    expect(s.calls.papers).toEqual(['10.48550/arXiv.2402.13572', 'hep-th/9901001', 'hep-th/9901001']);
    const missing = await app.inject('/api/papers/arxiv%3A9999.99999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('search answers in the mode it ranked in; a typed error is a 400 naming the parameter', async () => {
    const s = stubApp();
    app = s.app;
    const ok = await app.inject('/api/search?q=tiny+chips&mode=semantic');
    expect(ok.json()).toMatchObject({ mode: 'hybrid', total: 1 });
    expect(s.calls.search[0]).toMatchObject({ q: 'tiny chips', mode: 'semantic' });
    const bad = await app.inject('/api/search?mode=fuzzy');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toBe('mode: must be one of keyword, semantic, hybrid');
    const empty = await app.inject('/api/search?mode=semantic');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: 'bad_request', message: 'q: semantic search needs a query' });
  });

  it('similar papers: by id through the papers path, by text or ids through POST', async () => {
    const s = stubApp();
    app = s.app;
    const byId = await app.inject('/api/papers/hep-th/9901001/similar?size=3');
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toEqual({ hits: [{ id: 'arxiv:1', score: 1, record: { id: 'arxiv:1' } }] });
    const byText = await app.inject({ method: 'POST', url: '/api/similar', payload: { text: 'tiny chips' } });
    expect(byText.statusCode).toBe(200);
    expect(s.calls.similar).toEqual([
      { ids: ['hep-th/9901001'], size: 3 },
      { text: 'tiny chips', size: 10 },
    ]);
  });

  it.each([
    ['nothing', {}, 400, 'text: give either text or ids'],
    ['text and ids', { text: 'a', ids: ['arxiv:1'] }, 400, 'text: give either text or ids'],
    ['a blank text', { text: '  ' }, 400, 'text: is empty'],
    ['a text too long', { text: 'x'.repeat(20_001) }, 400, 'text: is longer than 20000 characters'],
    ['no ids', { ids: [] }, 400, 'ids: is empty'],
    ['no model', { text: 'no model' }, 503, '/models/all-minilm-l6-v2-q.onnx is missing: run set-up'],
    ['an unknown id', { ids: ['arxiv:9999.99999'] }, 404, 'no paper arxiv:9999.99999'],
    [
      'a paper not embedded yet',
      { ids: ['arxiv:2402.00001'] },
      409,
      'paper arxiv:2402.00001 has no vector yet',
    ],
  ])('POST /api/similar with %s answers %i', async (_label, body, status, message) => {
    app = stubApp().app;
    const r = await app.inject({ method: 'POST', url: '/api/similar', payload: body });
    expect(r.statusCode).toBe(status);
    expect(r.json<{ message: string }>().message).toContain(message);
  });

  it('changes: entries after a cursor with next; upserts with their current record, tombstones without', async () => {
    app = stubApp().app;
    const r = await app.inject('/api/changes?after=1700000000000000:1700000000006-0&limit=5');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      entries: [{ ...CHANGES[0], record: { id: 'arxiv:1' }, recordVersion: 11 }, { ...CHANGES[1] }],
      next: '1700000000000000:1700000000008-0',
    });
    expect((await app.inject('/api/changes?limit=1')).json<{ next: string }>().next).toBe(
      '1700000000000000:1700000000007-0',
    );
  });

  it('changes: a bad cursor or limit is a 400 naming it; a cursor whose entries are gone a 410', async () => {
    app = stubApp().app;
    const answer = async (qs: string) => {
      const r = await app!.inject(`/api/changes?${qs}`);
      return { status: r.statusCode, ...r.json<{ error: string; message: string }>() };
    };
    expect(await answer('after=yesterday')).toMatchObject({
      status: 400,
      error: 'bad_request',
      message: expect.stringMatching(/^after: 'yesterday' is not a change-feed cursor/),
    });
    expect(await answer('after=a&after=b')).toMatchObject({ status: 400, message: 'after: give one cursor' });
    for (const limit of ['0', '1001', 'ten', '2.5']) {
      expect(await answer(`limit=${limit}`), limit).toMatchObject({
        status: 400,
        message: 'limit: must be a whole number from 1 to 1000',
      });
    }
    expect(await answer(`after=${EXPIRED_CURSOR}`)).toMatchObject({
      status: 410,
      error: 'cursor_expired',
      message: expect.stringMatching(/start again from an export/),
    });
  });

  it('serves an OpenAPI 3.1 description of the search endpoints', async () => {
    app = stubApp().app;
    const doc = (await app.inject('/openapi.json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/search',
        '/api/papers/{id}',
        '/api/papers/{id}/similar',
        '/api/similar',
        '/api/changes',
        '/metrics',
      ]),
    );
  });

  it('renders the overview page with every queue, and the same data as JSON', async () => {
    app = stubApp().app;
    const page = await app.inject('/');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const q of ['fetch', 'parse', 'dedupe', 'index']) expect(page.body).toContain(`data-queue="${q}"`);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-/);
    expect((await app.inject('/api/overview')).json()).toEqual(OVERVIEW);
  });

  it('exposes queue gauges and paper counters in the Prometheus format', async () => {
    app = stubApp().app;
    const body = (await app.inject('/metrics')).body;
    expect(body).toContain('paperline_queue_jobs{queue="fetch",state="completed"} 5');
    expect(body).toContain('paperline_papers_total{result="indexed"} 3');
  });
});

describe('auth', () => {
  it('without a token the dashboard is read-only and actions are disabled', async () => {
    app = stubApp().app;
    expect((await app.inject('/dashboard/')).statusCode).toBe(200);
    const r = await app.inject({ method: 'POST', url: '/api/failed/known/retry' });
    expect(r.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'PUT', url: '/dashboard/api/queues/fetch/retry/failed' })).statusCode,
    ).toBe(403);
  });

  it('with a token the dashboard and actions need it: reads as Bearer or basic password, actions as Bearer', async () => {
    const s = stubApp({ token: TOKEN });
    app = s.app;
    const anon = await app.inject('/dashboard/');
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm="Paperline"/);
    expect(
      (await app.inject({ url: '/dashboard/', headers: { authorization: basic('me', 'wrong-token-xx') } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/dashboard/', headers: { authorization: basic('anyone', TOKEN) } }))
        .statusCode,
    ).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/failed/known/retry' })).statusCode).toBe(401);
    expect(s.calls.retried).toEqual([]);
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const ok = await app.inject({ method: 'POST', url: '/api/failed/known/retry', headers: bearer });
    expect(ok.json()).toEqual({ retried: 1, jobId: 'known', stage: 'fetch' });
    expect(
      (await app.inject({ method: 'POST', url: '/api/failed/nope/retry', headers: bearer })).statusCode,
    ).toBe(404);
    const byCode = await app.inject({
      method: 'POST',
      url: '/api/failed/retry?code=HTTP_TIMEOUT',
      headers: bearer,
    });
    expect(byCode.json()).toEqual({ retried: 2 });
    expect(
      (await app.inject({ method: 'POST', url: '/api/failed/retry?code=nope', headers: bearer })).statusCode,
    ).toBe(400);
    // Read-only endpoints stay public.
    expect((await app.inject('/api/search?q=x')).statusCode).toBe(200);
  });

  it('state-changing requests refuse basic auth and query-string tokens, naming the Bearer header', async () => {
    const s = stubApp({ token: TOKEN });
    app = s.app;
    const refused = async (
      url: string,
      headers: Record<string, string> = {},
      method: 'POST' | 'PUT' = 'POST',
    ) => {
      const r = await app!.inject({ method, url, headers });
      expect(r.statusCode, url).toBe(401);
      expect(r.headers['www-authenticate'], url).toMatch(/^Bearer realm="Paperline"/);
      return r.json<{ error: string; message: string }>();
    };
    const viaBasic = await refused('/api/failed/known/retry', { authorization: basic('admin', TOKEN) });
    expect(viaBasic).toEqual({
      error: 'unauthorized',
      message:
        'POST changes state: basic auth is not accepted for it; send the API token in the header ' +
        '`Authorization: Bearer <token>`',
    });
    const viaQuery = await refused(`/api/failed/known/retry?token=${TOKEN}`);
    expect(viaQuery.message).toBe(
      'the token is not accepted in the query string: send the API token in the header `Authorization: Bearer <token>`',
    );
    await refused(`/api/failed/retry?code=HTTP_TIMEOUT&access_token=${TOKEN}`, {
      authorization: `Bearer ${TOKEN}`,
    });
    await refused('/dashboard/api/queues/pause', { authorization: basic('admin', TOKEN) }, 'PUT');
    expect(s.calls.retried).toEqual([]);
    // The same credentials still read.
    const read = await app.inject({
      url: '/api/overview',
      headers: { authorization: basic('admin', TOKEN) },
    });
    expect(read.statusCode).toBe(200);
  });

  it('the overview page and JSON need the token whenever one is set', async () => {
    app = stubApp({ token: TOKEN }).app;
    for (const url of ['/api/overview', '/']) {
      const anon = await app.inject(url);
      expect(anon.statusCode, url).toBe(401);
      expect(anon.body, url).not.toContain('paperline');
      expect(anon.headers['www-authenticate'], url).toMatch(/^Basic realm="Paperline"/);
      for (const authorization of [`Bearer ${TOKEN}`, basic('admin', TOKEN)])
        expect((await app.inject({ url, headers: { authorization } })).statusCode, url).toBe(200);
    }
    expect((await app.inject(`/api/overview?token=${TOKEN}`)).statusCode).toBe(401);
    // Search, metrics and health stay public without PROTECT_ALL.
    for (const url of ['/api/search?q=x', '/metrics', '/healthz'])
      expect((await app.inject(url)).statusCode, url).toBe(200);
  });

  it("the dashboard's own buttons act with its session cookie from the same origin only", async () => {
    app = stubApp({ token: TOKEN }).app;
    const login = await app.inject({ url: '/dashboard/', headers: { authorization: basic('admin', TOKEN) } });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^paperline_session=[\w-]+; Path=\/dashboard; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;
    const put = (headers: Record<string, string>) =>
      app!.inject({ method: 'PUT', url: '/dashboard/api/queues/pause', headers: { cookie, ...headers } });
    // What a browser sends from the dashboard's page (with the cached basic credentials too).
    const own = await put({ 'sec-fetch-site': 'same-origin', authorization: basic('admin', TOKEN) });
    expect(own.statusCode).toBe(200);
    expect((await put({ origin: 'http://localhost:80' })).statusCode).toBe(200);
    const elsewhere: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'same-site' }, // another port of this host: same site, other origin
      { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:80' },
      { origin: 'http://localhost:3000' },
      {}, // no sign of where it comes from
    ];
    for (const from of elsewhere) {
      const r = await put(from);
      expect(r.statusCode, JSON.stringify(from)).toBe(403);
      expect(r.json()).toEqual({
        error: 'forbidden',
        message: 'refused a cross-origin request with the dashboard session',
      });
    }
    const forged = await app.inject({
      method: 'PUT',
      url: '/dashboard/api/queues/pause',
      headers: { cookie: 'paperline_session=forged', 'sec-fetch-site': 'same-origin' },
    });
    expect(forged.statusCode).toBe(401);
    // The session is the dashboard's: it does not reach the other actions.
    const action = await app.inject({
      method: 'POST',
      url: '/api/failed/known/retry',
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(action.statusCode).toBe(401);
  });

  it('PROTECT_ALL puts the read-only endpoints behind the token too', async () => {
    app = stubApp({ token: TOKEN, protectAll: true }).app;
    for (const url of ['/api/search?q=x', '/api/changes', '/metrics', '/healthz', '/'])
      expect((await app.inject(url)).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
    ).toBe(200);
  });

  it('refuses bodies over 64 KB and rate-limits per client', async () => {
    const s = stubApp({ token: TOKEN, rateLimitPerMinute: 3 });
    app = s.app;
    const big = await app.inject({
      method: 'POST',
      url: '/api/failed/known/retry',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect(big.statusCode).toBe(413);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject('/api/search?q=x')).statusCode);
    expect(codes).toEqual([200, 200, 429, 429]);
  });
});
