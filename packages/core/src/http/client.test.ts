import { PaperlineError, PermanentError, RateLimitedError, TransientError } from '@paperline/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, HttpClient, type HttpClientOptions } from './client.js';
import { MAX_RETRY_AFTER_MS } from './retry.js';
import { startServer, streamBytes, type TestServer } from './test-support.js';

const MB = 1024 * 1024;

const servers: TestServer[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function client(opts: HttpClientOptions = {}): HttpClient {
  // Not about the SSRF guard (client-guard.test.ts is): loopback test servers on any port.
  const c = new HttpClient({ blockPrivateAddresses: false, ...opts });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<PaperlineError> {
  const err: unknown = await p.then(
    () => new Error('expected the fetch to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof PaperlineError)) throw err;
  return err;
}

describe('HttpClient: success', () => {
  it('returns status, body, type, charset, validators and timing', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        etag: '"v1"',
        'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT',
      });
      res.end('<h1>héllo</h1>');
    });
    const r = await client().fetch(`${s.origin}/p?q=1`);
    expect(r).toMatchObject({
      requestedUrl: `${s.origin}/p?q=1`,
      finalUrl: `${s.origin}/p?q=1`,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      charset: 'utf-8',
      etag: '"v1"',
      lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
      redirects: [],
    });
    expect(r.body.toString('utf8')).toBe('<h1>héllo</h1>');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('sends User-Agent, Accept and Accept-Encoding', async () => {
    const s = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    await client().fetch(`${s.origin}/a`);
    await client({ userAgent: 'Custom/1.0 (ops@example.org)' }).fetch(`${s.origin}/b`);
    expect(s.requests[0]?.headers).toMatchObject({
      'user-agent': DEFAULT_USER_AGENT,
      accept: 'text/html,application/xhtml+xml,application/json,application/atom+xml;q=0.9,*/*;q=0.8',
      'accept-encoding': 'gzip, br',
    });
    expect(s.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(s.requests[1]?.headers['user-agent']).toBe('Custom/1.0 (ops@example.org)');
  });

  it('sends conditional headers and returns an empty body on 304', async () => {
    const s = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { etag: '"v1"' }).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end('x');
    });
    const r = await client().fetch(`${s.origin}/`, {
      etag: '"v1"',
      lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
    });
    expect(s.requests[0]?.headers['if-modified-since']).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    expect(r).toMatchObject({ status: 304, etag: '"v1"', contentType: '' });
    expect(r.body.length).toBe(0);
  });

  it('reuses keep-alive connections for sequential requests', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    const c = client();
    for (let i = 0; i < 6; i++) await c.fetch(`${s.origin}/${i}`);
    // undici releases a connection just after the body ends, so a back-to-back request may open a second one.
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('reports the charset of a legacy page', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(Buffer.from('<meta charset="windows-1252"><p>caf\xe9</p>', 'latin1'));
    });
    expect((await client().fetch(s.origin)).charset).toBe('windows-1252');
  });
});

describe('HttpClient: status mapping', () => {
  async function statusFailure(
    status: number,
    headers: Record<string, string> = {},
  ): Promise<PaperlineError> {
    const s = await serve((_req, res) =>
      res.writeHead(status, { 'content-type': 'text/html', ...headers }).end('no'),
    );
    const err = await failure(client().fetch(`${s.origin}/x`));
    expect(err.context.url).toBe(`${s.origin}/x`);
    expect(err.context.status).toBe(status);
    expect(err.message).toContain(`GET ${s.origin}/x: `);
    expect(err.message).toMatch(new RegExp(`\\(${err.code}\\)$`));
    return err;
  }

  it.each([404, 410])('%i → permanent HTTP_NOT_FOUND', async (status) => {
    const err = await statusFailure(status);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_NOT_FOUND');
  });

  it('429 with Retry-After → RateLimitedError with that delay', async () => {
    const err = await statusFailure(429, { 'retry-after': '7' });
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect(err.code).toBe('HTTP_RATE_LIMITED');
  });

  it('429 without Retry-After → RateLimitedError of 30 s', async () => {
    const err = await statusFailure(429);
    expect((err as RateLimitedError).retryAfterMs).toBe(30_000);
  });

  it('503 with an HTTP-date Retry-After → RateLimitedError until that date (capped), 0 for a past one', async () => {
    const later = await statusFailure(503, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' });
    expect(later).toBeInstanceOf(RateLimitedError);
    expect((later as RateLimitedError).retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    const past = await statusFailure(503, { 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' });
    expect((past as RateLimitedError).retryAfterMs).toBe(0);
  });

  it.each([503, 500, 502, 504, 408])(
    '%i without Retry-After → transient HTTP_SERVER_ERROR',
    async (status) => {
      const err = await statusFailure(status);
      expect(err).toBeInstanceOf(TransientError);
      expect(err.code).toBe('HTTP_SERVER_ERROR');
    },
  );

  it.each([400, 401, 403, 451])('%i → permanent HTTP_CLIENT_ERROR', async (status) => {
    const err = await statusFailure(status);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_CLIENT_ERROR');
  });

  it('does not read a large error body (the connection is not held)', async () => {
    let streamed: Promise<number> | undefined;
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      streamed = streamBytes(res, 64 * MB, Buffer.alloc(64 * 1024, 0x61));
    });
    const err = await failure(client().fetch(s.origin));
    expect(err.code).toBe('HTTP_SERVER_ERROR');
    // The server stops streaming only when the client closes the connection.
    expect(await streamed).toBeLessThan(16 * MB);
  });
});

describe('HttpClient: redirects', () => {
  it('follows 301/302/303/307/308 with relative and absolute Locations and records the chain', async () => {
    const s = await serve((req, res) => {
      const hops: Record<string, [number, string]> = {
        '/a': [301, '/b'],
        '/b': [302, 'c'],
        '/c': [303, '../d?x=1'],
        '/d?x=1': [307, 'http://127.0.0.1:PORT/e'],
        '/e': [308, '/f#frag'],
      };
      const hop = hops[req.url ?? ''];
      if (hop) res.writeHead(hop[0], { location: hop[1].replace('PORT', String(s.port)) }).end('moved');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`final ${req.url}`);
    });
    const r = await client().fetch(`${s.origin}/a`);
    expect(r.finalUrl).toBe(`${s.origin}/f#frag`);
    expect(r.requestedUrl).toBe(`${s.origin}/a`);
    expect(r.redirects).toEqual([
      `${s.origin}/a`,
      `${s.origin}/b`,
      `${s.origin}/c`,
      `${s.origin}/d?x=1`,
      `${s.origin}/e`,
    ]);
    expect(r.body.toString()).toBe('final /f');
  });

  it('fails past maxRedirects with HTTP_TOO_MANY_REDIRECTS', async () => {
    const s = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      res.writeHead(302, { location: `/${n + 1}` }).end();
    });
    const err = await failure(client({ maxRedirects: 3 }).fetch(`${s.origin}/0`));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_TOO_MANY_REDIRECTS');
    expect(err.context.url).toBe(`${s.origin}/0`);
    expect(s.requests.map((r) => r.url)).toEqual(['/0', '/1', '/2', '/3']);
    expect(err.message).toContain('more than 3 redirects');
  });

  it('allows exactly maxRedirects hops', async () => {
    const s = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n < 2) res.writeHead(302, { location: `/${n + 1}` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
    });
    const r = await client({ maxRedirects: 2 }).fetch(`${s.origin}/0`);
    expect(r.redirects).toHaveLength(2);
    expect(r.finalUrl).toBe(`${s.origin}/2`);
  });

  it('detects a Location loop', async () => {
    const s = await serve((req, res) =>
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end(),
    );
    const err = await failure(client().fetch(`${s.origin}/a`));
    expect(err.code).toBe('HTTP_TOO_MANY_REDIRECTS');
    expect(err.message).toContain('redirect loop');
    expect(s.requests).toHaveLength(2);
  });

  it('refuses a redirect to a non-http scheme, and a redirect without Location', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/file') res.writeHead(301, { location: 'file:///etc/passwd' }).end();
      else res.writeHead(302).end();
    });
    const a = await failure(client().fetch(`${s.origin}/file`));
    expect(a).toBeInstanceOf(PermanentError);
    expect(a.code).toBe('UNSUPPORTED_URL');
    expect(a.message).toContain('file:');
    const b = await failure(client().fetch(`${s.origin}/none`));
    expect(b.code).toBe('HTTP_CLIENT_ERROR');
    expect(b.message).toContain('without a Location');
  });

  it('names the hop in errors after a redirect, keeping context.url the requested URL', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/gone' }).end();
      else res.writeHead(404).end();
    });
    const err = await failure(client().fetch(`${s.origin}/old`));
    expect(err.code).toBe('HTTP_NOT_FOUND');
    expect(err.context).toMatchObject({ url: `${s.origin}/old`, hopUrl: `${s.origin}/gone` });
    expect(err.message).toBe(
      `GET ${s.origin}/gone (redirected from ${s.origin}/old): 404, no such page (HTTP_NOT_FOUND)`,
    );
  });
});

describe('HttpClient: URLs and content types', () => {
  it.each(['ftp://example.org/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '/relative'])(
    'refuses %s with UNSUPPORTED_URL',
    async (url) => {
      const err = await failure(client().fetch(url));
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.code).toBe('UNSUPPORTED_URL');
      expect(err.context.url).toBe(url);
    },
  );

  it('refuses a type not in the list, naming type and URL, without reading the body', async () => {
    let streamed: Promise<number> | undefined;
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      streamed = streamBytes(res, 64 * MB, Buffer.alloc(64 * 1024));
    });
    const err = await failure(client().fetch(`${s.origin}/paper.pdf`));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_BAD_CONTENT_TYPE');
    expect(err.message).toContain('application/pdf');
    expect(err.message).toContain(`${s.origin}/paper.pdf`);
    expect(await streamed).toBeLessThan(16 * MB);
  });

  it('refuses a missing Content-Type', async () => {
    const s = await serve((_req, res) => {
      res.removeHeader('content-type');
      res.end('hello');
    });
    const err = await failure(client().fetch(s.origin));
    expect(err.code).toBe('HTTP_BAD_CONTENT_TYPE');
    expect(err.message).toContain('no Content-Type');
  });

  it('accepts the configured types, with parameters and wildcards', async () => {
    const s = await serve((req, res) => {
      const type = req.url === '/csv' ? 'text/csv' : 'Application/Atom+XML; charset=UTF-8';
      res.writeHead(200, { 'content-type': type }).end('a');
    });
    expect((await client().fetch(`${s.origin}/atom`)).status).toBe(200);
    expect((await client({ acceptContentTypes: ['text/*'] }).fetch(`${s.origin}/csv`)).status).toBe(200);
    expect(
      (await failure(client({ acceptContentTypes: ['text/html'] }).fetch(`${s.origin}/atom`))).code,
    ).toBe('HTTP_BAD_CONTENT_TYPE');
  });
});
